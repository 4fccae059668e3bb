#include "batcher.hpp"

namespace mt {
namespace {

// Applies the field limit to the columns that can be long.
std::size_t LimitFields(TraceRow& row, std::size_t max_field_bytes) {
  std::size_t truncated = 0;
  for (std::string* field : {&row.subject, &row.sender, &row.recipient, &row.message_id, &row.from_ip, &row.to_ip,
                             &row.status, &row.trace_id}) {
    if (TruncateUtf8(*field, max_field_bytes)) ++truncated;
  }
  return truncated;
}

}  // namespace

bool TruncateUtf8(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return false;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return true;
}

std::vector<Batch> MakeBatches(const std::vector<TraceRow>& rows, const BatchLimits& limits,
                               const RecordWriter& write_record) {
  std::vector<Batch> batches;
  Batch current;
  current.body = "[";
  // Where the current batch could end at a change of received time: the
  // body length and row count just before the first row of the newest
  // instant.
  std::size_t boundary_bytes = 0;
  std::size_t boundary_count = 0;
  std::size_t boundary_truncated = 0;

  auto close_batch = [&](std::size_t bytes, std::size_t count, std::size_t truncated) {
    Batch done;
    done.first = current.first;
    done.count = count;
    done.truncated_fields = truncated;
    done.body = current.body.substr(0, bytes) + "]";
    batches.push_back(std::move(done));

    // What followed the cut starts the next batch.
    std::string rest = current.body.substr(bytes);
    if (!rest.empty() && rest.front() == ',') rest.erase(0, 1);
    current.first += count;
    current.count -= count;
    current.truncated_fields -= truncated;
    current.body = "[" + rest;
    boundary_bytes = 0;
    boundary_count = 0;
    boundary_truncated = 0;
  };

  std::string record;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    TraceRow row = rows[i];
    const std::size_t truncated = LimitFields(row, limits.max_field_bytes);
    record.clear();
    write_record(row, record);

    const bool new_instant = i == 0 || rows[i].received != rows[i - 1].received;
    if (new_instant && current.count > 0) {
      boundary_bytes = current.body.size();
      boundary_count = current.count;
      boundary_truncated = current.truncated_fields;
    }

    const std::size_t separator = current.count > 0 ? 1 : 0;
    if (current.count > 0 && current.body.size() + separator + record.size() + 1 > limits.max_body_bytes) {
      if (boundary_count > 0 && !new_instant) {
        close_batch(boundary_bytes, boundary_count, boundary_truncated);
      } else {
        close_batch(current.body.size(), current.count, current.truncated_fields);
      }
      // The carried-over rows of the current instant may still be too many
      // for one batch together with this row; then cut inside the instant.
      if (current.count > 0 && current.body.size() + 1 + record.size() + 1 > limits.max_body_bytes) {
        close_batch(current.body.size(), current.count, current.truncated_fields);
      }
    }

    if (current.count > 0) current.body += ',';
    current.body += record;
    ++current.count;
    current.truncated_fields += truncated;
  }
  if (current.count > 0) close_batch(current.body.size(), current.count, current.truncated_fields);
  return batches;
}

}  // namespace mt

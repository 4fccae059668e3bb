#include "checkpoint.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <zlib.h>

#include "errors.hpp"
#include "gzip.hpp"

namespace mt {
namespace {

namespace json = boost::json;

std::string Base64Encode(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()), int(data.size()));
  out.resize(length);
  return out;
}

std::optional<std::string> Base64Decode(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
  if (length < 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(std::size_t(length) - padding);
  return out;
}

std::optional<std::string> Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

[[noreturn]] void Damaged(const std::string& name, const std::string& what) {
  throw CollectionError("the checkpoint " + name + " cannot be read (" + what +
                        "); delete it and the next run starts again from the workspace watermark");
}

Instant ReadInstant(const json::object& object, const char* key, const std::string& name) {
  const json::value* value = object.if_contains(key);
  if (!value || !value->is_string()) Damaged(name, std::string("no ") + key);
  const auto instant = ParseIso8601(std::string(value->as_string()));
  if (!instant) Damaged(name, std::string(key) + " is not a date");
  return *instant;
}

}  // namespace

std::string SerializeCheckpoint(const Checkpoint& checkpoint) {
  json::object root;
  root["version"] = Checkpoint::kVersion;
  root["table"] = checkpoint.table;
  root["frontier"] = FormatIsoPrecise(checkpoint.frontier);

  json::array segments;
  for (const Segment& segment : checkpoint.segments) {
    segments.push_back(json::object{{"start", FormatIsoPrecise(segment.start)},
                                    {"end", FormatIsoPrecise(segment.end)},
                                    {"reads", segment.reads}});
  }
  root["segments"] = std::move(segments);

  json::array pending;
  for (const PendingBatch& batch : checkpoint.pending) {
    std::string rows = "[";
    for (std::size_t i = 0; i < batch.rows.size(); ++i) {
      if (i) rows += ',';
      AppendTableRecord(batch.rows[i], rows);
    }
    rows += ']';
    // Rows are kept gzip-compressed: a batch is up to 1 MB of JSON.
    pending.push_back(json::object{{"sentAt", FormatIsoPrecise(batch.sent_at)},
                                   {"rowCount", batch.rows.size()},
                                   {"rows", Base64Encode(GzipCompress(rows))}});
  }
  root["pending"] = std::move(pending);

  json::array hours;
  for (const std::string& hour : checkpoint.ledger_hours) hours.emplace_back(hour);
  root["ledgerHours"] = std::move(hours);
  return json::serialize(root);
}

Checkpoint ParseCheckpoint(const std::string& text, const std::string& name) {
  json::error_code error;
  const json::value root = json::parse(text, error);
  if (error || !root.is_object()) Damaged(name, "not a JSON object");
  const json::object& object = root.as_object();

  const json::value* version = object.if_contains("version");
  if (!version || !version->is_int64()) Damaged(name, "no version");
  if (version->as_int64() != Checkpoint::kVersion) {
    throw CollectionError("the checkpoint " + name + " has version " + std::to_string(version->as_int64()) +
                          ", which this handler (version " + std::to_string(Checkpoint::kVersion) +
                          ") cannot read; deploy a matching handler");
  }

  Checkpoint checkpoint;
  if (const auto* table = object.if_contains("table"); table && table->is_string()) {
    checkpoint.table = std::string(table->as_string());
  }
  checkpoint.frontier = ReadInstant(object, "frontier", name);

  if (const auto* segments = object.if_contains("segments"); segments && segments->is_array()) {
    for (const auto& item : segments->as_array()) {
      if (!item.is_object()) Damaged(name, "a segment is not an object");
      const auto& segment = item.as_object();
      const auto* reads = segment.if_contains("reads");
      if (!reads || !reads->is_int64()) Damaged(name, "a segment has no read count");
      checkpoint.segments.push_back(
          {ReadInstant(segment, "start", name), ReadInstant(segment, "end", name), int(reads->as_int64())});
    }
  }

  if (const auto* pending = object.if_contains("pending"); pending && pending->is_array()) {
    for (const auto& item : pending->as_array()) {
      if (!item.is_object()) Damaged(name, "a pending batch is not an object");
      const auto& batch_object = item.as_object();
      PendingBatch batch;
      batch.sent_at = ReadInstant(batch_object, "sentAt", name);
      const auto* rows = batch_object.if_contains("rows");
      if (!rows || !rows->is_string()) Damaged(name, "a pending batch has no rows");
      const auto compressed = Base64Decode(std::string(rows->as_string()));
      const auto text_rows = compressed ? Gunzip(*compressed) : std::nullopt;
      if (!text_rows) Damaged(name, "a pending batch is not valid base64 gzip");
      json::error_code rows_error;
      const json::value array = json::parse(*text_rows, rows_error);
      if (rows_error || !array.is_array()) Damaged(name, "a pending batch is not a JSON array");
      for (const auto& record : array.as_array()) {
        if (!record.is_object()) Damaged(name, "a pending row is not an object");
        batch.rows.push_back(ParseTableRecord(record.as_object()));
      }
      checkpoint.pending.push_back(std::move(batch));
    }
  }

  if (const auto* hours = object.if_contains("ledgerHours"); hours && hours->is_array()) {
    for (const auto& hour : hours->as_array()) {
      if (hour.is_string()) checkpoint.ledger_hours.insert(std::string(hour.as_string()));
    }
  }
  return checkpoint;
}

}  // namespace mt

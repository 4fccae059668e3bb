#include "delivery_ledger.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "errors.hpp"

namespace mt {
namespace {

constexpr std::size_t kRecordBytes = 16;

std::uint64_t Hash64(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return value;
}

std::string Lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

void PutUint64(std::string& out, std::uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out += char((value >> shift) & 0xFF);
}

std::uint64_t GetUint64(const std::string& in, std::size_t offset) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[offset + i]);
  return value;
}

}  // namespace

RowHashes HashRow(const TraceRow& row) {
  const std::string pair = Lower(row.trace_id) + '\n' + Lower(row.recipient);
  return {Hash64(pair), Hash64(pair + '\n' + Lower(row.status))};
}

DeliveryLedger::DeliveryLedger(StateStore& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}

std::string DeliveryLedger::HourName(Instant received) {
  std::string text = FormatIsoSeconds(std::chrono::floor<std::chrono::hours>(received));
  return text.substr(0, 13);  // YYYY-MM-DDTHH
}

DeliveryLedger::Hour& DeliveryLedger::HourFor(Instant received, RetryContext* context) {
  Hour& hour = hours_[HourName(received)];
  if (!hour.loaded && context) {
    const std::string name = prefix_ + "delivered/" + HourName(received) + ".bin";
    if (auto object = store_.Read(name, *context)) {
      if (object->content.size() % kRecordBytes != 0) {
        throw CollectionError("the delivery record " + name + " in " + store_.Describe() +
                              " is damaged (its size is not a multiple of 16 bytes); delete it to let the handler "
                              "rebuild it, accepting that rows of that hour may be sent again");
      }
      for (std::size_t offset = 0; offset < object->content.size(); offset += kRecordBytes) {
        const RowHashes hashes{GetUint64(object->content, offset), GetUint64(object->content, offset + 8)};
        hour.pairs.insert(hashes.pair);
        hour.keys.insert(hashes.key);
        hour.records.push_back(hashes);
      }
      hour.etag = object->etag;
    }
    hour.loaded = true;
  }
  return hour;
}

const DeliveryLedger::Hour* DeliveryLedger::FindHour(Instant received) const {
  const auto it = hours_.find(HourName(received));
  return it == hours_.end() ? nullptr : &it->second;
}

void DeliveryLedger::Load(Instant start, Instant end, RetryContext& context) {
  for (Instant hour = std::chrono::floor<std::chrono::hours>(start); hour < end; hour += std::chrono::hours{1}) {
    HourFor(hour, &context);
  }
}

bool DeliveryLedger::ContainsHashes(const RowHashes& hashes, Instant received) const {
  const Hour* hour = FindHour(received);
  return hour && hour->keys.contains(hashes.key);
}

bool DeliveryLedger::Contains(const TraceRow& row) const { return ContainsHashes(HashRow(row), row.received); }

bool DeliveryLedger::PairDelivered(const TraceRow& row) const {
  const Hour* hour = FindHour(row.received);
  return hour && hour->pairs.contains(HashRow(row).pair);
}

void DeliveryLedger::RecordHashes(const RowHashes& hashes, Instant received) {
  Hour& hour = HourFor(received, nullptr);
  if (!hour.keys.insert(hashes.key).second) return;
  hour.pairs.insert(hashes.pair);
  hour.records.push_back(hashes);
  hour.dirty = true;
}

void DeliveryLedger::Record(const TraceRow& row) { RecordHashes(HashRow(row), row.received); }

void DeliveryLedger::Flush(RetryContext& context) {
  for (auto& [name, hour] : hours_) {
    if (!hour.dirty) continue;
    std::string content;
    content.reserve(hour.records.size() * kRecordBytes);
    for (const RowHashes& hashes : hour.records) {
      PutUint64(content, hashes.pair);
      PutUint64(content, hashes.key);
    }
    const std::string object = prefix_ + "delivered/" + name + ".bin";
    // The lease keeps other runs out; the ETag catches one that lost it.
    const WriteCondition condition =
        hour.etag.empty() ? WriteCondition::CreateOnly() : WriteCondition::IfMatch(hour.etag);
    hour.etag = store_.Write(object, content, condition, context);
    hour.dirty = false;
    known_hours_.insert(name);
  }
}

void DeliveryLedger::Prune(Instant oldest, RetryContext& context) {
  const std::string oldest_name = HourName(oldest);
  for (auto it = known_hours_.begin(); it != known_hours_.end();) {
    const auto loaded = hours_.find(*it);
    if (*it >= oldest_name || (loaded != hours_.end() && loaded->second.dirty)) {
      ++it;
      continue;
    }
    store_.Remove(prefix_ + "delivered/" + *it + ".bin", context);
    if (loaded != hours_.end()) hours_.erase(loaded);
    it = known_hours_.erase(it);
  }
}

}  // namespace mt

// The record of what has been delivered. For every row sent and accepted
// it keeps a 64-bit hash of (message, recipient) and one of (message,
// recipient, status), per hour of received time in the state store, so that
// re-reading a period skips what already landed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "state_store.hpp"
#include "trace_row.hpp"

namespace mt {

struct RowHashes {
  std::uint64_t pair;  // message trace id and recipient
  std::uint64_t key;   // message trace id, recipient and status
};

// Hashes the row's identity: the first 8 bytes of SHA-256 over the lower-
// cased message trace id and recipient (and the status). With a million
// rows an hour, the birthday bound puts the chance of a false match at
// about 1 in 37 million per hour (an estimate: n^2 / 2^65).
RowHashes HashRow(const TraceRow& row);

class DeliveryLedger {
 public:
  // Objects are named `<prefix>delivered/<YYYY-MM-DDTHH>.bin`.
  DeliveryLedger(StateStore& store, std::string prefix);

  // Loads the hours that rows received in [start, end) fall in.
  void Load(Instant start, Instant end, RetryContext& context);

  bool Contains(const TraceRow& row) const;
  bool ContainsHashes(const RowHashes& hashes, Instant received) const;
  // True when any status of the row's message and recipient was delivered.
  bool PairDelivered(const TraceRow& row) const;

  void Record(const TraceRow& row);
  void RecordHashes(const RowHashes& hashes, Instant received);

  // Writes the hours changed since the last flush.
  void Flush(RetryContext& context);

  // Removes the hours that end before `oldest` from the store.
  void Prune(Instant oldest, RetryContext& context);

  // Hours written so far (`YYYY-MM-DDTHH`), kept in the checkpoint so that
  // pruning finds hours this run never loaded.
  const std::set<std::string>& KnownHours() const { return known_hours_; }
  void SetKnownHours(std::set<std::string> hours) { known_hours_ = std::move(hours); }

  static std::string HourName(Instant received);

 private:
  struct Hour {
    std::unordered_set<std::uint64_t> pairs;
    std::unordered_set<std::uint64_t> keys;
    std::vector<RowHashes> records;
    std::string etag;
    bool loaded = false;
    bool dirty = false;
  };

  Hour& HourFor(Instant received, RetryContext* context);
  const Hour* FindHour(Instant received) const;

  StateStore& store_;
  std::string prefix_;
  std::map<std::string, Hour> hours_;
  std::set<std::string> known_hours_;
};

}  // namespace mt

// The durable checkpoint: how far first reads got, which periods still wait
// for re-reads, and batches that were sent but whose outcome is unknown.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "settling.hpp"
#include "trace_row.hpp"

namespace mt {

// A batch recorded before it was sent. If the run stops before the API's
// answer is known, the next run checks the workspace for the batch's rows
// and sends it again only if they are not there.
struct PendingBatch {
  Instant sent_at;
  std::vector<TraceRow> rows;
};

struct Checkpoint {
  static constexpr int kVersion = 1;

  Instant frontier;               // every period before this was read at least once
  std::vector<Segment> segments;  // periods still to be re-read
  std::vector<PendingBatch> pending;
  std::set<std::string> ledger_hours;  // hours of delivery records in the store
  std::string table;
};

std::string SerializeCheckpoint(const Checkpoint& checkpoint);

// Raises CollectionError naming the problem when the text is not a
// checkpoint this version can read.
Checkpoint ParseCheckpoint(const std::string& text, const std::string& name);

}  // namespace mt

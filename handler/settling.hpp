// The settling schedule: message trace rows appear up to a day late and
// change status, so every period of received time is read once as soon as
// it ends and again at growing ages up to the settling horizon. Re-reading
// only the periods that are due, instead of the whole horizon each run,
// keeps the Graph quota low.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "time_util.hpp"

namespace mt {

struct SettlingPolicy {
  Ticks horizon;
  // Ages (time since the period ended) of the re-reads, ascending; the last
  // is the horizon. The default re-reads at 15 minutes, 1, 4 and 24 hours.
  std::vector<Ticks> ages;
};

SettlingPolicy DefaultSettlingPolicy();

// Parses MESSAGE_TRACE_SETTLING_SCHEDULE (`hh:mm:ss` or `d.hh:mm:ss` ages,
// comma-separated, ascending) for a horizon; the horizon is added as the
// last age when the list stops short of it. Returns an error text for an
// invalid list.
std::optional<SettlingPolicy> ParseSettlingPolicy(const std::string& schedule, Ticks horizon, std::string& error);

// A period of received time and how many times it has been read.
struct Segment {
  Instant start;
  Instant end;
  int reads = 0;

  friend bool operator==(const Segment&, const Segment&) = default;
};

// One read to do now: `ordinal` reads were done before it (0 for the first
// read); the final read is the one at the horizon.
struct ReadTask {
  Instant start;
  Instant end;
  int ordinal = 0;
  bool final = false;
};

// The re-reads that are due at `now`, oldest first; contiguous segments
// with the same count are read together.
std::vector<ReadTask> DueReads(const std::vector<Segment>& segments, Instant now, const SettlingPolicy& policy);

// Records that [start, end) was read for the `ordinal`-th time (0: first
// read), splitting segments at the bounds and dropping those read at the
// horizon.
void MarkRead(std::vector<Segment>& segments, Instant start, Instant end, int ordinal, const SettlingPolicy& policy);

}  // namespace mt

// Reads one slice of received time in full, page by page, keeping memory
// bounded and getting past poisoned continuations.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "trace_source.hpp"

namespace mt {

struct SliceRows {
  std::vector<TraceRow> rows;  // distinct (message, recipient), in the order read
  bool too_large = false;      // abandoned: the slice must be cut smaller
  Ticks suggested_length{0};
};

class SliceReader {
 public:
  SliceReader(TraceSource& source, RetryContext& context) : source_(source), context_(context) {}

  // Reads rows received in [start, end). Pages come newest first, so after
  // each page the reader extrapolates the slice's size and gives up early
  // (too_large) when it would hold more than kMaxSliceRows.
  SliceRows Read(Instant start, Instant end);

 private:
  void ReadRange(Instant start, Instant end, Instant slice_start, Instant slice_end, int depth, SliceRows& result);

  TraceSource& source_;
  RetryContext& context_;
  std::unordered_set<std::string> keys_;
};

}  // namespace mt

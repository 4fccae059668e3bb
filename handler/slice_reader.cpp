#include "slice_reader.hpp"

#include <algorithm>

#include "errors.hpp"
#include "graph_source.hpp"
#include "window_plan.hpp"

namespace mt {
namespace {

// A poisoned next link makes the rest of a slice be read again in two
// halves by time. This bounds how often the halves may be cut again.
constexpr int kMaxReplanDepth = 6;

}  // namespace

SliceRows SliceReader::Read(Instant start, Instant end) {
  SliceRows result;
  keys_.clear();
  ReadRange(start, end, start, end, 0, result);
  return result;
}

void SliceReader::ReadRange(Instant start, Instant end, Instant slice_start, Instant slice_end, int depth,
                            SliceRows& result) {
  std::optional<Instant> oldest_seen;
  auto on_page = [&](std::vector<TraceRow>&& page) {
    for (TraceRow& row : page) {
      // The query's bounds are inclusive whole seconds; the slice is
      // half-open, so a row on the boundary belongs to the next slice only.
      if (row.received < slice_start || row.received >= slice_end) continue;
      if (!keys_.insert(row.trace_id + '\n' + row.recipient).second) continue;
      oldest_seen = oldest_seen ? std::min(*oldest_seen, row.received) : row.received;
      result.rows.push_back(std::move(row));
    }
    // Extrapolate from the part covered so far, [oldest seen, end].
    if (depth == 0 && oldest_seen && !result.rows.empty()) {
      const Ticks covered = std::max<Ticks>(slice_end - *oldest_seen, std::chrono::seconds{1});
      const double estimate =
          double(result.rows.size()) * double((slice_end - slice_start).count()) / double(covered.count());
      if (estimate > double(kMaxSliceRows) && slice_end - slice_start > kMinSliceLength) {
        result.too_large = true;
        result.suggested_length = LengthForDensity(result.rows.size(), covered);
        return false;
      }
    }
    return true;
  };

  try {
    source_.Read(start, end, on_page, context_);
  } catch (const PoisonedContinuation& error) {
    if (depth >= kMaxReplanDepth) {
      throw CollectionError(std::string(error.what()) + "; re-reading the range in smaller parts did not get past it");
    }
    // Everything newer than the oldest row seen was read; read the rest
    // again in two halves by time, which gives the source new
    // continuations. Rows read twice are dropped by their key.
    const Instant resume_end = oldest_seen ? std::chrono::ceil<std::chrono::seconds>(*oldest_seen) : end;
    const Instant middle = FloorToSecond(start + (resume_end - start) / 2);
    context_.log.Warning(std::string(error.what()) + "; re-reading " + FormatIsoSeconds(start) + " .. " +
                         FormatIsoSeconds(resume_end) + " in two parts");
    ReadRange(start, middle, slice_start, slice_end, depth + 1, result);
    ReadRange(middle, resume_end, slice_start, slice_end, depth + 1, result);
  }
}

}  // namespace mt

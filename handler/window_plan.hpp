// Range planning: the received times a run covers, and the slices that each
// fit the source's limits and the run's memory.
#pragma once

#include <optional>
#include <string>

#include "trace_source.hpp"

namespace mt {

// A first run with no MESSAGE_TRACE_START and an empty table reads this far
// back: a day of history, which a tenant of a million messages a day reads
// in about 200 Graph requests.
inline constexpr Ticks kDefaultFirstRunLookBack = std::chrono::hours{24};

// The range ends this long before now: Graph refuses an end in the future,
// and the collector's clock may run ahead of Microsoft's.
inline constexpr Ticks kEndDelay = std::chrono::seconds{60};

// The oldest start is kept this far inside the source's look-back so that a
// request sent a little later is still within it.
inline constexpr Ticks kLookBackMargin = std::chrono::hours{1};

struct RangePlan {
  Instant start;                     // inclusive, whole second
  Instant end;                       // exclusive, whole second
  std::optional<Instant> after;      // rows at or before this were ingested already
  std::optional<Instant> lost_from;  // set when the wanted start was older than the source keeps
  std::string origin;                // "watermark", "MESSAGE_TRACE_START" or "default look-back"
};

RangePlan PlanRange(std::optional<Instant> watermark, std::optional<Instant> configured_start, Instant now,
                    const SourceLimits& limits);

// Slices are sized to hold about this many rows in memory (a row is about
// 600 bytes, so some 30 MB), and a slice is abandoned and cut smaller when
// its rows would pass the maximum.
inline constexpr std::size_t kTargetSliceRows = 50'000;
inline constexpr std::size_t kMaxSliceRows = 150'000;
inline constexpr Ticks kMinSliceLength = std::chrono::minutes{1};

// The slice length to try after a slice of `length` held `rows` rows.
Ticks NextSliceLength(Ticks length, std::size_t rows, const SourceLimits& limits);

// The slice length that contains about kTargetSliceRows at the density seen:
// `rows` rows received within `covered`.
Ticks LengthForDensity(std::size_t rows, Ticks covered);

}  // namespace mt

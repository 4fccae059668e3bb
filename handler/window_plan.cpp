#include "window_plan.hpp"

#include <algorithm>

namespace mt {
namespace {

Instant Ceil(Instant instant) { return std::chrono::ceil<std::chrono::seconds>(instant); }

}  // namespace

RangePlan PlanRange(std::optional<Instant> watermark, std::optional<Instant> configured_start, Instant now,
                    const SourceLimits& limits) {
  RangePlan plan;
  plan.end = FloorToSecond(now - kEndDelay);

  Instant wanted;
  if (watermark) {
    wanted = FloorToSecond(*watermark);
    plan.after = *watermark;
    plan.origin = "watermark";
  } else if (configured_start) {
    wanted = FloorToSecond(*configured_start);
    plan.origin = "MESSAGE_TRACE_START";
  } else {
    wanted = FloorToSecond(now - kDefaultFirstRunLookBack);
    plan.origin = "default look-back";
  }

  const Instant oldest = Ceil(now - limits.max_look_back + kLookBackMargin);
  plan.start = wanted;
  if (wanted < oldest) {
    plan.start = oldest;
    plan.lost_from = wanted;
  }
  plan.start = std::min(plan.start, plan.end);
  return plan;
}

Ticks LengthForDensity(std::size_t rows, Ticks covered) {
  if (rows == 0) return covered * 2;
  const double per_row = double(std::max<Ticks>(covered, std::chrono::seconds{1}).count()) / double(rows);
  return Ticks{static_cast<std::int64_t>(per_row * double(kTargetSliceRows))};
}

Ticks NextSliceLength(Ticks length, std::size_t rows, const SourceLimits& limits) {
  Ticks next = length;
  if (rows < kTargetSliceRows / 4) {
    next = length * 2;
  } else if (rows > kTargetSliceRows) {
    next = LengthForDensity(rows, length);
  }
  return std::clamp<Ticks>(std::chrono::floor<std::chrono::seconds>(next), kMinSliceLength, limits.max_window);
}

}  // namespace mt

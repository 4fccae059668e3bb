// The body the Functions host posts for a timer invocation, read leniently:
// nothing in it may fail a run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "time_util.hpp"

namespace mt {

struct TimerInvocation {
  bool parsed = false;   // false when the body was not a JSON object
  bool is_past_due = false;
  std::optional<Instant> last;  // ScheduleStatus.Last; empty for null or year 0001
  std::optional<Instant> next;
  std::optional<Instant> utc_now;  // Metadata.sys.UtcNow
  std::optional<int> retry_count;  // Metadata.RetryContext.RetryCount
  std::string binding;             // the single key of Data, e.g. "timer"
};

TimerInvocation ParseTimerInvocation(std::string_view body);

// One line for the log, e.g. "timer: scheduled, past due, last 2026-...".
std::string DescribeTimerInvocation(const TimerInvocation& invocation);

}  // namespace mt

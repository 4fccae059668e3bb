#include "timer_payload.hpp"

#include <boost/json.hpp>

namespace mt {
namespace {

namespace json = boost::json;

const json::value* Find(const json::value* node, std::string_view key) {
  if (!node || !node->is_object()) return nullptr;
  return node->as_object().if_contains(key);
}

std::optional<Instant> ReadDate(const json::value* node) {
  if (!node || !node->is_string()) return std::nullopt;
  const auto instant = ParseIso8601(std::string(node->as_string()));
  if (!instant || IsDotNetMinValue(*instant)) return std::nullopt;
  return instant;
}

}  // namespace

TimerInvocation ParseTimerInvocation(std::string_view body) {
  TimerInvocation invocation;
  json::error_code error;
  const json::value root = json::parse(body, error);
  if (error || !root.is_object()) return invocation;
  invocation.parsed = true;

  // Data contains one entry named after the binding; take whichever it is.
  if (const json::value* data = Find(&root, "Data"); data && data->is_object() && !data->as_object().empty()) {
    const auto& entry = *data->as_object().begin();
    // The name is echoed in logs: keep it short and on one line.
    for (unsigned char c : std::string_view(entry.key()).substr(0, 64)) {
      invocation.binding += c < 0x20 || c == 0x7F ? '?' : char(c);
    }
    const json::value* timer = &entry.value();
    if (const json::value* past_due = Find(timer, "IsPastDue"); past_due && past_due->is_bool()) {
      invocation.is_past_due = past_due->as_bool();
    }
    const json::value* status = Find(timer, "ScheduleStatus");
    invocation.last = ReadDate(Find(status, "Last"));
    invocation.next = ReadDate(Find(status, "Next"));
  }

  const json::value* metadata = Find(&root, "Metadata");
  invocation.utc_now = ReadDate(Find(Find(metadata, "sys"), "UtcNow"));
  if (const json::value* count = Find(Find(metadata, "RetryContext"), "RetryCount"); count && count->is_int64()) {
    invocation.retry_count = static_cast<int>(count->as_int64());
  }
  return invocation;
}

std::string DescribeTimerInvocation(const TimerInvocation& invocation) {
  if (!invocation.parsed) return "timer: the invocation body is not a JSON object; running anyway";
  std::string text = "timer";
  if (!invocation.binding.empty()) text += " '" + invocation.binding + "'";
  text += invocation.is_past_due ? ": past due" : ": on time";
  text += ", last run " + (invocation.last ? FormatIsoPrecise(*invocation.last) : std::string("never"));
  if (invocation.next) text += ", occurrence " + FormatIsoPrecise(*invocation.next);
  if (invocation.retry_count) text += ", retry " + std::to_string(*invocation.retry_count);
  return text;
}

}  // namespace mt

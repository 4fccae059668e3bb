#include "settling.hpp"

#include <algorithm>
#include <sstream>

#include "settings.hpp"

namespace mt {

SettlingPolicy DefaultSettlingPolicy() {
  using namespace std::chrono;
  return {hours{24}, {minutes{15}, hours{1}, hours{4}, hours{24}}};
}

std::optional<SettlingPolicy> ParseSettlingPolicy(const std::string& schedule, Ticks horizon, std::string& error) {
  SettlingPolicy policy{horizon, {}};
  std::stringstream stream(schedule);
  std::string item;
  while (std::getline(stream, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    const auto age = ParseTimeSpan(item);
    if (!age || *age <= Ticks{0}) {
      error = "'" + item + "' is not a duration like 00:15:00 or 1.00:00:00";
      return std::nullopt;
    }
    if (!policy.ages.empty() && *age <= policy.ages.back()) {
      error = "the ages must increase, but " + item + " follows a longer one";
      return std::nullopt;
    }
    if (*age > horizon) {
      error = "the age " + item + " is beyond the settling horizon";
      return std::nullopt;
    }
    policy.ages.push_back(*age);
  }
  if (policy.ages.empty() || policy.ages.back() < horizon) policy.ages.push_back(horizon);
  return policy;
}

std::vector<ReadTask> DueReads(const std::vector<Segment>& segments, Instant now, const SettlingPolicy& policy) {
  std::vector<ReadTask> tasks;
  for (const Segment& segment : segments) {
    if (segment.reads < 1 || segment.reads > int(policy.ages.size())) continue;
    if (now < segment.end + policy.ages[segment.reads - 1]) continue;
    const bool final = segment.reads == int(policy.ages.size());
    if (!tasks.empty() && tasks.back().end == segment.start && tasks.back().ordinal == segment.reads) {
      tasks.back().end = segment.end;
      continue;
    }
    tasks.push_back({segment.start, segment.end, segment.reads, final});
  }
  return tasks;
}

void MarkRead(std::vector<Segment>& segments, Instant start, Instant end, int ordinal, const SettlingPolicy& policy) {
  if (start >= end) return;
  std::vector<Segment> result;
  if (ordinal == 0) {
    result = segments;
    result.push_back({start, end, 1});
  } else {
    for (const Segment& segment : segments) {
      if (segment.end <= start || segment.start >= end || segment.reads != ordinal) {
        result.push_back(segment);
        continue;
      }
      if (segment.start < start) result.push_back({segment.start, start, segment.reads});
      result.push_back({std::max(segment.start, start), std::min(segment.end, end), segment.reads + 1});
      if (segment.end > end) result.push_back({end, segment.end, segment.reads});
    }
  }

  // Neighbours are not merged: a merged segment would take the later end,
  // and a segment that grows every run would never become old enough for
  // its next read. DueReads joins contiguous due segments instead.
  std::sort(result.begin(), result.end(), [](const Segment& a, const Segment& b) { return a.start < b.start; });
  segments.clear();
  for (const Segment& segment : result) {
    if (segment.reads <= int(policy.ages.size())) segments.push_back(segment);  // else settled
  }
}

}  // namespace mt

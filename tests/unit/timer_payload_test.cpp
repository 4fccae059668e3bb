#include <gtest/gtest.h>

#include "http_fake.hpp"
#include "timer_payload.hpp"

namespace mt {
namespace {

using testing::ReadCase;

TEST(TimerPayload, FirstRunHasNoLastRun) {
  const TimerInvocation timer = ParseTimerInvocation(ReadCase("timer-first-run.json"));
  EXPECT_TRUE(timer.parsed);
  EXPECT_EQ(timer.binding, "myTimer");
  EXPECT_FALSE(timer.last);  // year 0001 means never
  ASSERT_TRUE(timer.next);
  EXPECT_EQ(FormatIsoSeconds(*timer.next), "2026-11-21T09:15:00Z");
  ASSERT_TRUE(timer.utc_now);
  EXPECT_EQ(FormatIsoPrecise(*timer.utc_now), "2026-11-21T09:15:00.0096035Z");
  EXPECT_FALSE(timer.is_past_due);
}

TEST(TimerPayload, LocalOffsetAndPastDue) {
  const TimerInvocation timer = ParseTimerInvocation(ReadCase("timer-local-offset-past-due.json"));
  EXPECT_TRUE(timer.is_past_due);
  ASSERT_TRUE(timer.last);
  EXPECT_EQ(FormatIsoPrecise(*timer.last), "2026-11-21T09:00:00.0096035Z");
  ASSERT_TRUE(timer.next);
  EXPECT_EQ(FormatIsoSeconds(*timer.next), "2026-11-21T09:15:00Z");
  ASSERT_TRUE(timer.utc_now);
  EXPECT_EQ(FormatIsoPrecise(*timer.utc_now), "2026-11-21T09:47:12.1Z");
}

TEST(TimerPayload, NullScheduleStatus) {
  const TimerInvocation timer = ParseTimerInvocation(ReadCase("timer-null-status.json"));
  EXPECT_TRUE(timer.parsed);
  EXPECT_FALSE(timer.last);
  EXPECT_FALSE(timer.next);
  ASSERT_TRUE(timer.utc_now);
  EXPECT_EQ(FormatIsoPrecise(*timer.utc_now), "2026-11-21T09:15:00.0213344Z");
}

TEST(TimerPayload, UnreadableDatesAndBodiesNeverThrow) {
  const TimerInvocation odd = ParseTimerInvocation(
      R"({"Data":{"timer":{"ScheduleStatus":{"Last":"yesterday","Next":42},"IsPastDue":"yes"}},"Metadata":null})");
  EXPECT_TRUE(odd.parsed);
  EXPECT_FALSE(odd.last);
  EXPECT_FALSE(odd.next);
  EXPECT_FALSE(odd.is_past_due);

  EXPECT_FALSE(ParseTimerInvocation("").parsed);
  EXPECT_FALSE(ParseTimerInvocation("{\"input\":").parsed);
  EXPECT_TRUE(ParseTimerInvocation("{}").parsed);
}

TEST(TimerPayload, RetryContextCount) {
  const TimerInvocation timer =
      ParseTimerInvocation(R"({"Data":{"timer":{}},"Metadata":{"RetryContext":{"RetryCount":1,"MaxRetryCount":2}}})");
  ASSERT_TRUE(timer.retry_count);
  EXPECT_EQ(*timer.retry_count, 1);
  EXPECT_NE(DescribeTimerInvocation(timer).find("retry 1"), std::string::npos);
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

TEST(TimerPayload, BindingNameIsShortAndOnOneLine) {
  const TimerInvocation timer = ParseTimerInvocation("{\"Data\":{\"" + std::string("evil\\ninfo: forged line") +
                                                     std::string(1000, 'x') + "\":{}}}");
  EXPECT_EQ(timer.binding.size(), 64u);
  EXPECT_EQ(timer.binding.find('\n'), std::string::npos);
  EXPECT_TRUE(timer.binding.starts_with("evil?info: forged line"));
}

}  // namespace
}  // namespace mt

#include <gtest/gtest.h>

#include "graph_source.hpp"
#include "window_plan.hpp"

namespace mt {
namespace {

const SourceLimits kGraph{kGraphMaxLookBack, kGraphMaxWindow};
const Instant kNow = *ParseIso8601("2026-12-04T12:00:30.5Z");

TEST(PlanRange, FirstRunUsesTheDefaultLookBack) {
  const RangePlan plan = PlanRange(std::nullopt, std::nullopt, kNow, kGraph);
  EXPECT_EQ(FormatIsoPrecise(plan.start), "2026-12-03T12:00:30Z");
  EXPECT_EQ(FormatIsoPrecise(plan.end), "2026-12-04T11:59:30Z");
  EXPECT_EQ(plan.origin, "default look-back");
  EXPECT_FALSE(plan.after);
  EXPECT_FALSE(plan.lost_from);
}

TEST(PlanRange, ConfiguredStartWithinReach) {
  const RangePlan plan = PlanRange(std::nullopt, ParseIso8601("2026-11-01T00:00:00Z"), kNow, kGraph);
  EXPECT_EQ(FormatIsoSeconds(plan.start), "2026-11-01T00:00:00Z");
  EXPECT_FALSE(plan.lost_from);
}

TEST(PlanRange, StartOlderThanNinetyDaysIsClampedAndReported) {
  const RangePlan plan = PlanRange(std::nullopt, ParseIso8601("2026-01-01T00:00:00Z"), kNow, kGraph);
  // 90 days before now, plus the one-hour margin, rounded up to a second.
  EXPECT_EQ(FormatIsoSeconds(plan.start), "2026-09-05T13:00:31Z");
  ASSERT_TRUE(plan.lost_from);
  EXPECT_EQ(FormatIsoSeconds(*plan.lost_from), "2026-01-01T00:00:00Z");
  EXPECT_GE(plan.start, kNow - kGraphMaxLookBack);
}

TEST(PlanRange, WatermarkWinsAndMarksRowsAlreadyIngested) {
  const auto watermark = ParseIso8601("2026-12-04T10:15:42.2652371Z");
  const RangePlan plan = PlanRange(watermark, ParseIso8601("2026-11-01T00:00:00Z"), kNow, kGraph);
  EXPECT_EQ(FormatIsoPrecise(plan.start), "2026-12-04T10:15:42Z");
  ASSERT_TRUE(plan.after);
  EXPECT_EQ(*plan.after, *watermark);
  EXPECT_EQ(plan.origin, "watermark");
}

TEST(PlanRange, StartInTheFutureGivesAnEmptyRange) {
  const RangePlan plan = PlanRange(std::nullopt, ParseIso8601("2027-01-01T00:00:00Z"), kNow, kGraph);
  EXPECT_EQ(plan.start, plan.end);
}

TEST(NextSliceLength, NeverPassesTheTenDayWindow) {
  EXPECT_EQ(NextSliceLength(std::chrono::days{8}, 10, kGraph), kGraphMaxWindow);
  EXPECT_EQ(NextSliceLength(std::chrono::days{10}, 0, kGraph), kGraphMaxWindow);
}

TEST(NextSliceLength, ShrinksForDenseSlicesAndGrowsForSparseOnes) {
  // 100,000 rows in an hour: a slice of half an hour holds the target.
  EXPECT_EQ(NextSliceLength(std::chrono::hours{1}, 100'000, kGraph), std::chrono::minutes{30});
  EXPECT_EQ(NextSliceLength(std::chrono::hours{1}, 1000, kGraph), std::chrono::hours{2});
  EXPECT_EQ(NextSliceLength(std::chrono::hours{1}, 30'000, kGraph), std::chrono::hours{1});
  EXPECT_EQ(NextSliceLength(std::chrono::minutes{1}, 10'000'000, kGraph), kMinSliceLength);
}

}  // namespace
}  // namespace mt

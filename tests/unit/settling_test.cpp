#include <gtest/gtest.h>

#include "settling.hpp"

namespace mt {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Instant kT0 = *ParseIso8601("2026-12-04T00:00:00Z");

TEST(SettlingPolicy, DefaultReReadsAtGrowingAges) {
  const SettlingPolicy policy = DefaultSettlingPolicy();
  EXPECT_EQ(policy.horizon, Ticks{hours{24}});
  ASSERT_EQ(policy.ages.size(), 4u);
  EXPECT_EQ(policy.ages[0], Ticks{minutes{15}});
  EXPECT_EQ(policy.ages[3], Ticks{hours{24}});
}

TEST(SettlingPolicy, ParsesAndAppendsTheHorizon) {
  std::string error;
  const auto policy = ParseSettlingPolicy("00:30:00, 02:00:00", hours{12}, error);
  ASSERT_TRUE(policy) << error;
  ASSERT_EQ(policy->ages.size(), 3u);
  EXPECT_EQ(policy->ages[2], Ticks{hours{12}});
}

TEST(SettlingPolicy, RejectsUnorderedOrTooLongAges) {
  std::string error;
  EXPECT_FALSE(ParseSettlingPolicy("01:00:00,00:30:00", hours{24}, error));
  EXPECT_NE(error.find("increase"), std::string::npos);
  EXPECT_FALSE(ParseSettlingPolicy("2.00:00:00", hours{24}, error));
  EXPECT_FALSE(ParseSettlingPolicy("soon", hours{24}, error));
}

TEST(MarkRead, FirstReadAddsASegment) {
  std::vector<Segment> segments;
  MarkRead(segments, kT0, kT0 + minutes{15}, 0, DefaultSettlingPolicy());
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0], (Segment{kT0, kT0 + minutes{15}, 1}));
}

TEST(MarkRead, AdjacentSegmentsKeepTheirOwnAges) {
  // Merged, the older segment would wait for the newer one's end.
  std::vector<Segment> segments;
  MarkRead(segments, kT0, kT0 + minutes{15}, 0, DefaultSettlingPolicy());
  MarkRead(segments, kT0 + minutes{15}, kT0 + minutes{30}, 0, DefaultSettlingPolicy());
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], (Segment{kT0, kT0 + minutes{15}, 1}));
  const auto due = DueReads(segments, kT0 + minutes{30}, DefaultSettlingPolicy());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].end, kT0 + minutes{15});
}

TEST(MarkRead, PartialReReadSplitsTheSegment) {
  std::vector<Segment> segments = {{kT0, kT0 + hours{1}, 1}};
  MarkRead(segments, kT0, kT0 + minutes{20}, 1, DefaultSettlingPolicy());
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], (Segment{kT0, kT0 + minutes{20}, 2}));
  EXPECT_EQ(segments[1], (Segment{kT0 + minutes{20}, kT0 + hours{1}, 1}));
}

TEST(MarkRead, FinalReadDropsTheSegment) {
  const SettlingPolicy policy = DefaultSettlingPolicy();
  std::vector<Segment> segments = {{kT0, kT0 + hours{1}, 4}};
  MarkRead(segments, kT0, kT0 + hours{1}, 4, policy);
  EXPECT_TRUE(segments.empty());
}

TEST(DueReads, EachSegmentAtItsAge) {
  const SettlingPolicy policy = DefaultSettlingPolicy();
  const std::vector<Segment> segments = {
      {kT0, kT0 + minutes{15}, 4},                          // due at end + 24 h
      {kT0 + minutes{15}, kT0 + minutes{30}, 3},            // due at end + 4 h
      {kT0 + hours{20}, kT0 + hours{20} + minutes{15}, 1},  // due at end + 15 min
  };
  EXPECT_TRUE(DueReads(segments, kT0 + hours{4}, policy).empty());

  auto due = DueReads(segments, kT0 + hours{4} + minutes{30}, policy);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].ordinal, 3);
  EXPECT_FALSE(due[0].final);

  due = DueReads(segments, kT0 + hours{24} + minutes{30}, policy);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_TRUE(due[0].final);
  EXPECT_EQ(due[0].start, kT0);
  EXPECT_EQ(due[2].ordinal, 1);
}

TEST(DueReads, ContiguousSegmentsWithEqualCountsAreOneRead) {
  const std::vector<Segment> segments = {{kT0, kT0 + minutes{15}, 2}, {kT0 + minutes{15}, kT0 + minutes{30}, 2}};
  const auto due = DueReads(segments, kT0 + hours{2}, DefaultSettlingPolicy());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].start, kT0);
  EXPECT_EQ(due[0].end, kT0 + minutes{30});
}

}  // namespace
}  // namespace mt

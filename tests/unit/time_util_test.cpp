#include <gtest/gtest.h>

#include "time_util.hpp"

namespace mt {
namespace {

Instant At(const char* text) { return *ParseIso8601(text); }

TEST(ParseIso8601, WholeSecondsWithZ) {
  const auto instant = ParseIso8601("2026-11-21T14:12:34Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(FormatIsoPrecise(*instant), "2026-11-21T14:12:34Z");
}

TEST(ParseIso8601, SevenFractionalDigitsWithoutZoneIsUtc) {
  const auto instant = ParseIso8601("2026-11-29T05:35:08.2652371");
  ASSERT_TRUE(instant);
  EXPECT_EQ(FormatIsoPrecise(*instant), "2026-11-29T05:35:08.2652371Z");
}

TEST(ParseIso8601, FractionDigitCountsZeroToSeven) {
  EXPECT_EQ(FormatIsoPrecise(At("2026-01-01T00:00:00.1Z")), "2026-01-01T00:00:00.1Z");
  EXPECT_EQ(FormatIsoPrecise(At("2026-01-01T00:00:00.123Z")), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatIsoPrecise(At("2026-01-01T00:00:00.1234567Z")), "2026-01-01T00:00:00.1234567Z");
  // Digits past the seventh are below the tick and are dropped.
  EXPECT_EQ(FormatIsoPrecise(At("2026-01-01T00:00:00.123456789Z")), "2026-01-01T00:00:00.1234567Z");
}

TEST(ParseIso8601, OffsetIsAppliedToUtc) {
  EXPECT_EQ(FormatIsoPrecise(At("2026-11-21T11:00:00.0096035+02:00")), "2026-11-21T09:00:00.0096035Z");
  EXPECT_EQ(FormatIsoSeconds(At("2026-11-21T04:30:00-0530")), "2026-11-21T10:00:00Z");
}

TEST(ParseIso8601, RejectsMalformedText) {
  EXPECT_FALSE(ParseIso8601(""));
  EXPECT_FALSE(ParseIso8601("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-01-01 00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2026-01-01T00:00:00.Z"));
  EXPECT_FALSE(ParseIso8601("2026-01-01T00:00:00+2"));
  EXPECT_FALSE(ParseIso8601("/Date(1661344992170)/"));
}

TEST(ParseIso8601, YearOneIsDotNetMinValue) {
  const auto instant = ParseIso8601("0001-01-01T00:00:00+00:00");
  ASSERT_TRUE(instant);
  EXPECT_TRUE(IsDotNetMinValue(*instant));
  EXPECT_FALSE(IsDotNetMinValue(At("2026-01-01T00:00:00Z")));
}

TEST(ParseODataDate, MillisecondsSinceEpoch) {
  const auto instant = ParseODataDate("/Date(1661344992170)/");
  ASSERT_TRUE(instant);
  EXPECT_EQ(FormatIsoPrecise(*instant), "2022-08-24T12:43:12.17Z");
}

TEST(ParseODataDate, OffsetSuffixDoesNotShiftTheInstant) {
  EXPECT_EQ(ParseODataDate("/Date(1661344992170+0200)/"), ParseODataDate("/Date(1661344992170)/"));
  EXPECT_FALSE(ParseODataDate("/Date()/"));
  EXPECT_FALSE(ParseODataDate("/Date(12ab)/"));
  EXPECT_FALSE(ParseODataDate("Date(1)"));
}

TEST(FormatRfc1123, EnglishNamesAndGmt) {
  EXPECT_EQ(FormatRfc1123(At("2016-04-04T08:00:00Z")), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(FormatRfc1123(At("2026-12-06T23:59:59.9Z")), "Sun, 06 Dec 2026 23:59:59 GMT");
}

TEST(ParseRfc1123, RoundTrip) {
  const auto instant = ParseRfc1123("Mon, 04 Apr 2016 08:00:00 GMT");
  ASSERT_TRUE(instant);
  EXPECT_EQ(FormatIsoSeconds(*instant), "2016-04-04T08:00:00Z");
  EXPECT_FALSE(ParseRfc1123("Mon, 04 Foo 2016 08:00:00 GMT"));
}

TEST(FormatDuration, CompactUnits) {
  EXPECT_EQ(FormatDuration(std::chrono::seconds{42}), "42s");
  EXPECT_EQ(FormatDuration(std::chrono::minutes{15}), "15m");
  EXPECT_EQ(FormatDuration(std::chrono::hours{51}), "2d3h");
  EXPECT_EQ(FormatDuration(Ticks{0}), "0s");
}

}  // namespace
}  // namespace mt

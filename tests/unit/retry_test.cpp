#include <gtest/gtest.h>

#include "errors.hpp"
#include "http_fake.hpp"
#include "retry.hpp"

namespace mt {
namespace {

using testing::ManualClock;
using testing::Reply;
using testing::ScriptedTransport;
using testing::TransportFailure;

const Instant kStart = *ParseIso8601("2026-12-04T12:00:00Z");

HttpRequest AnyRequest(int) {
  HttpRequest request;
  request.url = *Url::Parse("https://127.0.0.1:8443/x");
  return request;
}

RetryPolicy NoJitter() {
  RetryPolicy policy;
  policy.jitter = false;
  return policy;
}

TEST(RetryAfter, SecondsMillisecondsAndHttpDate) {
  HttpResponse response;
  response.headers["retry-after"] = "7";
  EXPECT_EQ(RetryAfter(response, kStart), Ticks{std::chrono::seconds{7}});

  response.headers["retry-after-ms"] = "1500";
  EXPECT_EQ(RetryAfter(response, kStart), Ticks{std::chrono::milliseconds{1500}});

  HttpResponse dated;
  dated.headers["retry-after"] = "Fri, 04 Dec 2026 12:00:42 GMT";
  EXPECT_EQ(RetryAfter(dated, kStart), Ticks{std::chrono::seconds{42}});

  HttpResponse garbage;
  garbage.headers["retry-after"] = "soon";
  EXPECT_FALSE(RetryAfter(garbage, kStart));
}

TEST(ClassifyTransient, StatusTable) {
  EXPECT_EQ(ClassifyTransient(Reply(204, "")).verdict, Verdict::kSuccess);
  for (int status : {408, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(ClassifyTransient(Reply(status, "")).verdict, Verdict::kRetry) << status;
  }
  for (int status : {400, 401, 403, 404, 413, 501}) {
    EXPECT_EQ(ClassifyTransient(Reply(status, "")).verdict, Verdict::kFail) << status;
  }
  EXPECT_EQ(ClassifyTransient(TransportFailure("reset")).verdict, Verdict::kRetry);
  HttpOutcome untrusted = TransportFailure("certificate");
  untrusted.certificate_rejected = true;
  EXPECT_EQ(ClassifyTransient(untrusted).verdict, Verdict::kFail);
}

TEST(SendWithRetry, WaitsExactlyWhatRetryAfterAsks) {
  ScriptedTransport transport;
  transport.Push(Reply(429, "{}", {{"retry-after", "12"}}));
  transport.Push(Reply(503, "{}", {{"retry-after", "3"}}));
  transport.Push(Reply(204, ""));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::minutes{10}};

  const HttpOutcome outcome = SendWithRetry(transport, AnyRequest, ClassifyTransient, NoJitter(), context, "test");
  ASSERT_TRUE(outcome.response);
  EXPECT_EQ(outcome.response->status, 204);
  EXPECT_EQ(transport.requests.size(), 3u);
  ASSERT_EQ(clock.sleeps.size(), 2u);
  EXPECT_EQ(clock.sleeps[0], Ticks{std::chrono::seconds{12}});
  EXPECT_EQ(clock.sleeps[1], Ticks{std::chrono::seconds{3}});
}

TEST(SendWithRetry, BackoffWithoutRetryAfterDoubles) {
  ScriptedTransport transport;
  transport.Push(TransportFailure("reset"));
  transport.Push(Reply(500, ""));
  transport.Push(Reply(502, ""));
  transport.Push(Reply(200, "ok"));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::minutes{10}};

  SendWithRetry(transport, AnyRequest, ClassifyTransient, NoJitter(), context, "test");
  ASSERT_EQ(clock.sleeps.size(), 3u);
  EXPECT_EQ(clock.sleeps[0], Ticks{std::chrono::seconds{1}});
  EXPECT_EQ(clock.sleeps[1], Ticks{std::chrono::seconds{2}});
  EXPECT_EQ(clock.sleeps[2], Ticks{std::chrono::seconds{4}});
}

TEST(SendWithRetry, NonRetryableStatusReturnsAtOnce) {
  ScriptedTransport transport;
  transport.Push(Reply(403, "denied"));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::minutes{10}};
  const HttpOutcome outcome = SendWithRetry(transport, AnyRequest, ClassifyTransient, NoJitter(), context, "test");
  EXPECT_EQ(outcome.response->status, 403);
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(SendWithRetry, GivesUpAfterMaxAttempts) {
  ScriptedTransport transport;
  for (int i = 0; i < 10; ++i) transport.Push(Reply(503, ""));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::hours{1}};
  RetryPolicy policy = NoJitter();
  policy.max_attempts = 3;
  const HttpOutcome outcome = SendWithRetry(transport, AnyRequest, ClassifyTransient, policy, context, "test");
  EXPECT_EQ(outcome.response->status, 503);
  EXPECT_EQ(transport.requests.size(), 3u);
}

TEST(SendWithRetry, RetryAfterPastTheDeadlineEndsTheRun) {
  ScriptedTransport transport;
  transport.Push(Reply(429, "{}", {{"retry-after", "240"}}));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::minutes{2}};
  EXPECT_THROW(SendWithRetry(transport, AnyRequest, ClassifyTransient, NoJitter(), context, "test"), BudgetExhausted);
  EXPECT_TRUE(clock.sleeps.empty());
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(SendWithRetry, RetryAfterPastThePolicyEndsTheRun) {
  ScriptedTransport transport;
  transport.Push(Reply(429, "{}", {{"retry-after", "3600"}}));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::hours{5}};
  EXPECT_THROW(SendWithRetry(transport, AnyRequest, ClassifyTransient, NoJitter(), context, "test"), BudgetExhausted);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(RetryAfter, HugeValuesAreCappedAtADay) {
  HttpResponse response;
  response.headers["retry-after"] = "999999999999";
  EXPECT_EQ(RetryAfter(response, kStart), Ticks{std::chrono::hours{24}});
  HttpResponse millis;
  millis.headers["retry-after-ms"] = "999999999999";
  EXPECT_EQ(RetryAfter(millis, kStart), Ticks{std::chrono::hours{24}});
  HttpResponse negative;
  negative.headers["retry-after"] = "-5";
  EXPECT_FALSE(RetryAfter(negative, kStart));
}

TEST(SendWithRetry, BuildsAFreshRequestForEveryAttempt) {
  ScriptedTransport transport;
  transport.Push(Reply(500, ""));
  transport.Push(Reply(200, ""));
  ManualClock clock(kStart);
  RunLog log("", false);
  RetryContext context{clock, log, kStart + std::chrono::minutes{10}};
  std::vector<int> attempts;
  auto build = [&](int attempt) {
    attempts.push_back(attempt);
    return AnyRequest(attempt);
  };
  SendWithRetry(transport, build, ClassifyTransient, NoJitter(), context, "test");
  EXPECT_EQ(attempts, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace mt

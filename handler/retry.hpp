// Retry policy shared by every outbound call: which outcomes are worth
// another attempt, how long to wait, and when the run's time budget ends
// the run.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "clock.hpp"
#include "http_client.hpp"
#include "run_log.hpp"

namespace mt {

struct RetryPolicy {
  int max_attempts = 5;  // including the first attempt
  Ticks initial_backoff = std::chrono::seconds{1};
  Ticks max_backoff = std::chrono::seconds{30};
  double multiplier = 2.0;
  bool jitter = true;  // off in tests that assert exact delays
  // A Retry-After longer than this is not waited for; the call gives up.
  Ticks max_retry_after = std::chrono::minutes{5};
};

enum class Verdict { kSuccess, kRetry, kFail };

struct Classification {
  Verdict verdict;
  std::string reason;  // for the log line: "429 throttled", "503", "timed out"
};

using Classifier = std::function<Classification(const HttpOutcome&)>;

// The usual table for Azure data-plane APIs: 2xx success; 408, 429, 500,
// 502, 503, 504 and transport failures retried; other statuses fail.
Classification ClassifyTransient(const HttpOutcome& outcome);

// ClassifyTransient for requests that must not be repeated blindly: a
// transport failure after the request was written fails at once, because
// the server may have processed it.
Classification ClassifyDelivery(const HttpOutcome& outcome);

// Reads the delay a throttled reply requests: `retry-after-ms`,
// `x-ms-retry-after-ms`, then `Retry-After` as seconds or an HTTP-date.
std::optional<Ticks> RetryAfter(const HttpResponse& response, Instant now);

// Delay before attempt `attempt` (2 for the first retry) without a
// Retry-After: exponential, capped, with full jitter when enabled.
Ticks Backoff(const RetryPolicy& policy, int attempt);

struct RetryContext {
  Clock& clock;
  RunLog& log;
  Instant deadline;  // no wait may end past this instant
  // Called before every attempt and every 15 seconds of a wait, so that the
  // run's lease is renewed however long a call takes. May be empty.
  std::function<void()> heartbeat = {};
};

// Sleeps for `duration` in steps, calling the context's heartbeat between
// them.
void SleepWithHeartbeat(RetryContext& context, Ticks duration);

// Sends `build(attempt)` until the classifier returns success or fail, the
// attempts run out, or a wait would pass the deadline (BudgetExhausted).
// `build` is called for every attempt so that dates and signatures are
// fresh. Returns the last outcome.
HttpOutcome SendWithRetry(HttpTransport& transport, const std::function<HttpRequest(int attempt)>& build,
                          const Classifier& classify, const RetryPolicy& policy, RetryContext& context,
                          const std::string& what);

}  // namespace mt

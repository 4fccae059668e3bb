#include "retry.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "errors.hpp"

namespace mt {
namespace {

// Longer waits are read as this long: they end the run either way, and
// larger numbers would overflow the tick count.
constexpr long long kMaxRetryAfterSeconds = 86'400;

std::optional<long long> ParseNonNegative(const std::string& text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

Classification ClassifyTransient(const HttpOutcome& outcome) {
  if (!outcome.response) {
    if (outcome.certificate_rejected) return {Verdict::kFail, outcome.transport_error};
    return {Verdict::kRetry, outcome.transport_error};
  }
  const int status = outcome.response->status;
  if (status >= 200 && status < 300) return {Verdict::kSuccess, std::to_string(status)};
  switch (status) {
    case 408: return {Verdict::kRetry, "408 request timeout"};
    case 429: return {Verdict::kRetry, "429 throttled"};
    case 500: return {Verdict::kRetry, "500 internal server error"};
    case 502: return {Verdict::kRetry, "502 bad gateway"};
    case 503: return {Verdict::kRetry, "503 service unavailable"};
    case 504: return {Verdict::kRetry, "504 gateway timeout"};
    default: return {Verdict::kFail, std::to_string(status)};
  }
}

Classification ClassifyDelivery(const HttpOutcome& outcome) {
  if (!outcome.response && outcome.maybe_processed) return {Verdict::kFail, outcome.transport_error};
  return ClassifyTransient(outcome);
}

std::optional<Ticks> RetryAfter(const HttpResponse& response, Instant now) {
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    if (auto millis = ParseNonNegative(Trim(response.Header(name)))) {
      return std::chrono::milliseconds{std::min(*millis, kMaxRetryAfterSeconds * 1000)};
    }
  }
  const std::string value = Trim(response.Header("retry-after"));
  if (value.empty()) return std::nullopt;
  if (auto seconds = ParseNonNegative(value)) return std::chrono::seconds{std::min(*seconds, kMaxRetryAfterSeconds)};
  if (auto date = ParseRfc1123(value)) {
    return std::clamp<Ticks>(*date - now, Ticks{0}, std::chrono::seconds{kMaxRetryAfterSeconds});
  }
  return std::nullopt;
}

Ticks Backoff(const RetryPolicy& policy, int attempt) {
  const double factor = std::pow(policy.multiplier, std::max(0, attempt - 2));
  const double capped = std::min<double>(double(policy.initial_backoff.count()) * factor,
                                         double(policy.max_backoff.count()));
  if (!policy.jitter) return Ticks{static_cast<std::int64_t>(capped)};
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> spread(0.5, 1.0);
  return Ticks{static_cast<std::int64_t>(capped * spread(random))};
}

void SleepWithHeartbeat(RetryContext& context, Ticks duration) {
  constexpr Ticks kStep = std::chrono::seconds{15};
  while (duration > Ticks{0}) {
    const Ticks step = std::min(duration, kStep);
    context.clock.SleepFor(step);
    duration -= step;
    if (context.heartbeat) context.heartbeat();
  }
}

HttpOutcome SendWithRetry(HttpTransport& transport, const std::function<HttpRequest(int attempt)>& build,
                          const Classifier& classify, const RetryPolicy& policy, RetryContext& context,
                          const std::string& what) {
  HttpOutcome outcome;
  for (int attempt = 1;; ++attempt) {
    if (context.heartbeat) context.heartbeat();
    outcome = transport.Send(build(attempt));
    const Classification verdict = classify(outcome);
    if (verdict.verdict != Verdict::kRetry) return outcome;
    if (attempt >= policy.max_attempts) {
      context.log.Warning(what + ": " + verdict.reason + "; giving up after " + std::to_string(attempt) +
                          " attempts");
      return outcome;
    }

    Ticks wait = Backoff(policy, attempt + 1);
    if (outcome.response) {
      if (auto asked = RetryAfter(*outcome.response, context.clock.Now())) {
        if (*asked > policy.max_retry_after) {
          // The service is not expected back soon: stop the run cleanly and
          // let a later run try again.
          throw BudgetExhausted(what + ": " + verdict.reason + " asks to wait " + FormatDuration(*asked) +
                                ", longer than the " + FormatDuration(policy.max_retry_after) + " a call may wait");
        }
        wait = *asked;
      }
    }

    if (context.clock.Now() + wait > context.deadline) {
      throw BudgetExhausted(what + ": " + verdict.reason + "; the retry would wait " + FormatDuration(wait) +
                            ", past the end of this run's time budget");
    }
    context.log.Warning(what + ": " + verdict.reason + "; attempt " + std::to_string(attempt + 1) + " of " +
                        std::to_string(policy.max_attempts) + " in " + FormatDuration(wait));
    SleepWithHeartbeat(context, wait);
  }
}

}  // namespace mt

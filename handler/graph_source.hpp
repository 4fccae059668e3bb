// Microsoft Graph v1.0 message trace:
// GET /v1.0/admin/exchange/tracing/messageTraces with both receivedDateTime
// bounds, $top=5000, every @odata.nextLink followed.
#pragma once

#include "errors.hpp"
#include "http_client.hpp"
#include "identity.hpp"
#include "trace_source.hpp"

namespace mt {

// Documented limits of messageTraces (Graph v1.0): a query spans at most
// 10 days, starts at most 90 days back and pages hold 1 to 5000 rows.
inline constexpr Ticks kGraphMaxWindow = std::chrono::days{10};
inline constexpr Ticks kGraphMaxLookBack = std::chrono::days{90};
inline constexpr int kGraphPageSize = 5000;

// Microsoft's own application behind Graph message trace; a tenant needs a
// service principal for it before any call succeeds.
inline constexpr const char* kTransportDataPlatformAppId = "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373";

class GraphTraceSource : public TraceSource {
 public:
  GraphTraceSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

  SourceLimits Limits() const override { return {kGraphMaxLookBack, kGraphMaxWindow}; }
  std::string Name() const override { return "Microsoft Graph message trace"; }
  void Read(Instant start, Instant end, const PageHandler& on_page, RetryContext& context) override;
  int RequestCount() const override { return requests_; }

  // The first page's URL for a range.
  std::string FirstPageUrl(Instant start, Instant end) const;

 private:
  struct Page {
    std::vector<TraceRow> rows;
    std::string next_link;
  };

  Page FetchPage(const std::string& url, bool is_next_link, RetryContext& context);

  const Settings& settings_;
  HttpTransport& transport_;
  TokenCache& tokens_;
  Url endpoint_;
  int requests_ = 0;
};

// Raised when a next link fails the same way on every retry (a poisoned
// $skiptoken); the caller re-plans the rest of the range by time.
class PoisonedContinuation : public CollectionError {
 public:
  using CollectionError::CollectionError;
};

// Parses a messageTraces page. Raises CollectionError for anything that is
// not one (an HTML page, truncated JSON, no `value` array).
void ParseGraphPage(const HttpResponse& response, std::vector<TraceRow>& rows, std::string& next_link);

// Turns a failed Graph reply into a message that names the fix.
std::string DescribeGraphError(const HttpResponse& response, const std::string& url);

}  // namespace mt

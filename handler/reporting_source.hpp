// Office 365 Reporting Web Service message trace (legacy source):
// GET {endpoint}/ecp/reportingwebservice/reporting.svc/MessageTrace with
// `StartDate eq datetime'…' and EndDate eq datetime'…'`, every next link
// followed on the configured host. Microsoft has deprecated this report and
// may switch it off at any time; new tenants may not have it. National
// clouds, where Graph message trace is not offered, still need it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "http_client.hpp"
#include "identity.hpp"
#include "trace_source.hpp"

namespace mt {

// In practice the service refuses a StartDate more than 10 days back
// ("Invalid StartDate value. The StartDate can't be older than 10 days from
// today."), although its documentation says 30 days; older builds returned
// nothing instead.
inline constexpr Ticks kReportingMaxLookBack = std::chrono::days{10};

// The service documents no limit on one query's range. One day keeps a
// slice's rows in memory bounded even if pages are not newest first, which
// the service does not promise.
inline constexpr Ticks kReportingMaxWindow = std::chrono::days{1};

inline constexpr std::string_view kReportingMessageTracePath = "/ecp/reportingwebservice/reporting.svc/MessageTrace";

// NOTE: the service's documentation ties EndDate to a message's last
// processing step rather than to Received, so a row near the end of a range
// may come back only with a later range. Rows are kept by Received; whether
// such a row can be missed has not been checked against the real service.
class ReportingTraceSource : public TraceSource {
 public:
  ReportingTraceSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

  SourceLimits Limits() const override { return {kReportingMaxLookBack, kReportingMaxWindow}; }
  std::string Name() const override { return "Office 365 Reporting Web Service message trace"; }
  std::string LookBackAdvice() const override;
  void Read(Instant start, Instant end, const PageHandler& on_page, RetryContext& context) override;
  int RequestCount() const override { return requests_; }

  // The first page's URL for a range, with the filter percent-encoded.
  std::string FirstPageUrl(Instant start, Instant end) const;

 private:
  struct Page {
    std::vector<TraceRow> rows;
    std::string next_link;
  };

  Page FetchPage(const Url& url, const std::string& filter, RetryContext& context);

  const Settings& settings_;
  HttpTransport& transport_;
  TokenCache& tokens_;
  Url endpoint_;
  int requests_ = 0;
};

// The $filter text for an inclusive range, in whole seconds and UTC:
// `StartDate eq datetime'2026-04-19T00:00:00Z' and EndDate eq datetime'…'`.
std::string ReportingFilter(Instant start, Instant end);

// Reads one MessageTrace row. `Received` may be ISO 8601 with 0 to 7
// fractional digits and no zone (UTC), or `/Date(<epoch ms>)/`. Every text
// field but MessageTraceId and RecipientAddress may be null. Raises
// CollectionError naming the field when a required one is missing or
// malformed.
TraceRow ParseReportingRow(const boost::json::object& item);

// Parses a MessageTrace page in the JSON light shape (`value`,
// `odata.nextLink`) or the verbose shape (`d.results`, `d.__next`). Raises
// CollectionError for anything that is not such a page, such as an HTML
// sign-in page or a cut-off body served with status 200.
void ParseReportingPage(const HttpResponse& response, std::vector<TraceRow>& rows, std::string& next_link);

// Resolves a next link, absolute or relative (`../../ReportingWebService/…`),
// against the URL of the page that carried it (RFC 3986, section 5.2).
// Returns nothing for a link that is not a URL reference.
std::optional<Url> ResolveNextLink(const Url& page_url, std::string_view link);

// Turns a failed reply into a message that states what to fix. `filter` is
// the $filter text sent, quoted on a 400.
std::string DescribeReportingError(const HttpResponse& response, const std::string& filter);

}  // namespace mt

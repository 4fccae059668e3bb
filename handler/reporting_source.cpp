#include "reporting_source.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <unordered_set>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// The service can take a minute or more to assemble a page of some 2000
// rows for a busy tenant.
constexpr std::chrono::seconds kPageTimeout{180};

// A 200 reply that is not a page (an HTML sign-in page, a cut-off body) is
// asked for again this many times before the run fails.
constexpr int kMalformedPageAttempts = 3;

constexpr const char* kPermissionHelp =
    "the app needs the application permission ReportingWebService.Read.All of Office 365 Exchange Online (under "
    "\"APIs my organization uses\") with admin consent, and its service principal needs an Entra role that can read "
    "reports, such as Global Reader or Security Reader";

bool IsJsonContentType(const std::string& content_type) {
  return content_type.find("application/json") != std::string::npos ||
         content_type.find("text/json") != std::string::npos;
}

std::string ShortJson(const json::object& item) {
  std::string text = json::serialize(item);
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

std::string OptionalString(const json::object& item, std::string_view name) {
  const json::value* value = item.if_contains(name);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->as_string());
  throw CollectionError("the Reporting Web Service row field '" + std::string(name) +
                        "' is not a string: " + json::serialize(*value));
}

std::string RequiredString(const json::object& item, std::string_view name) {
  std::string value = OptionalString(item, name);
  if (value.empty()) {
    throw CollectionError("a Reporting Web Service row has no '" + std::string(name) + "': " + ShortJson(item));
  }
  return value;
}

double ReadSize(const json::object& item, const std::string& trace_id) {
  const json::value* size = item.if_contains("Size");
  if (!size || size->is_null()) return 0;
  if (size->is_int64()) return double(size->as_int64());
  if (size->is_uint64()) return double(size->as_uint64());
  if (size->is_double() && std::isfinite(size->as_double())) return size->as_double();
  // OData verbose JSON may write 64-bit integers as strings.
  if (size->is_string()) {
    const std::string text(size->as_string());
    if (!text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos) {
      return double(std::stoll(text));
    }
  }
  throw CollectionError("a Reporting Web Service row has a Size that is not a number: " + json::serialize(*size) +
                        " (message " + trace_id + ")");
}

// The `message.value` (or `message`) of an OData error body, light
// (`odata.error`) or verbose (`error`), or the shortened body.
std::string ReportingErrorMessage(const std::string& body) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (error || !reply.is_object()) return body.empty() ? std::string("(no body)") : ShortenBody(body);
  const json::value* inner = reply.as_object().if_contains("odata.error");
  if (!inner) inner = reply.as_object().if_contains("error");
  if (!inner || !inner->is_object()) return ShortenBody(body);

  std::string text;
  if (const auto* code = inner->as_object().if_contains("code"); code && code->is_string() && !code->as_string().empty()) {
    text = std::string(code->as_string());
  }
  if (const auto* message = inner->as_object().if_contains("message")) {
    std::string message_text;
    if (message->is_string()) {
      message_text = std::string(message->as_string());
    } else if (message->is_object()) {
      if (const auto* value = message->as_object().if_contains("value"); value && value->is_string()) {
        message_text = std::string(value->as_string());
      }
    }
    if (!message_text.empty()) text += (text.empty() ? "" : ": ") + message_text;
  }
  return text.empty() ? ShortenBody(body) : text;
}

// Percent-encodes a query value completely, so that the transport leaves it
// as it is and the service decodes exactly the filter written here.
std::string EncodeFilter(const std::string& filter) { return PercentEncode(filter); }

// RFC 3986, section 5.2.4.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t pos = 0;
  const bool absolute = !path.empty() && path.front() == '/';
  if (absolute) pos = 1;
  bool trailing_slash = false;
  while (pos <= path.size()) {
    const std::size_t slash = path.find('/', pos);
    const std::string_view segment = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const bool last = slash == std::string_view::npos;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else if (segment == ".") {
      trailing_slash = last;
    } else {
      segments.emplace_back(segment);
      trailing_slash = false;
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  if (trailing_slash && !out.empty() && out.back() != '/') out += '/';
  return out;
}

}  // namespace

std::string ReportingFilter(Instant start, Instant end) {
  return "StartDate eq datetime'" + FormatIsoSeconds(start) + "' and EndDate eq datetime'" + FormatIsoSeconds(end) + "'";
}

TraceRow ParseReportingRow(const json::object& item) {
  TraceRow row;
  row.trace_id = RequiredString(item, "MessageTraceId");
  row.recipient = RequiredString(item, "RecipientAddress");
  row.sender = OptionalString(item, "SenderAddress");

  const std::string received = RequiredString(item, "Received");
  auto instant = received.starts_with("/Date(") ? ParseODataDate(received) : ParseIso8601(received);
  if (!instant) {
    throw CollectionError("a Reporting Web Service row has an unreadable Received '" + received + "' (message " +
                          row.trace_id + ")");
  }
  row.received = *instant;

  row.subject = OptionalString(item, "Subject");
  row.status = NormaliseStatus(OptionalString(item, "Status"));
  row.from_ip = OptionalString(item, "FromIP");
  row.to_ip = OptionalString(item, "ToIP");
  row.message_id = OptionalString(item, "MessageId");
  row.size = ReadSize(item, row.trace_id);
  return row;
}

void ParseReportingPage(const HttpResponse& response, std::vector<TraceRow>& rows, std::string& next_link) {
  const std::string content_type = response.Header("content-type");
  if (!IsJsonContentType(content_type)) {
    throw CollectionError("the Reporting Web Service returned HTTP " + std::to_string(response.status) +
                          " with content type '" + content_type + "' instead of JSON (" +
                          std::to_string(response.body.size()) + " bytes, e.g. a sign-in page): " +
                          ShortenBody(response.body));
  }
  json::error_code error;
  const json::value page = json::parse(response.body, error);
  if (error) {
    throw CollectionError("the Reporting Web Service returned a page that is not valid JSON (" + error.message() + ", " +
                          std::to_string(response.body.size()) + " bytes), e.g. a cut-off reply");
  }
  if (!page.is_object()) {
    throw CollectionError("the Reporting Web Service returned JSON that is not a page: " + ShortenBody(response.body));
  }

  const json::object& object = page.as_object();
  const json::array* items = nullptr;
  next_link.clear();
  if (const json::value* value = object.if_contains("value"); value && value->is_array()) {
    items = &value->as_array();
    for (const char* name : {"odata.nextLink", "@odata.nextLink"}) {
      if (const json::value* link = object.if_contains(name); link && link->is_string()) {
        next_link = std::string(link->as_string());
        break;
      }
    }
  } else if (const json::value* d = object.if_contains("d")) {
    // OData verbose: {"d":{"results":[…],"__next":"…"}}, or {"d":[…]} from
    // older services.
    if (d->is_array()) {
      items = &d->as_array();
    } else if (d->is_object()) {
      if (const json::value* results = d->as_object().if_contains("results"); results && results->is_array()) {
        items = &results->as_array();
      }
      if (const json::value* link = d->as_object().if_contains("__next"); link && link->is_string()) {
        next_link = std::string(link->as_string());
      }
    }
  }
  if (!items) {
    throw CollectionError("the Reporting Web Service returned JSON with neither a \"value\" array nor "
                          "\"d\" results: " + ShortenBody(response.body));
  }

  rows.reserve(rows.size() + items->size());
  for (const json::value& item : *items) {
    if (!item.is_object()) {
      throw CollectionError("the Reporting Web Service returned a row that is not an object: " + json::serialize(item));
    }
    rows.push_back(ParseReportingRow(item.as_object()));
  }
}

std::optional<Url> ResolveNextLink(const Url& page_url, std::string_view link) {
  if (link.empty()) return std::nullopt;
  if (link.find("://") != std::string_view::npos && link.find("://") < link.find_first_of("/?")) {
    return Url::Parse(link);
  }
  if (link.starts_with("//")) return Url::Parse(page_url.scheme + ":" + std::string(link));

  const std::string_view base_target = page_url.target;
  const std::string_view base_path = base_target.substr(0, base_target.find('?'));
  std::string target;
  if (link.front() == '/') {
    const std::size_t query = link.find('?');
    target = RemoveDotSegments(link.substr(0, query));
    if (query != std::string_view::npos) target += link.substr(query);
  } else if (link.front() == '?') {
    target = std::string(base_path) + std::string(link);
  } else {
    const std::size_t query = link.find('?');
    const std::string_view relative_path = link.substr(0, query);
    const std::string merged = std::string(base_path.substr(0, base_path.rfind('/') + 1)) + std::string(relative_path);
    target = RemoveDotSegments(merged);
    if (query != std::string_view::npos) target += link.substr(query);
  }
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  return Url::Parse(page_url.Origin() + target);
}

std::string DescribeReportingError(const HttpResponse& response, const std::string& filter) {
  const std::string detail = ReportingErrorMessage(response.body);
  switch (response.status) {
    case 400:
      if (detail.find("older than 10 days") != std::string::npos) {
        return "the Reporting Web Service refused a start more than 10 days back (400): " + detail +
               ". It keeps message trace for 10 days; use MESSAGE_TRACE_SOURCE=graph for older history. Filter sent: " +
               filter;
      }
      return "the Reporting Web Service rejected the request (400): " + detail + ". Filter sent: " + filter;
    case 401:
      return "the Reporting Web Service rejected the token (401): " + detail + ". Check that " + kPermissionHelp +
             ", and that AZURE_TENANT_ID is the mailbox tenant";
    case 403:
      return "the Reporting Web Service refused access (403): " + detail + ". Most often the Entra role is missing: " +
             kPermissionHelp + "; a new role assignment can take an hour to apply";
    case 404:
      if (detail.find("Resource not found for the segment 'MessageTrace'") != std::string::npos) {
        return "the Reporting Web Service does not show the MessageTrace report to this app (404): " + detail +
               ". The permission or the role is missing: " + kPermissionHelp +
               ". A tenant created after January 2026 may not offer this report at all; use MESSAGE_TRACE_SOURCE=graph "
               "where Graph message trace is available";
      }
      return "the Reporting Web Service returned 404: " + detail +
             ". Check MESSAGE_TRACE_REPORTING_ENDPOINT; it names the host only, e.g. https://reports.office365.com";
    case 429:
      return "the Reporting Web Service is still throttling (429) after the retries: " + detail;
    default:
      return "the Reporting Web Service failed with HTTP " + std::to_string(response.status) + ": " + detail;
  }
}

ReportingTraceSource::ReportingTraceSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens)
    : settings_(settings), transport_(transport), tokens_(tokens) {
  const auto endpoint = Url::Parse(settings.reporting_endpoint);
  if (!endpoint) {
    throw ConfigurationError("MESSAGE_TRACE_REPORTING_ENDPOINT is not a URL: '" + settings.reporting_endpoint + "'");
  }
  endpoint_ = *endpoint;
}

std::string ReportingTraceSource::LookBackAdvice() const {
  return "The Reporting Web Service returns message trace for the last 10 days only, so a MESSAGE_TRACE_START or "
         "watermark older than that is moved forward to the limit. For older history use MESSAGE_TRACE_SOURCE=graph "
         "(Microsoft Graph message trace keeps 90 days, in the global cloud only)";
}

std::string ReportingTraceSource::FirstPageUrl(Instant start, Instant end) const {
  return JoinPath(settings_.reporting_endpoint, kReportingMessageTracePath) +
         "?$filter=" + EncodeFilter(ReportingFilter(start, end));
}

ReportingTraceSource::Page ReportingTraceSource::FetchPage(const Url& url, const std::string& filter,
                                                           RetryContext& context) {
  for (int page_attempt = 1;; ++page_attempt) {
    bool retried_unauthorized = false;
    HttpOutcome outcome;
    for (;;) {
      auto build = [&](int) {
        ++requests_;
        HttpRequest request;
        request.url = url;
        request.timeout = kPageTimeout;
        request.headers = {
            {"Authorization", "Bearer " + tokens_.Get(Audience::kExchangeReporting, context).Reveal()},
            {"Accept", "application/json"}};
        return request;
      };
      outcome = SendWithRetry(transport_, build, ClassifyTransient, RetryPolicy{}, context, "Reporting Web Service page");
      if (outcome.response && outcome.response->status == 401 && !retried_unauthorized) {
        // A token may be revoked or expire early; fetch a new one once.
        tokens_.Invalidate(Audience::kExchangeReporting);
        retried_unauthorized = true;
        continue;
      }
      break;
    }

    if (!outcome.response) {
      throw CollectionError("the Reporting Web Service could not be reached: " + outcome.transport_error);
    }
    const HttpResponse& response = *outcome.response;
    if (response.status != 200) throw CollectionError(DescribeReportingError(response, filter));

    Page page;
    try {
      ParseReportingPage(response, page.rows, page.next_link);
      return page;
    } catch (const CollectionError& error) {
      if (page_attempt >= kMalformedPageAttempts) throw;
      context.log.Warning(std::string(error.what()) + "; asking for the page again");
    }
  }
}

void ReportingTraceSource::Read(Instant start, Instant end, const PageHandler& on_page, RetryContext& context) {
  const std::string filter = ReportingFilter(start, end);
  auto url = Url::Parse(FirstPageUrl(start, end));
  if (!url) throw ConfigurationError("MESSAGE_TRACE_REPORTING_ENDPOINT is not a URL: '" + settings_.reporting_endpoint + "'");

  std::unordered_set<std::string> visited;
  for (;;) {
    visited.insert(url->target);
    Page page = FetchPage(*url, filter, context);
    // An empty page ends the range even when it carries a next link.
    if (page.rows.empty()) return;
    if (!on_page(std::move(page.rows))) return;
    if (page.next_link.empty()) return;

    auto next = ResolveNextLink(*url, page.next_link);
    if (!next || !next->SameOrigin(endpoint_)) {
      // The bearer token goes only to the configured Reporting Web Service host.
      throw CollectionError("the Reporting Web Service returned a next link to another host; it was rejected so "
                            "that the token is not sent there: " + page.next_link.substr(0, 200) +
                            " (configured endpoint: " + endpoint_.Origin() + ")");
    }
    if (visited.contains(next->target)) {
      throw CollectionError("the Reporting Web Service returned a next link to a page already read, which would "
                            "loop forever: " + page.next_link.substr(0, 200) + ". Filter sent: " + filter);
    }
    url = std::move(next);
  }
}

}  // namespace mt

#include "graph_source.hpp"

#include <boost/json.hpp>

#include <unordered_set>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// A page with 5000 rows takes Graph 2 to 4 seconds; allow for a slow tenant.
constexpr std::chrono::seconds kPageTimeout{120};

// A 200 reply that is not a page (an HTML sign-in page, a cut-off body) is
// asked for again this many times before the run fails.
constexpr int kMalformedPageAttempts = 3;

bool IsJsonContentType(const std::string& content_type) {
  return content_type.find("application/json") != std::string::npos ||
         content_type.find("text/json") != std::string::npos;
}

std::string GraphErrorMessage(const std::string& body) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (error || !reply.is_object()) return ShortenBody(body);
  const json::value* inner = reply.as_object().if_contains("error");
  if (!inner || !inner->is_object()) return ShortenBody(body);
  std::string text;
  if (const auto* code = inner->as_object().if_contains("code"); code && code->is_string()) {
    text = std::string(code->as_string());
  }
  if (const auto* message = inner->as_object().if_contains("message"); message && message->is_string()) {
    text += (text.empty() ? "" : ": ") + std::string(message->as_string());
  }
  return text.empty() ? ShortenBody(body) : text;
}

}  // namespace

void ParseGraphPage(const HttpResponse& response, std::vector<TraceRow>& rows, std::string& next_link) {
  const std::string content_type = response.Header("content-type");
  if (!IsJsonContentType(content_type)) {
    throw CollectionError("Graph returned HTTP " + std::to_string(response.status) + " with content type '" +
                          content_type + "' instead of JSON: " + ShortenBody(response.body));
  }
  json::error_code error;
  const json::value page = json::parse(response.body, error);
  if (error) {
    throw CollectionError("Graph returned a page that is not valid JSON (" + error.message() + ", " +
                          std::to_string(response.body.size()) + " bytes), e.g. a cut-off reply");
  }
  const json::value* value = page.is_object() ? page.as_object().if_contains("value") : nullptr;
  if (!value || !value->is_array()) {
    throw CollectionError("Graph returned JSON without a \"value\" array: " + ShortenBody(response.body));
  }

  rows.reserve(rows.size() + value->as_array().size());
  for (const json::value& item : value->as_array()) {
    if (!item.is_object()) {
      throw CollectionError("Graph returned a row that is not an object: " + ShortenBody(json::serialize(item)));
    }
    rows.push_back(ParseGraphRow(item.as_object()));
  }

  next_link.clear();
  if (const json::value* link = page.as_object().if_contains("@odata.nextLink"); link && link->is_string()) {
    next_link = std::string(link->as_string());
  }
}

std::string DescribeGraphError(const HttpResponse& response, const std::string& url) {
  const std::string detail = GraphErrorMessage(response.body);
  switch (response.status) {
    case 401:
      if (response.body.find(kTransportDataPlatformAppId) != std::string::npos ||
          response.body.find("Service principal-less") != std::string::npos) {
        return std::string("Graph message trace returned 401 because the tenant has no service principal for "
                           "Microsoft's message trace application (Transport Data Platform, app id ") +
               kTransportDataPlatformAppId +
               "). Create it once as an administrator with `az ad sp create --id " + kTransportDataPlatformAppId +
               "` or `New-MgServicePrincipal -AppId " + kTransportDataPlatformAppId +
               "`; it can take several hours to take effect. Graph said: " + detail;
      }
      return "Graph message trace rejected the token (401): " + detail +
             ". Check that the app has the Microsoft Graph application permission ExchangeMessageTrace.Read.All "
             "with admin consent, and that AZURE_TENANT_ID is the mailbox tenant";
    case 403:
      return "Graph message trace refused access (403): " + detail +
             ". Grant the app the Microsoft Graph application permission ExchangeMessageTrace.Read.All and give "
             "admin consent";
    case 400:
      return "Graph message trace rejected the request (400): " + detail + ". Request sent: GET " + url;
    case 429:
      return "Graph message trace is still throttling (429) after the retries: " + detail +
             ". The quota is 100 requests per 5 minutes per tenant, shared with admins and other tools";
    default:
      return "Graph message trace failed with HTTP " + std::to_string(response.status) + ": " + detail;
  }
}

GraphTraceSource::GraphTraceSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens)
    : settings_(settings), transport_(transport), tokens_(tokens) {
  const auto endpoint = Url::Parse(settings.graph_endpoint);
  if (!endpoint) throw ConfigurationError("MESSAGE_TRACE_GRAPH_ENDPOINT is not a URL: '" + settings.graph_endpoint + "'");
  endpoint_ = *endpoint;
}

std::string GraphTraceSource::FirstPageUrl(Instant start, Instant end) const {
  // Graph wants unquoted literals with whole seconds and Z.
  const std::string filter = "receivedDateTime ge " + FormatIsoSeconds(start) + " and receivedDateTime le " +
                             FormatIsoSeconds(end);
  return JoinPath(settings_.graph_endpoint, "/v1.0/admin/exchange/tracing/messageTraces") +
         "?$filter=" + PercentEncode(filter) + "&$top=" + std::to_string(kGraphPageSize);
}

GraphTraceSource::Page GraphTraceSource::FetchPage(const std::string& url_text, bool is_next_link,
                                                   RetryContext& context) {
  const auto url = Url::Parse(url_text);
  if (!url || !url->SameOrigin(endpoint_)) {
    // The bearer token goes only to the configured Graph host.
    throw CollectionError("Graph returned a next link to another host, which is refused so that the token is not "
                          "sent there: " + url_text.substr(0, 200) + " (configured endpoint: " + endpoint_.Origin() + ")");
  }

  for (int page_attempt = 1;; ++page_attempt) {
    bool retried_unauthorized = false;
    HttpOutcome outcome;
    for (;;) {
      auto build = [&](int) {
        ++requests_;
        HttpRequest request;
        request.url = *url;
        request.timeout = std::min(kPageTimeout, settings_.http_timeout);
        request.headers = {{"Authorization", "Bearer " + tokens_.Get(Audience::kGraph, context).Reveal()},
                           {"Accept", "application/json"}};
        return request;
      };
      outcome = SendWithRetry(transport_, build, ClassifyTransient, RetryPolicy{}, context, "Graph page");
      if (outcome.response && outcome.response->status == 401 && !retried_unauthorized &&
          outcome.response->body.find(kTransportDataPlatformAppId) == std::string::npos) {
        // A token may be revoked or expire early; fetch a new one once.
        tokens_.Invalidate(Audience::kGraph);
        retried_unauthorized = true;
        continue;
      }
      break;
    }

    if (!outcome.response) throw CollectionError("Graph message trace could not be reached: " + outcome.transport_error);
    const HttpResponse& response = *outcome.response;
    if (response.status != 200) {
      if (is_next_link && response.status == 400) {
        throw PoisonedContinuation("Graph rejected a next link (400): " + GraphErrorMessage(response.body));
      }
      throw CollectionError(DescribeGraphError(response, url_text));
    }

    Page page;
    try {
      ParseGraphPage(response, page.rows, page.next_link);
      return page;
    } catch (const CollectionError& error) {
      if (page_attempt >= kMalformedPageAttempts) throw;
      context.log.Warning(std::string(error.what()) + "; asking for the page again");
    }
  }
}

void GraphTraceSource::Read(Instant start, Instant end, const PageHandler& on_page, RetryContext& context) {
  std::string url = FirstPageUrl(start, end);
  bool is_next_link = false;
  std::unordered_set<std::string> visited;
  while (!url.empty()) {
    // A next link seen before would loop forever and spend the quota.
    if (!visited.insert(url).second) {
      throw PoisonedContinuation("Graph returned a next link that was already followed in this range");
    }
    Page page = FetchPage(url, is_next_link, context);
    if (!on_page(std::move(page.rows))) return;
    url = std::move(page.next_link);
    is_next_link = true;
  }
}

}  // namespace mt

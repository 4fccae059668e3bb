#include "data_collector.hpp"

#include <boost/json.hpp>

#include <cmath>

#include "batcher.hpp"
#include "errors.hpp"
#include "shared_key.hpp"

namespace mt {
namespace {

namespace json = boost::json;

constexpr std::chrono::seconds kPostTimeout{120};

void AppendText(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += json::serialize(json::string_view(value.data(), value.size()));
}

// The `Error` and `Message` of a Data Collector error body, or the body
// itself when it has another shape.
std::string ErrorDetail(const std::string& body, std::string* code = nullptr) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (!error && reply.is_object()) {
    const json::object& object = reply.as_object();
    std::string text;
    if (const auto* name = object.if_contains("Error"); name && name->is_string()) {
      text = std::string(name->as_string());
      if (code) *code = text;
    }
    if (const auto* message = object.if_contains("Message"); message && message->is_string()) {
      text += (text.empty() ? "" : ": ") + std::string(message->as_string());
    }
    if (!text.empty()) return text;
  }
  return body.empty() ? std::string("(no body)") : ShortenBody(body);
}

std::string ForbiddenCauses(const HttpResponse& response, Instant now) {
  std::string text =
      ". Usual causes: DATA_COLLECTOR_SHARED_KEY is wrong or was regenerated (copy the workspace's current primary "
      "or secondary key); this machine's clock is more than 15 minutes off";
  const auto server_date = ParseRfc1123(response.Header("date"));
  if (server_date) {
    const Ticks skew = *server_date > now ? *server_date - now : now - *server_date;
    if (skew > kDataCollectorClockTolerance) {
      text += " (it is: this machine says " + FormatIsoSeconds(now) + ", the service " + FormatIsoSeconds(*server_date) +
              ", a difference of " + FormatDuration(skew) + "; synchronise the clock)";
    }
  }
  text += "; or something between here and the service changed the Content-Type, which is signed as exactly "
          "'application/json' (adding '; charset=utf-8' breaks the signature)";
  return text;
}

}  // namespace

void AppendDataCollectorRecord(const TraceRow& row, std::string& out) {
  // Empty strings are sent rather than left out: the service creates a
  // column only for a field it has seen, and the article's queries need
  // every column (ToIP_s, say) to exist even when all values are empty.
  out += '{';
  AppendText(out, kTimeGeneratedField, FormatIsoPrecise(row.received), true);
  AppendText(out, "SenderAddress", row.sender);
  AppendText(out, "RecipientAddress", row.recipient);
  AppendText(out, "Subject", row.subject);
  AppendText(out, "Status", row.status);
  AppendText(out, "FromIP", row.from_ip);
  AppendText(out, "ToIP", row.to_ip);
  out += ",\"Size\":";
  if (row.size == std::floor(row.size) && std::fabs(row.size) < 9e15) {
    out += std::to_string(static_cast<long long>(row.size));
  } else {
    out += json::serialize(json::value(row.size));
  }
  AppendText(out, "MessageId", row.message_id);
  AppendText(out, "MessageTraceId", row.trace_id);
  out += '}';
}

HttpRequest BuildDataCollectorRequest(const Url& url, const Settings& settings, std::string_view key_bytes,
                                      const std::string& body, Instant now) {
  const std::string date = FormatRfc1123(now);
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.timeout = kPostTimeout;
  request.headers = {
      {"Authorization",
       SignDataCollectorRequest(key_bytes, settings.workspace_id, date, body.size(), kDataCollectorContentType)},
      {"Content-Type", std::string(kDataCollectorContentType)},
      {"Log-Type", settings.log_type},
      {"x-ms-date", date},
      {"time-generated-field", std::string(kTimeGeneratedField)},
  };
  request.body = body;
  return request;
}

std::string DescribeDataCollectorError(const HttpResponse& response, const Settings& settings, Instant now) {
  std::string code;
  const std::string detail = ErrorDetail(response.body, &code);
  const std::string status = std::to_string(response.status);
  switch (response.status) {
    case 400:
      if (code == "InvalidLogType" || code == "MissingLogType") {
        return "the HTTP Data Collector API rejected the Log-Type (400): " + detail + ". Check MESSAGE_TRACE_LOG_TYPE ('" +
               settings.log_type + "'): letters, digits and underscores, at most 100 characters";
      }
      if (code == "InvalidCustomerId" || code == "InactiveCustomer") {
        return "the HTTP Data Collector API does not accept workspace " + settings.workspace_id + " (400): " + detail +
               ". Check LOG_ANALYTICS_WORKSPACE_ID (the workspace id GUID) and that the workspace still exists";
      }
      return "the HTTP Data Collector API rejected a post (400): " + detail;
    case 403:
      return "the HTTP Data Collector API rejected the SharedKey signature for workspace " + settings.workspace_id +
             " (403): " + detail + ForbiddenCauses(response, now);
    case 404:
      return "the HTTP Data Collector API returned 404: " + detail + ". Check DATA_COLLECTOR_ENDPOINT (" +
             settings.data_collector_endpoint + ") and LOG_ANALYTICS_WORKSPACE_ID; the API's support ended on 14 " +
             "September 2026 and its endpoints may stop accepting posts, so move to INGESTION_API=logs-ingestion";
    case 429:
      return "the HTTP Data Collector API is still throttling (429) after the retries: " + detail +
             ". The workspace receives more data than it accepts; the next run continues";
    default:
      return "the HTTP Data Collector API failed with HTTP " + status + ": " + detail;
  }
}

DataCollectorSink::DataCollectorSink(const Settings& settings, HttpTransport& transport)
    : settings_(settings), transport_(transport) {
  auto key = DecodeBase64(settings.shared_key.Reveal());
  if (!key || key->empty()) {
    throw ConfigurationError("DATA_COLLECTOR_SHARED_KEY is not valid base64; copy the workspace's primary or "
                             "secondary key unchanged, on one line");
  }
  key_bytes_ = Secret(std::move(*key));

  const std::string url = JoinPath(settings.data_collector_endpoint, "/api/logs") + "?api-version=2016-04-01";
  const auto parsed = Url::Parse(url);
  if (!parsed) {
    throw ConfigurationError("DATA_COLLECTOR_ENDPOINT is not a URL: '" + settings.data_collector_endpoint + "'");
  }
  url_ = *parsed;
}

void DataCollectorSink::Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext& context) {
  const auto batches =
      MakeBatches(rows, {kDataCollectorMaxPostBytes, kDataCollectorMaxFieldBytes}, AppendDataCollectorRecord);
  for (const Batch& batch : batches) {
    if (batch.truncated_fields > 0) {
      context.log.Warning(std::to_string(batch.truncated_fields) + " field values longer than " +
                          std::to_string(kDataCollectorMaxFieldBytes) +
                          " bytes were cut to that length, as the HTTP Data Collector API would");
    }
    if (hooks.before_send) hooks.before_send(batch.first, batch.count);
    Post(batch.body, batch.count, context);
    stats_.rows_accepted += batch.count;
    stats_.truncated_fields += batch.truncated_fields;
    if (hooks.on_accepted) hooks.on_accepted(batch.first, batch.count);
  }
}

void DataCollectorSink::Post(const std::string& body, std::size_t row_count, RetryContext& context) {
  auto build = [&](int) {
    ++stats_.requests;
    return BuildDataCollectorRequest(url_, settings_, key_bytes_.Reveal(), body, context.clock.Now());
  };
  // ClassifyDelivery retries 429, 500 and 503, which the Data Collector API
  // documents as transient, and fails at once on 400, 403 and 404. A post
  // whose reply was lost after it was sent is not repeated, because the
  // service may have stored it.
  const HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyDelivery, RetryPolicy{}, context,
                                            "Data Collector post of " + std::to_string(row_count) + " rows");
  if (!outcome.response && outcome.maybe_processed) {
    throw DeliveryUncertain("the HTTP Data Collector API sent no response after receiving a post of " +
                            std::to_string(row_count) + " rows (" + outcome.transport_error + ")");
  }
  if (!outcome.response) {
    throw CollectionError("the HTTP Data Collector API could not be reached: " + outcome.transport_error);
  }
  const int status = outcome.response->status;
  if (status >= 200 && status < 300) return;
  throw CollectionError(DescribeDataCollectorError(*outcome.response, settings_, context.clock.Now()));
}

}  // namespace mt

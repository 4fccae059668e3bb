#include "logs_ingestion.hpp"

#include <boost/json.hpp>

#include "batcher.hpp"
#include "errors.hpp"
#include "gzip.hpp"

namespace mt {
namespace {

namespace json = boost::json;

constexpr std::chrono::seconds kPostTimeout{60};

std::string ErrorDetail(const std::string& body) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (!error && reply.is_object()) {
    if (const auto* inner = reply.as_object().if_contains("error"); inner && inner->is_object()) {
      std::string text;
      if (const auto* code = inner->as_object().if_contains("code"); code && code->is_string()) text = std::string(code->as_string());
      if (const auto* message = inner->as_object().if_contains("message"); message && message->is_string()) {
        text += (text.empty() ? "" : ": ") + std::string(message->as_string());
      }
      if (!text.empty()) return text;
    }
  }
  return ShortenBody(body);
}

}  // namespace

std::string DescribeIngestionError(const HttpResponse& response, const Settings& settings) {
  std::string detail = ErrorDetail(response.body);
  while (!detail.empty() && detail.back() == '.') detail.pop_back();
  const std::string status = std::to_string(response.status);
  switch (response.status) {
    case 400:
      return "the Logs Ingestion API rejected a batch (400): " + detail + ". Check that stream " + settings.stream +
             " in DCR " + settings.dcr_id + " declares the columns of " + settings.TableName();
    case 401:
      return "the Logs Ingestion API rejected the token (401): " + detail +
             ". Check AZURE_CLOUD: the token audience must be the ingestion endpoint's cloud";
    case 403:
      return "the Logs Ingestion API refused access (403): " + detail +
             ". Give the identity the Monitoring Metrics Publisher role on DCR " + settings.dcr_id +
             "; a new assignment can take up to 30 minutes to apply";
    case 404:
      return "the Logs Ingestion API found no such DCR or stream (404): " + detail + ". Check LOGS_INGESTION_ENDPOINT, " +
             "LOGS_INGESTION_DCR_ID (" + settings.dcr_id + ") and LOGS_INGESTION_STREAM (" + settings.stream + ")";
    case 413:
      return "the Logs Ingestion API refused a batch as too large (413): " + detail;
    default:
      return "the Logs Ingestion API failed with HTTP " + status + ": " + detail;
  }
}

LogsIngestionSink::LogsIngestionSink(const Settings& settings, HttpTransport& transport, TokenCache& tokens)
    : settings_(settings), transport_(transport), tokens_(tokens) {
  const std::string url = JoinPath(settings.logs_ingestion_endpoint, "/dataCollectionRules/" + settings.dcr_id +
                                                                          "/streams/" + settings.stream) +
                          "?api-version=2023-01-01";
  const auto parsed = Url::Parse(url);
  if (!parsed) throw ConfigurationError("LOGS_INGESTION_ENDPOINT is not a URL: '" + settings.logs_ingestion_endpoint + "'");
  url_ = *parsed;
}

void LogsIngestionSink::Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext& context) {
  const auto batches = MakeBatches(rows, {kLogsIngestionMaxBatchBytes, kLogsIngestionMaxFieldBytes});
  for (const Batch& batch : batches) {
    if (hooks.before_send) hooks.before_send(batch.first, batch.count);
    Post(batch.body, batch.count, context);
    stats_.rows_accepted += batch.count;
    stats_.truncated_fields += batch.truncated_fields;
    if (hooks.on_accepted) hooks.on_accepted(batch.first, batch.count);
  }
}

void LogsIngestionSink::Post(const std::string& body, std::size_t row_count, RetryContext& context) {
  const std::string compressed = GzipCompress(body);
  bool retried_unauthorized = false;
  for (;;) {
    auto build = [&](int) {
      ++stats_.requests;
      HttpRequest request;
      request.method = "POST";
      request.url = url_;
      request.timeout = std::min(kPostTimeout, settings_.http_timeout);
      request.headers = {{"Authorization", "Bearer " + tokens_.Get(Audience::kMonitor, context).Reveal()},
                         {"Content-Type", "application/json"},
                         {"Content-Encoding", "gzip"}};
      request.body = compressed;
      return request;
    };
    const HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyDelivery, RetryPolicy{}, context,
                                              "ingestion of " + std::to_string(row_count) + " rows");
    if (!outcome.response && outcome.maybe_processed) {
      throw DeliveryUncertain("the Logs Ingestion API did not answer after receiving a batch of " +
                              std::to_string(row_count) + " rows (" + outcome.transport_error + ")");
    }
    if (!outcome.response) throw CollectionError("the Logs Ingestion API could not be reached: " + outcome.transport_error);
    const int status = outcome.response->status;
    // The API returns 204 with no body. Any other 2xx (an HTML page from a
    // proxy, for example) proves nothing about the batch, so it is checked
    // later.
    if (status == 204 || (status >= 200 && status < 300 && outcome.response->body.empty())) return;
    if (status >= 200 && status < 300) {
      throw DeliveryUncertain("the Logs Ingestion API answered HTTP " + std::to_string(status) + " with " +
                              std::to_string(outcome.response->body.size()) + " bytes of " +
                              outcome.response->Header("content-type") + " instead of 204");
    }
    if (status == 401 && !retried_unauthorized) {
      tokens_.Invalidate(Audience::kMonitor);
      retried_unauthorized = true;
      continue;
    }
    throw CollectionError(DescribeIngestionError(*outcome.response, settings_));
  }
}

}  // namespace mt

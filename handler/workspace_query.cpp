#include "workspace_query.hpp"

#include <boost/json.hpp>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// The text of queries/watermark.kql, embedded at build time.
constexpr const char* kWatermarkTemplate =
#include "watermark_kql.inc"
    ;

constexpr const char* kTemplateTable = "EmailEvents_CL";

// The query API allows 3 minutes by default; a max() over 91 days of one
// table finishes far sooner, so waiting longer would only hide a stall.
constexpr std::chrono::seconds kQueryTimeout{180};

const json::object* InnerError(const json::object& object) {
  const json::value* inner = object.if_contains("innererror");
  return inner && inner->is_object() ? &inner->as_object() : nullptr;
}

// Error codes that mean "the table does not exist", not "the query failed".
bool IsMissingTable(const json::object& error, const std::string& table) {
  const json::object* node = &error;
  std::string message;
  while (node) {
    const json::object& object = *node;
    if (const auto* code = object.if_contains("code"); code && code->is_string()) {
      const std::string text(code->as_string());
      if (const auto* m = object.if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
      if (text == "SEM0100" && message.find(table) != std::string::npos) return true;
      if (text == "SEM0001" && message.find("Fuzzy") != std::string::npos) return true;
    }
    node = InnerError(object);
  }
  return false;
}

std::string DescribeQueryError(const json::object& error) {
  std::string text;
  const json::object* node = &error;
  while (node) {
    const json::object& object = *node;
    std::string part;
    if (const auto* code = object.if_contains("code"); code && code->is_string()) part = std::string(code->as_string());
    if (const auto* message = object.if_contains("message"); message && message->is_string()) {
      part += (part.empty() ? "" : ": ") + std::string(message->as_string());
    }
    if (!part.empty()) text += (text.empty() ? "" : " / ") + part;
    node = InnerError(object);
  }
  if (const auto* details = error.if_contains("details"); details && details->is_array()) {
    for (const auto& detail : details->as_array()) {
      if (detail.is_object()) text += " / " + DescribeQueryError(detail.as_object());
    }
  }
  return text;
}

}  // namespace

std::string WatermarkQuery(const std::string& table) {
  std::string query = kWatermarkTemplate;
  while (!query.empty() && (query.back() == '\n' || query.back() == '\r')) query.pop_back();
  const std::string from = kTemplateTable;
  for (auto at = query.find(from); at != std::string::npos; at = query.find(from, at + table.size())) {
    query.replace(at, from.size(), table);
  }
  return query;
}

WatermarkResult ParseWatermarkReply(const HttpResponse& response, const std::string& table) {
  if (response.status == 204) return {std::nullopt, "the workspace holds no data yet (204)"};

  json::error_code parse_error;
  const json::value reply = json::parse(response.body, parse_error);
  const json::object* object = (!parse_error && reply.is_object()) ? &reply.as_object() : nullptr;
  const json::value* error = object ? object->if_contains("error") : nullptr;

  if (response.status != 200) {
    if (error && error->is_object() && response.status == 400 && IsMissingTable(error->as_object(), table)) {
      return {std::nullopt, "the table " + table + " does not exist yet"};
    }
    std::string detail = (error && error->is_object()) ? DescribeQueryError(error->as_object()) : ShortenBody(response.body);
    std::string message = "the watermark query failed with HTTP " + std::to_string(response.status) + ": " + detail;
    if (response.status == 401 || response.status == 403) {
      message += ". Give the identity the Log Analytics Reader role on the workspace (role changes can take an hour)";
    } else if (response.status == 404) {
      message += ". Check LOG_ANALYTICS_WORKSPACE_ID and LOG_ANALYTICS_QUERY_ENDPOINT";
    }
    throw CollectionError(message);
  }

  if (!object) {
    throw CollectionError("the watermark query returned a body that is not a JSON object: " + ShortenBody(response.body));
  }
  if (error && !error->is_null()) {
    // 200 with an error next to the tables is a PartialError: the result is
    // incomplete, and a watermark taken from it could skip rows.
    const std::string detail = error->is_object() ? DescribeQueryError(error->as_object()) : json::serialize(*error);
    throw CollectionError("the watermark query returned an incomplete result (" + detail +
                          "); the run stops rather than trust it");
  }

  const json::value* tables = object->if_contains("tables");
  if (!tables || !tables->is_array() || tables->as_array().empty() || !tables->as_array()[0].is_object()) {
    throw CollectionError("the watermark query reply has no result table: " + ShortenBody(response.body));
  }
  const json::value* rows = tables->as_array()[0].as_object().if_contains("rows");
  if (!rows || !rows->is_array()) {
    throw CollectionError("the watermark query reply has no rows array: " + ShortenBody(response.body));
  }
  if (rows->as_array().empty()) return {std::nullopt, "the table " + table + " has no rows in the look-back"};

  const json::value& first_row = rows->as_array()[0];
  if (!first_row.is_array() || first_row.as_array().empty()) {
    throw CollectionError("the watermark query reply has an empty row: " + ShortenBody(response.body));
  }
  const json::value& cell = first_row.as_array()[0];
  if (cell.is_null()) return {std::nullopt, "the table " + table + " has no rows in the look-back"};
  if (cell.is_string()) {
    if (cell.as_string().empty()) return {std::nullopt, "the table " + table + " has no rows in the look-back"};
    if (auto instant = ParseIso8601(std::string(cell.as_string()))) return {instant, "newest Received_t in " + table};
  }
  throw CollectionError("the watermark query returned a value that is not a date: " + json::serialize(cell));
}

WorkspaceQuery::WorkspaceQuery(const Settings& settings, HttpTransport& transport, TokenCache& tokens)
    : settings_(settings), transport_(transport), tokens_(tokens) {}

HttpResponse WorkspaceQuery::Run(const std::string& query, const std::string& what, RetryContext& context) {
  const auto url = Url::Parse(JoinPath(settings_.query_endpoint, "/v1/workspaces/" + settings_.workspace_id + "/query"));
  if (!url) throw ConfigurationError("LOG_ANALYTICS_QUERY_ENDPOINT is not a URL: '" + settings_.query_endpoint + "'");

  json::object body;
  body["query"] = query;
  body["timespan"] = "P" + std::to_string(kWatermarkLookBackDays) + "D";
  const std::string body_text = json::serialize(body);

  bool retried_unauthorized = false;
  for (;;) {
    auto build = [&](int) {
      HttpRequest request;
      request.method = "POST";
      request.url = *url;
      request.timeout = std::min(kQueryTimeout, settings_.http_timeout);
      request.headers = {{"Authorization", "Bearer " + tokens_.Get(Audience::kLogAnalytics, context).Reveal()},
                         {"Content-Type", "application/json"},
                         {"Accept", "application/json"}};
      request.body = body_text;
      return request;
    };
    const HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyTransient, RetryPolicy{}, context, what);
    if (!outcome.response) throw CollectionError("the " + what + " could not be sent: " + outcome.transport_error);
    if (outcome.response->status == 401 && !retried_unauthorized) {
      tokens_.Invalidate(Audience::kLogAnalytics);
      retried_unauthorized = true;
      continue;
    }
    return *outcome.response;
  }
}

WatermarkResult WorkspaceQuery::ReadWatermark(RetryContext& context) {
  return ParseWatermarkReply(Run(WatermarkQuery(settings_.TableName()), "watermark query", context),
                             settings_.TableName());
}

std::string KqlString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string RowCountQuery(const std::string& table, const std::vector<TraceRow>& sample) {
  std::string query = table + " | where TimeGenerated > ago(" + std::to_string(kWatermarkLookBackDays) + "d) | where ";
  for (std::size_t i = 0; i < sample.size(); ++i) {
    if (i) query += " or ";
    query += "(MessageTraceId_g =~ " + KqlString(sample[i].trace_id) + " and RecipientAddress_s =~ " +
             KqlString(sample[i].recipient) + " and Status_s == " + KqlString(sample[i].status) + ")";
  }
  return query + " | count";
}

std::size_t WorkspaceQuery::CountRows(const std::vector<TraceRow>& sample, RetryContext& context) {
  const HttpResponse response = Run(RowCountQuery(settings_.TableName(), sample), "delivery check query", context);
  if (response.status == 400) {
    json::error_code error;
    const json::value reply = json::parse(response.body, error);
    if (!error && reply.is_object()) {
      if (const auto* inner = reply.as_object().if_contains("error"); inner && inner->is_object() &&
                                                                      IsMissingTable(inner->as_object(), settings_.TableName())) {
        return 0;  // no table: nothing has landed yet
      }
    }
  }
  if (response.status != 200) {
    throw CollectionError("the delivery check query failed with HTTP " + std::to_string(response.status) + ": " +
                          ShortenBody(response.body));
  }
  json::error_code error;
  const json::value reply = json::parse(response.body, error);
  const json::object* object = (!error && reply.is_object()) ? &reply.as_object() : nullptr;
  if (!object || (object->if_contains("error") && !object->at("error").is_null())) {
    throw CollectionError("the delivery check query returned an error or an incomplete result: " + ShortenBody(response.body));
  }
  try {
    const json::value& cell = object->at("tables").as_array().at(0).as_object().at("rows").as_array().at(0).as_array().at(0);
    return static_cast<std::size_t>(cell.to_number<std::int64_t>());
  } catch (const std::exception&) {
    throw CollectionError("the delivery check query reply has no count: " + ShortenBody(response.body));
  }
}

}  // namespace mt

#include "identity.hpp"

#include <boost/json.hpp>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// Entra issues tokens for 60 to 90 minutes; refreshing five minutes early
// keeps a token from expiring between the check and the request.
constexpr Ticks kRefreshMargin = std::chrono::minutes{5};

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return body;
}

std::optional<std::int64_t> NumberOrNumericString(const json::value* value) {
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  if (value->is_double()) return static_cast<std::int64_t>(value->as_double());
  if (value->is_string()) {
    const std::string text(value->as_string());
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(text);
  }
  return std::nullopt;
}

// Hints for the Entra errors a deployment meets most often.
std::string HintFor(const std::string& code) {
  if (code == "7000215") return "the client secret is wrong; copy the secret's Value (not its ID) into AZURE_CLIENT_SECRET";
  if (code == "7000222") return "the client secret has expired; create a new one and update AZURE_CLIENT_SECRET";
  if (code == "700016") return "no application with AZURE_CLIENT_ID exists in this tenant; check AZURE_CLIENT_ID and AZURE_TENANT_ID";
  if (code == "90002" || code == "900023") return "the tenant is not found; check AZURE_TENANT_ID and AZURE_CLOUD";
  if (code == "70011") return "the scope is invalid for this cloud; check AZURE_CLOUD";
  if (code == "700027" || code == "700024") return "the client assertion is invalid; check the certificate in AZURE_CLIENT_CERTIFICATE_PATH and the clock";
  return {};
}

}  // namespace

std::string AudienceUri(const Settings& settings, Audience audience) {
  const CloudProfile& profile = ProfileFor(settings.cloud);
  switch (audience) {
    case Audience::kGraph: return profile.graph_audience;
    case Audience::kExchangeReporting: return profile.reporting_audience;
    case Audience::kLogAnalytics: return profile.query_audience;
    case Audience::kMonitor: return profile.monitor_audience;
    case Audience::kStorage: return "https://storage.azure.com";
  }
  return {};
}

AccessToken ParseTokenReply(const std::string& body, Instant now, const std::string& audience_uri) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (error || !reply.is_object()) {
    throw CollectionError("the token reply for " + audience_uri + " is not a JSON object: " + ShortenBody(body));
  }
  const json::object& object = reply.as_object();
  const json::value* token = object.if_contains("access_token");
  if (!token || !token->is_string() || token->as_string().empty()) {
    throw CollectionError("the token reply for " + audience_uri + " has no access_token");
  }

  AccessToken result{Secret(std::string(token->as_string())), now};
  if (auto expires_on = NumberOrNumericString(object.if_contains("expires_on"))) {
    result.expires_on = Instant{std::chrono::seconds{*expires_on}};
  } else if (auto expires_in = NumberOrNumericString(object.if_contains("expires_in"))) {
    result.expires_on = now + std::chrono::seconds{*expires_in};
  } else {
    throw CollectionError("the token reply for " + audience_uri +
                          " has neither expires_in nor expires_on as a number of seconds");
  }
  return result;
}

std::string DescribeTokenError(const HttpResponse& response, const std::string& audience_uri,
                               const std::string& credential) {
  std::string message = "the token request for " + audience_uri + " with the " + credential + " failed with HTTP " +
                        std::to_string(response.status);
  json::error_code error;
  const json::value reply = json::parse(response.body, error);
  if (error || !reply.is_object()) return message + ": " + ShortenBody(response.body);

  const json::object& object = reply.as_object();
  std::string code;
  if (const auto* codes = object.if_contains("error_codes"); codes && codes->is_array() && !codes->as_array().empty()) {
    const auto& first = codes->as_array().front();
    if (first.is_int64()) code = std::to_string(first.as_int64());
  }
  if (const auto* name = object.if_contains("error"); name && name->is_string()) {
    message += ": " + std::string(name->as_string());
  }
  if (const auto* description = object.if_contains("error_description"); description && description->is_string()) {
    std::string text(description->as_string());
    // Entra appends trace and correlation ids on new lines; keep the first.
    text = text.substr(0, text.find_first_of("\r\n"));
    message += " (" + text + ")";
  }
  if (std::string hint = HintFor(code); !hint.empty()) message += "; " + hint;
  return message;
}

ClientSecretSource::ClientSecretSource(const Settings& settings, HttpTransport& transport)
    : settings_(settings), transport_(transport) {}

std::string ClientSecretSource::Describe() const { return "client secret of app " + settings_.client_id; }

AccessToken ClientSecretSource::Acquire(const std::string& audience_uri, RetryContext& context) {
  const auto url = Url::Parse(JoinPath(settings_.authority_host, "/" + PercentEncode(settings_.tenant_id) + "/oauth2/v2.0/token"));
  if (!url) throw ConfigurationError("AZURE_AUTHORITY_HOST is not a usable URL: '" + settings_.authority_host + "'");

  auto build = [&](int) {
    HttpRequest request;
    request.method = "POST";
    request.url = *url;
    request.timeout = std::chrono::seconds{30};
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = FormEncode({{"client_id", settings_.client_id},
                               {"scope", audience_uri + "/.default"},
                               {"client_secret", settings_.client_secret.Reveal()},
                               {"grant_type", "client_credentials"}});
    return request;
  };
  const HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyTransient, RetryPolicy{}, context,
                                            "token request for " + audience_uri);
  if (!outcome.response) {
    throw CollectionError("the token request for " + audience_uri + " failed: " + outcome.transport_error);
  }
  if (outcome.response->status != 200) {
    throw CollectionError(DescribeTokenError(*outcome.response, audience_uri, Describe()));
  }
  return ParseTokenReply(outcome.response->body, context.clock.Now(), audience_uri);
}

std::unique_ptr<TokenSource> MakeTokenSource(const Settings& settings, HttpTransport& transport) {
  if (!settings.client_secret.empty()) return std::make_unique<ClientSecretSource>(settings, transport);
  // TODO: client certificate assertions and managed identity are not built
  // yet; until they are, only a client secret works.
  throw ConfigurationError(
      "only a client secret is supported in this version: set AZURE_CLIENT_ID and AZURE_CLIENT_SECRET");
}

TokenCache::TokenCache(const Settings& settings, std::unique_ptr<TokenSource> source)
    : settings_(settings), source_(std::move(source)) {}

const Secret& TokenCache::Get(Audience audience, RetryContext& context) {
  const Instant now = context.clock.Now();
  auto it = tokens_.find(audience);
  if (it == tokens_.end() || it->second.expires_on - kRefreshMargin <= now) {
    const std::string uri = AudienceUri(settings_, audience);
    tokens_[audience] = source_->Acquire(uri, context);
    it = tokens_.find(audience);
  }
  return it->second.value;
}

void TokenCache::Invalidate(Audience audience) { tokens_.erase(audience); }

}  // namespace mt

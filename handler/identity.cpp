#include "identity.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "client_assertion.hpp"
#include "errors.hpp"
#include "managed_identity.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// Entra issues tokens for 60 to 90 minutes; refreshing five minutes early
// keeps a token from expiring between the check and the request.
constexpr Ticks kRefreshMargin = std::chrono::minutes{5};

// Tokens living at least this long are refreshed at half-life. Managed
// identity tokens often live 24 hours.
constexpr Ticks kHalfLifeRefreshMinimum = std::chrono::hours{2};

// After a failed early refresh, the cached token is used for this long
// before the next refresh attempt.
constexpr Ticks kRefreshRetryDelay = std::chrono::minutes{1};

std::string FormEncode(const FormFields& fields) {
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
  // Out-of-range numbers are clamped before the cast, which would otherwise
  // be undefined; callers clamp lifetimes much further anyway.
  constexpr double kLimit = 4e18;
  if (value->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(value->as_uint64(), 4'000'000'000'000'000'000ull));
  if (value->is_double()) {
    const double number = value->as_double();
    if (!std::isfinite(number)) return std::nullopt;
    return static_cast<std::int64_t>(std::clamp(number, -kLimit, kLimit));
  }
  if (value->is_string()) {
    const std::string text(value->as_string());
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(text);
  }
  return std::nullopt;
}

// `expires_on` as a date, which older managed identity endpoints send.
std::optional<Instant> DateString(const json::value* value) {
  if (!value || !value->is_string()) return std::nullopt;
  const std::string text(value->as_string());
  if (auto instant = ParseIso8601(text)) return instant;
  return ParseRfc1123(text);
}

struct TokenErrorHint {
  const char* code;  // AADSTS number
  const char* hint;
};

// Hints for the Entra errors a deployment meets most often.
constexpr TokenErrorHint kTokenErrorHints[] = {
    {"7000215", "the client secret is wrong; copy the secret's Value (not its ID) into AZURE_CLIENT_SECRET"},
    {"7000222", "the client secret has expired; create a new one and update AZURE_CLIENT_SECRET"},
    {"700016", "no application with AZURE_CLIENT_ID exists in this tenant; check AZURE_CLIENT_ID and AZURE_TENANT_ID"},
    {"90002", "the tenant is not found; check AZURE_TENANT_ID and AZURE_CLOUD"},
    {"900023", "the tenant is not found; check AZURE_TENANT_ID and AZURE_CLOUD"},
    {"70011", "the scope is invalid for this cloud; check AZURE_CLOUD"},
    {"500011", "the tenant has no service principal for this resource; check AZURE_CLOUD, and that the tenant has "
               "the service (Exchange Online for message trace)"},
    {"700027", "Entra ID did not accept the signature of the client assertion; upload the certificate in "
               "AZURE_CLIENT_CERTIFICATE_PATH (its public part, a .cer or .pem) to the app registration under "
               "Certificates & secrets, and check AZURE_CLIENT_ID"},
    {"700024", "the client assertion is outside its valid time range; check this machine's clock"},
    {"700021", "the client assertion names another application; check AZURE_CLIENT_ID"},
    {"700023", "the client assertion's audience is not this tenant's token endpoint; check AZURE_TENANT_ID and "
               "AZURE_AUTHORITY_HOST"},
    {"5002738", "Entra ID does not accept the client assertion's signature algorithm here; set "
                "AZURE_CLIENT_ASSERTION_ALGORITHM=RS256"},
    {"7000112", "the application is disabled; enable it under Enterprise applications in Entra ID"},
    {"53003", "a Conditional Access policy blocked the token; exclude this workload identity from the policy or "
              "allow the Function App's outbound addresses"},
};

std::string HintFor(const std::string& code) {
  for (const TokenErrorHint& entry : kTokenErrorHints) {
    if (code == entry.code) return entry.hint;
  }
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
    // Azure Storage takes this resource id in every cloud; the account's
    // endpoint suffix is what differs (CloudProfile::storage_suffix).
    case Audience::kStorage: return "https://storage.azure.com";
  }
  return {};
}

AccessToken ParseTokenReply(const std::string& body, Instant now, const std::string& audience_uri) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (error || !reply.is_object()) {
    // The body is not quoted: a cut-off reply may still hold a live token.
    throw CollectionError("the token reply for " + audience_uri + " is not a JSON object (" + std::to_string(body.size()) +
                          " bytes); check that AZURE_AUTHORITY_HOST points at Entra ID");
  }
  const json::object& object = reply.as_object();
  const json::value* token = object.if_contains("access_token");
  if (!token || !token->is_string() || token->as_string().empty()) {
    throw CollectionError("the token reply for " + audience_uri + " has no access_token");
  }

  AccessToken result{Secret(std::string(token->as_string())), now};
  // A relative lifetime is immune to clock skew, so it wins when both come.
  // Lifetimes are clamped to a day: Entra issues tokens for at most 24 hours,
  // and larger numbers would overflow the tick count.
  constexpr std::int64_t kMaxLifetimeSeconds = 86'400;
  if (auto expires_in = NumberOrNumericString(object.if_contains("expires_in"))) {
    result.expires_on = now + std::chrono::seconds{std::clamp<std::int64_t>(*expires_in, 0, kMaxLifetimeSeconds)};
  } else if (auto expires_on = NumberOrNumericString(object.if_contains("expires_on"))) {
    const std::int64_t now_seconds = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    result.expires_on =
        Instant{std::chrono::seconds{std::clamp<std::int64_t>(*expires_on, now_seconds, now_seconds + kMaxLifetimeSeconds)}};
  } else if (auto date = DateString(object.if_contains("expires_on"))) {
    result.expires_on = *date;
  } else {
    throw CollectionError("the token reply for " + audience_uri +
                          " has neither expires_in nor expires_on as a number of seconds or a date");
  }
  return result;
}

std::string DescribeTokenError(const HttpResponse& response, const std::string& audience_uri,
                               const std::string& credential) {
  std::string message = "the token request for " + audience_uri + " with the " + credential + " failed with HTTP " +
                        std::to_string(response.status);
  json::error_code error;
  const json::value reply = json::parse(response.body, error);
  if (error || !reply.is_object()) {
    return message + " with a reply that is not JSON (" + std::to_string(response.body.size()) +
           " bytes); check that AZURE_AUTHORITY_HOST points at Entra ID";
  }

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

Url TokenEndpoint(const Settings& settings) {
  const auto url =
      Url::Parse(JoinPath(settings.authority_host, "/" + PercentEncode(settings.tenant_id) + "/oauth2/v2.0/token"));
  if (!url) throw ConfigurationError("AZURE_AUTHORITY_HOST is not a usable URL: '" + settings.authority_host + "'");
  return *url;
}

AccessToken RequestClientCredentialsToken(const Settings& settings, HttpTransport& transport,
                                          const std::string& audience_uri,
                                          const std::function<FormFields()>& credential_fields,
                                          const std::string& credential, RetryContext& context) {
  const Url url = TokenEndpoint(settings);
  auto build = [&](int) {
    FormFields fields = {{"client_id", settings.client_id}, {"scope", audience_uri + "/.default"}};
    for (auto& field : credential_fields()) fields.push_back(std::move(field));
    fields.emplace_back("grant_type", "client_credentials");

    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.timeout = std::chrono::seconds{30};
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = FormEncode(fields);
    return request;
  };
  const HttpOutcome outcome = SendWithRetry(transport, build, ClassifyTransient, RetryPolicy{}, context,
                                            "token request for " + audience_uri);
  if (!outcome.response) {
    throw CollectionError("the token request for " + audience_uri + " failed: " + outcome.transport_error);
  }
  if (outcome.response->status != 200) {
    throw CollectionError(DescribeTokenError(*outcome.response, audience_uri, credential));
  }
  return ParseTokenReply(outcome.response->body, context.clock.Now(), audience_uri);
}

ClientSecretSource::ClientSecretSource(const Settings& settings, HttpTransport& transport)
    : settings_(settings), transport_(transport) {}

std::string ClientSecretSource::Describe() const { return "client secret of app " + settings_.client_id; }

AccessToken ClientSecretSource::Acquire(const std::string& audience_uri, RetryContext& context) {
  auto fields = [&]() -> FormFields { return {{"client_secret", settings_.client_secret.Reveal()}}; };
  return RequestClientCredentialsToken(settings_, transport_, audience_uri, fields, Describe(), context);
}

std::unique_ptr<TokenSource> MakeTokenSource(const Settings& settings, HttpTransport& transport) {
  if (!settings.client_secret.empty()) return std::make_unique<ClientSecretSource>(settings, transport);
  if (!settings.client_certificate_path.empty()) {
    return std::make_unique<ClientCertificateSource>(settings, transport,
                                                     ClientCertificate::Load(settings.client_certificate_path));
  }
  if (!settings.identity_endpoint.empty()) return std::make_unique<ManagedIdentitySource>(settings, transport);
  throw ConfigurationError(
      "no credential is configured; set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or run on Azure with "
      "a managed identity (the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER)");
}

Instant RefreshTime(Instant acquired, Instant expires_on) {
  const Ticks lifetime = expires_on - acquired;
  if (lifetime >= kHalfLifeRefreshMinimum) return acquired + lifetime / 2;
  return expires_on - kRefreshMargin;
}

TokenCache::TokenCache(const Settings& settings, std::unique_ptr<TokenSource> source)
    : settings_(settings), source_(std::move(source)) {}

const Secret& TokenCache::Get(Audience audience, RetryContext& context) {
  const Instant now = context.clock.Now();
  auto it = tokens_.find(audience);
  if (it != tokens_.end() && now < it->second.refresh_at) return it->second.token.value;

  const std::string uri = AudienceUri(settings_, audience);
  const bool cached_still_valid = it != tokens_.end() && now < it->second.token.expires_on - kRefreshMargin;
  AccessToken token;
  try {
    token = source_->Acquire(uri, context);
  } catch (const CollectionError& error) {
    if (!cached_still_valid) throw;
    // An early refresh failed, but the token in hand still works.
    it->second.refresh_at = now + kRefreshRetryDelay;
    context.log.Warning("refreshing the token for " + uri + " failed: " + error.what() +
                        "; the current token stays in use until " + FormatIsoSeconds(it->second.token.expires_on));
    return it->second.token.value;
  }

  SecretScrubber::Global().Add(token.value);
  const Instant refresh_at = RefreshTime(now, token.expires_on);
  Entry& entry = tokens_[audience];
  entry = Entry{std::move(token), refresh_at};
  return entry.token.value;
}

void TokenCache::Invalidate(Audience audience) { tokens_.erase(audience); }

}  // namespace mt

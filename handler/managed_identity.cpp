#include "managed_identity.hpp"

#include <boost/json.hpp>

#include <cstdlib>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

constexpr std::chrono::seconds kRequestTimeout{30};

std::string StringField(const json::object& object, const char* name) {
  const json::value* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The endpoint's own error text: `message` and `correlationId`, or an Entra
// `error` and the first line of `error_description`.
std::string ErrorDetail(const std::string& body) {
  json::error_code error;
  const json::value reply = json::parse(body, error);
  if (error || !reply.is_object()) return ShortenBody(body);
  const json::object& object = reply.as_object();

  std::string detail = StringField(object, "message");
  if (std::string correlation = StringField(object, "correlationId"); !correlation.empty()) {
    detail += " (correlation id " + correlation + ")";
  }
  if (detail.empty()) {
    detail = StringField(object, "error");
    std::string description = StringField(object, "error_description");
    description = description.substr(0, description.find_first_of("\r\n"));
    if (!description.empty()) detail += (detail.empty() ? "" : ": ") + description;
  }
  return detail.empty() ? ShortenBody(body) : detail;
}

std::string IdentityName(const Settings& settings) {
  if (settings.client_id.empty()) return "the system-assigned managed identity";
  return "the user-assigned managed identity with client id " + settings.client_id;
}

}  // namespace

IdentityHeaderReader ProcessIdentityHeader(Secret configured) {
  return [configured = std::move(configured)]() -> std::string {
    if (const char* value = std::getenv("IDENTITY_HEADER"); value && *value) return value;
    return configured.Reveal();
  };
}

std::string DescribeManagedIdentityError(const HttpResponse& response, const std::string& audience_uri,
                                         const Settings& settings) {
  std::string message = "the managed identity endpoint rejected the token request for " + audience_uri + " for " +
                        IdentityName(settings) + " with HTTP " + std::to_string(response.status) + ": " +
                        ErrorDetail(response.body);
  switch (response.status) {
    case 400:
      if (!settings.client_id.empty()) {
        return message + ". No identity with client id " + settings.client_id +
               " is assigned to this Function App: add the user-assigned identity under Identity > User assigned, "
               "or check AZURE_CLIENT_ID, or unset it to use the system-assigned identity";
      }
      return message + ". Turn on the system-assigned identity under Identity > System assigned, or set "
                       "AZURE_CLIENT_ID to the client id of a user-assigned identity assigned to the app";
    case 401:
    case 403:
      return message + ". The endpoint rejected X-IDENTITY-HEADER: IDENTITY_HEADER is set by the platform and "
                       "changes when it rotates, so never copy it into the app settings; restart the Function App";
    case 404:
      return message + ". IDENTITY_ENDPOINT, which the platform sets, does not serve tokens; check that no app "
                       "setting overrides it";
    default:
      if (response.status >= 500) {
        return message + ". The endpoint could not get a token from Entra ID. This is often temporary and the "
                         "next run tries again; if it persists, check that the identity is turned on and that "
                         "AZURE_CLOUD names the cloud the app runs in";
      }
      return message;
  }
}

ManagedIdentitySource::ManagedIdentitySource(const Settings& settings, HttpTransport& transport)
    : ManagedIdentitySource(settings, transport, ProcessIdentityHeader(settings.identity_header)) {}

ManagedIdentitySource::ManagedIdentitySource(const Settings& settings, HttpTransport& transport,
                                             IdentityHeaderReader read_header)
    : settings_(settings), transport_(transport), read_header_(std::move(read_header)) {}

std::string ManagedIdentitySource::Describe() const {
  return IdentityName(settings_) + " (" + settings_.identity_endpoint + ")";
}

std::string ManagedIdentitySource::RequestUrl(const std::string& audience_uri) const {
  const std::string& endpoint = settings_.identity_endpoint;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&");
  url += "resource=" + PercentEncode(audience_uri) + "&api-version=" + kManagedIdentityApiVersion;
  if (!settings_.client_id.empty()) url += "&client_id=" + PercentEncode(settings_.client_id);
  return url;
}

AccessToken ManagedIdentitySource::Acquire(const std::string& audience_uri, RetryContext& context) {
  const auto url = Url::Parse(RequestUrl(audience_uri));
  if (!url) throw ConfigurationError("IDENTITY_ENDPOINT is not a URL: '" + settings_.identity_endpoint + "'");

  auto build = [&](int) {
    const std::string header = read_header_();
    if (header.empty()) {
      throw ConfigurationError("IDENTITY_HEADER is missing; the platform sets it together with IDENTITY_ENDPOINT, "
                               "so restart the Function App, or set a client secret or certificate instead");
    }
    SecretScrubber::Global().Add(header);

    HttpRequest request;
    request.url = *url;
    request.timeout = kRequestTimeout;
    request.headers = {{"X-IDENTITY-HEADER", header}, {"Accept", "application/json"}};
    return request;
  };
  const HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyTransient, RetryPolicy{}, context,
                                            "managed identity token request for " + audience_uri);
  if (!outcome.response) {
    throw CollectionError("the managed identity endpoint could not be reached for " + audience_uri + ": " +
                          outcome.transport_error + "; IDENTITY_ENDPOINT is set by the platform, so check that no "
                          "app setting overrides it");
  }
  if (outcome.response->status != 200) {
    throw CollectionError(DescribeManagedIdentityError(*outcome.response, audience_uri, settings_));
  }
  return ParseTokenReply(outcome.response->body, context.clock.Now(), audience_uri);
}

}  // namespace mt

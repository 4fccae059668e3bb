// Entra ID access tokens, one per audience, cached and refreshed ahead of
// expiry, from a client secret, a client certificate or a managed identity.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http_client.hpp"
#include "retry.hpp"
#include "secret.hpp"
#include "settings.hpp"

namespace mt {

enum class Audience { kGraph, kExchangeReporting, kLogAnalytics, kMonitor, kStorage };

// The resource URI of an audience in the configured cloud, without
// `/.default`, e.g. https://monitor.azure.com.
std::string AudienceUri(const Settings& settings, Audience audience);

struct AccessToken {
  Secret value;
  Instant expires_on;
};

// One way of obtaining a token: client secret, client certificate or
// managed identity.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual AccessToken Acquire(const std::string& audience_uri, RetryContext& context) = 0;
  virtual std::string Describe() const = 0;  // for logs: "client secret of app <id>"
};

// The Entra v2 token endpoint of the configured tenant and authority, e.g.
// https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token. It is also
// the `aud` of a client assertion. Raises ConfigurationError when
// AZURE_AUTHORITY_HOST does not make a URL.
Url TokenEndpoint(const Settings& settings);

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Sends a client credentials grant for `audience_uri` to the token endpoint.
// `credential_fields` returns the fields that prove the client's identity:
// `client_secret`, or `client_assertion_type` and `client_assertion`. It is
// called for every attempt, so that an assertion is fresh each time.
// `credential` names the credential in error messages. Raises
// CollectionError with DescribeTokenError's message when Entra rejects it.
AccessToken RequestClientCredentialsToken(const Settings& settings, HttpTransport& transport,
                                          const std::string& audience_uri,
                                          const std::function<FormFields()>& credential_fields,
                                          const std::string& credential, RetryContext& context);

// Client credentials with a secret (OAuth 2.0, Entra v2 token endpoint).
class ClientSecretSource : public TokenSource {
 public:
  ClientSecretSource(const Settings& settings, HttpTransport& transport);
  AccessToken Acquire(const std::string& audience_uri, RetryContext& context) override;
  std::string Describe() const override;

 private:
  const Settings& settings_;
  HttpTransport& transport_;
};

// Picks the credential the settings configure: a client secret, else a
// client certificate, else the managed identity at IDENTITY_ENDPOINT.
// Raises ConfigurationError when none is usable, or when the certificate
// file cannot be used.
std::unique_ptr<TokenSource> MakeTokenSource(const Settings& settings, HttpTransport& transport);

// Returns when a token acquired at `acquired` should be replaced. A token
// living 2 hours or more is replaced at half its lifetime, so that a failed
// refresh leaves hours to try again. Any other token is replaced 5 minutes
// before it expires.
Instant RefreshTime(Instant acquired, Instant expires_on);

// Caches one token per audience and replaces it at RefreshTime().
// Invalidate() drops a token an API rejected with 401. Every token it
// acquires is added to the process-wide SecretScrubber.
class TokenCache {
 public:
  TokenCache(const Settings& settings, std::unique_ptr<TokenSource> source);

  // Returns a token for `audience`, acquiring one when none is cached or
  // the cached one is due for refresh. A failed refresh propagates unless
  // the cached token is still more than 5 minutes from expiry. In that case
  // Get logs a warning and returns the cached token.
  const Secret& Get(Audience audience, RetryContext& context);
  void Invalidate(Audience audience);
  std::string Describe() const { return source_->Describe(); }

 private:
  struct Entry {
    AccessToken token;
    Instant refresh_at;
  };

  const Settings& settings_;
  std::unique_ptr<TokenSource> source_;
  std::map<Audience, Entry> tokens_;
};

// Reads an Entra or managed identity token reply: `expires_in` as seconds
// (number or numeric string), else `expires_on` as epoch seconds (number
// or numeric string), ISO 8601 or RFC 1123. Raises CollectionError naming
// what is wrong with it.
AccessToken ParseTokenReply(const std::string& body, Instant now, const std::string& audience_uri);

// Turns an Entra error reply (`error`, `error_description`, `error_codes`)
// into a message that names the fix.
std::string DescribeTokenError(const HttpResponse& response, const std::string& audience_uri,
                               const std::string& credential);

}  // namespace mt

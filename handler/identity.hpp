// Entra ID access tokens, one per audience, cached and refreshed ahead of
// expiry.
#pragma once

#include <map>
#include <memory>
#include <string>

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

// Picks the credential the settings configure. Raises ConfigurationError
// when none is usable.
std::unique_ptr<TokenSource> MakeTokenSource(const Settings& settings, HttpTransport& transport);

// Caches one token per audience and refreshes it five minutes before it
// expires; Invalidate() drops a token an API rejected with 401.
class TokenCache {
 public:
  TokenCache(const Settings& settings, std::unique_ptr<TokenSource> source);

  const Secret& Get(Audience audience, RetryContext& context);
  void Invalidate(Audience audience);

 private:
  const Settings& settings_;
  std::unique_ptr<TokenSource> source_;
  std::map<Audience, AccessToken> tokens_;
};

// Reads an Entra token reply (v2 `expires_in`, or `expires_on` as epoch
// seconds in a number or a string). Raises CollectionError naming what is
// wrong with it.
AccessToken ParseTokenReply(const std::string& body, Instant now, const std::string& audience_uri);

// Turns an Entra error reply (`error`, `error_description`, `error_codes`)
// into a message that says what to fix.
std::string DescribeTokenError(const HttpResponse& response, const std::string& audience_uri,
                               const std::string& credential);

}  // namespace mt

// Managed identity tokens from the App Service / Azure Functions identity
// endpoint (IDENTITY_ENDPOINT, api-version 2019-08-01).
#pragma once

#include <functional>
#include <string>

#include "identity.hpp"

namespace mt {

// The App Service identity protocol version this source speaks.
constexpr const char* kManagedIdentityApiVersion = "2019-08-01";

// Returns the current IDENTITY_HEADER.
using IdentityHeaderReader = std::function<std::string()>;

// Reads IDENTITY_HEADER from the process environment on every call, because
// the platform rotates it; falls back to `configured` (the value from
// --settings FILE) when the variable is unset.
IdentityHeaderReader ProcessIdentityHeader(Secret configured);

// The system-assigned identity, or with AZURE_CLIENT_ID the user-assigned
// identity with that client id. Each request is
// `GET {IDENTITY_ENDPOINT}?resource=<audience>&api-version=2019-08-01[&client_id=<id>]`
// with the header `X-IDENTITY-HEADER`; the resource carries no `/.default`.
class ManagedIdentitySource : public TokenSource {
 public:
  ManagedIdentitySource(const Settings& settings, HttpTransport& transport);
  ManagedIdentitySource(const Settings& settings, HttpTransport& transport, IdentityHeaderReader read_header);

  AccessToken Acquire(const std::string& audience_uri, RetryContext& context) override;
  std::string Describe() const override;

  // The request URL for `audience_uri`.
  std::string RequestUrl(const std::string& audience_uri) const;

 private:
  const Settings& settings_;
  HttpTransport& transport_;
  IdentityHeaderReader read_header_;
};

// Turns an identity endpoint error (`{"statusCode":400,"message":...,
// "correlationId":...}`, or an Entra error reply passed through) into a
// message that names the fix.
std::string DescribeManagedIdentityError(const HttpResponse& response, const std::string& audience_uri,
                                         const Settings& settings);

}  // namespace mt

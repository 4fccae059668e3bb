// Client certificate credentials: a JWT client assertion (RFC 7523) signed
// with the private key from AZURE_CLIENT_CERTIFICATE_PATH, sent in place of
// a client secret.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "identity.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace mt {

// An RSA certificate and its private key, read from one unencrypted PEM file.
class ClientCertificate {
 public:
  // Reads the file. The certificate used is the one whose public key matches
  // the private key, so a chain after the leaf is fine. Raises
  // ConfigurationError naming the path (never the key) when the file cannot
  // be read, contains no certificate or no private key, the key is encrypted or
  // not RSA, or the key belongs to none of the certificates.
  static ClientCertificate Load(const std::string& path);

  // base64url of the SHA-1 digest of the DER certificate (JWS `x5t`).
  std::string Sha1Thumbprint() const;
  // base64url of the SHA-256 digest of the DER certificate (`x5t#S256`).
  std::string Sha256Thumbprint() const;
  // The certificate's notAfter.
  Instant NotAfter() const { return not_after_; }
  const std::string& Path() const { return path_; }

  // Signs `data` with SHA-256 and RSASSA-PKCS1-v1_5 (RS256) or RSASSA-PSS
  // with MGF1-SHA-256 and a 32-byte salt (PS256, RFC 7518 section 3.5).
  std::string Sign(std::string_view data, AssertionAlgorithm algorithm) const;

 private:
  std::string path_;
  std::shared_ptr<EVP_PKEY> key_;
  std::vector<unsigned char> der_;  // the certificate
  Instant not_after_;
};

// How long a client assertion is valid; Entra ID accepts it only between
// `nbf` and `exp`.
constexpr Ticks kClientAssertionLifetime = std::chrono::minutes{10};

// Builds a signed client assertion: header `alg` PS256 with `x5t#S256`, or
// RS256 with `x5t`; claims `aud` = `token_url`, `iss` = `sub` = `client_id`,
// a random GUID `jti`, and `nbf`, `iat` = `now`, `exp` = `now` +
// kClientAssertionLifetime, in whole epoch seconds.
std::string BuildClientAssertion(const ClientCertificate& certificate, AssertionAlgorithm algorithm,
                                 const std::string& token_url, const std::string& client_id, Instant now);

// base64url without padding (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view bytes);

// Client credentials with a certificate: a fresh assertion for every token
// request, each added to the process-wide SecretScrubber because it can be
// replayed until it expires.
class ClientCertificateSource : public TokenSource {
 public:
  ClientCertificateSource(const Settings& settings, HttpTransport& transport, ClientCertificate certificate);
  AccessToken Acquire(const std::string& audience_uri, RetryContext& context) override;
  std::string Describe() const override;

 private:
  const Settings& settings_;
  HttpTransport& transport_;
  ClientCertificate certificate_;
};

}  // namespace mt

#include "client_assertion.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

constexpr const char* kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

using X509Pointer = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPointer = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// The text of the newest OpenSSL error, for messages about our own calls;
// it never contains key material.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const std::string reason = std::strerror(errno);
    throw ConfigurationError("AZURE_CLIENT_CERTIFICATE_PATH names a file that cannot be read: " + Quoted(path) +
                             " (" + reason + "); check the path and that the Function App may read it");
  }
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// Declines every password request, so that an encrypted key fails to load
// instead of prompting on the terminal.
int NoPassword(char*, int, int, void*) { return 0; }

std::vector<X509Pointer> ReadCertificates(const std::string& pem) {
  std::vector<X509Pointer> certificates;
  BioPointer bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr)) {
    certificates.emplace_back(certificate, X509_free);
  }
  ERR_clear_error();  // the loop ends with a "no start line" error
  return certificates;
}

Instant ToInstant(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return Instant{};
  return std::chrono::time_point_cast<Ticks>(std::chrono::system_clock::from_time_t(timegm(&parts)));
}

std::string Digest(const std::vector<unsigned char>& data, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1) {
    throw CollectionError("hashing the client certificate failed: " + OpenSslError());
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string RandomGuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw CollectionError("no random bytes for a jti: " + OpenSslError());
  bytes[6] = (bytes[6] & 0x0F) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string guid;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) guid += '-';
    guid += kHex[bytes[i] >> 4];
    guid += kHex[bytes[i] & 0xF];
  }
  return guid;
}

std::int64_t EpochSeconds(Instant instant) {
  return std::chrono::floor<std::chrono::seconds>(instant).time_since_epoch().count();
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(written);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

ClientCertificate ClientCertificate::Load(const std::string& path) {
  const std::string pem = ReadWholeFile(path);
  const std::string fix = "; put the certificate and its unencrypted RSA private key in one PEM file";

  if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
      pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos) {
    throw ConfigurationError("the private key in " + Quoted(path) +
                             " (AZURE_CLIENT_CERTIFICATE_PATH) is encrypted, and this handler reads unencrypted "
                             "keys only; export the key without a password, e.g. with `openssl pkey`, and keep the "
                             "file readable by the Function App alone");
  }

  std::vector<X509Pointer> certificates = ReadCertificates(pem);
  if (certificates.empty()) {
    throw ConfigurationError(Quoted(path) + " (AZURE_CLIENT_CERTIFICATE_PATH) contains no certificate (no "
                             "-----BEGIN CERTIFICATE----- block)" + fix);
  }

  BioPointer bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* raw_key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  ERR_clear_error();
  if (!raw_key) {
    throw ConfigurationError(Quoted(path) + " (AZURE_CLIENT_CERTIFICATE_PATH) contains no readable private key (no "
                             "-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- block)" + fix);
  }
  std::shared_ptr<EVP_PKEY> key(raw_key, EVP_PKEY_free);
  if (!EVP_PKEY_is_a(key.get(), "RSA")) {
    const char* type = EVP_PKEY_get0_type_name(key.get());
    throw ConfigurationError("the private key in " + Quoted(path) + " (AZURE_CLIENT_CERTIFICATE_PATH) is " +
                             (type ? type : "not RSA") +
                             ", but Entra ID client assertions are signed with RSA; create an RSA certificate");
  }

  X509* match = nullptr;
  for (const auto& certificate : certificates) {
    if (X509_check_private_key(certificate.get(), key.get()) == 1) {
      match = certificate.get();
      break;
    }
  }
  ERR_clear_error();
  if (!match) {
    throw ConfigurationError("the private key in " + Quoted(path) +
                             " (AZURE_CLIENT_CERTIFICATE_PATH) belongs to none of its certificates; put the "
                             "certificate and the key made with it in the file");
  }

  ClientCertificate result;
  result.path_ = path;
  result.key_ = std::move(key);
  const int size = i2d_X509(match, nullptr);
  result.der_.resize(size > 0 ? size : 0);
  unsigned char* out = result.der_.data();
  if (size <= 0 || i2d_X509(match, &out) != size) {
    throw ConfigurationError("the certificate in " + Quoted(path) + " cannot be encoded: " + OpenSslError());
  }
  result.not_after_ = ToInstant(X509_get0_notAfter(match));
  return result;
}

std::string ClientCertificate::Sha1Thumbprint() const { return Base64UrlEncode(Digest(der_, EVP_sha1())); }

std::string ClientCertificate::Sha256Thumbprint() const { return Base64UrlEncode(Digest(der_, EVP_sha256())); }

std::string ClientCertificate::Sign(std::string_view data, AssertionAlgorithm algorithm) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;
  bool ready = context && EVP_DigestSignInit(context.get(), &key_context, EVP_sha256(), nullptr, key_.get()) == 1;
  if (ready && algorithm == AssertionAlgorithm::kPs256) {
    // OpenSSL signs PSS with the longest salt unless configured otherwise,
    // but JWS PS256 requires the digest length, 32 bytes.
    ready = EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, EVP_sha256()) == 1;
  } else if (ready) {
    ready = EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) == 1;
  }

  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  ready = ready && EVP_DigestSign(context.get(), nullptr, &length, bytes, data.size()) == 1;
  std::string signature(length, '\0');
  ready = ready && EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes,
                                  data.size()) == 1;
  if (!ready) {
    throw CollectionError("signing the client assertion with the key in " + Quoted(path_) +
                          " failed: " + OpenSslError());
  }
  signature.resize(length);
  return signature;
}

std::string BuildClientAssertion(const ClientCertificate& certificate, AssertionAlgorithm algorithm,
                                 const std::string& token_url, const std::string& client_id, Instant now) {
  json::object header;
  header["typ"] = "JWT";
  if (algorithm == AssertionAlgorithm::kPs256) {
    header["alg"] = "PS256";
    header["x5t#S256"] = certificate.Sha256Thumbprint();
  } else {
    header["alg"] = "RS256";
    header["x5t"] = certificate.Sha1Thumbprint();
  }

  const std::int64_t issued = EpochSeconds(now);
  json::object claims;
  claims["aud"] = token_url;
  claims["iss"] = client_id;
  claims["sub"] = client_id;
  claims["jti"] = RandomGuid();
  claims["nbf"] = issued;
  claims["iat"] = issued;
  claims["exp"] = issued + std::chrono::duration_cast<std::chrono::seconds>(kClientAssertionLifetime).count();

  const std::string signing_input =
      Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(claims));
  return signing_input + "." + Base64UrlEncode(certificate.Sign(signing_input, algorithm));
}

ClientCertificateSource::ClientCertificateSource(const Settings& settings, HttpTransport& transport,
                                                 ClientCertificate certificate)
    : settings_(settings), transport_(transport), certificate_(std::move(certificate)) {}

std::string ClientCertificateSource::Describe() const {
  return "client certificate of app " + settings_.client_id + " (" + certificate_.Path() + ")";
}

AccessToken ClientCertificateSource::Acquire(const std::string& audience_uri, RetryContext& context) {
  if (context.clock.Now() >= certificate_.NotAfter()) {
    throw CollectionError("the certificate in " + Quoted(certificate_.Path()) +
                          " (AZURE_CLIENT_CERTIFICATE_PATH) expired at " + FormatIsoSeconds(certificate_.NotAfter()) +
                          "; create a new one, upload its public part to the app registration and replace the file");
  }
  const std::string token_url = TokenEndpoint(settings_).ToString();
  auto fields = [&]() -> FormFields {
    std::string assertion =
        BuildClientAssertion(certificate_, settings_.assertion_algorithm, token_url, settings_.client_id,
                             context.clock.Now());
    SecretScrubber::Global().Add(assertion);
    return {{"client_assertion_type", kAssertionType}, {"client_assertion", std::move(assertion)}};
  };
  return RequestClientCredentialsToken(settings_, transport_, audience_uri, fields, Describe(), context);
}

}  // namespace mt

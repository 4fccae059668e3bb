#include <gtest/gtest.h>

#include <openssl/rsa.h>

#include <boost/json.hpp>

#include "client_assertion.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "test_certificate.hpp"

namespace mt {
namespace {

namespace json = boost::json;
using testing::CertificatePem;
using testing::KeyPem;
using testing::ManualClock;
using testing::NewEcKey;
using testing::NewRsaKey;
using testing::Reply;
using testing::ScriptedTransport;
using testing::SelfSigned;
using testing::TempDirectory;

const Instant kNow = *ParseIso8601("2026-12-04T12:00:00Z");
const std::string kClientId = "00000000-0000-0000-0000-0000000000c1";
const std::string kTokenUrl = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";

std::string Base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(size - std::count(text.begin(), text.end(), '='));
  return out;
}

std::string Hash(const std::string& data, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Der(X509* certificate) {
  unsigned char* out = nullptr;
  const int size = i2d_X509(certificate, &out);
  std::string der(reinterpret_cast<const char*>(out), size);
  OPENSSL_free(out);
  return der;
}

// Verifies with the certificate's public key; for PSS the salt must be
// exactly the digest length, as JWS PS256 requires.
bool VerifySignature(X509* certificate, const std::string& input, const std::string& signature, bool pss) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;
  if (EVP_DigestVerifyInit(context.get(), &key_context, EVP_sha256(), nullptr, X509_get0_pubkey(certificate)) != 1) {
    return false;
  }
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST);
    EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, EVP_sha256());
  } else {
    EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING);
  }
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

struct Jwt {
  json::object header;
  json::object claims;
  std::string signing_input;
  std::string signature;
};

Jwt Decode(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  Jwt jwt;
  jwt.header = json::parse(Base64UrlDecode(token.substr(0, first))).as_object();
  jwt.claims = json::parse(Base64UrlDecode(token.substr(first + 1, second - first - 1))).as_object();
  jwt.signing_input = token.substr(0, second);
  jwt.signature = Base64UrlDecode(token.substr(second + 1));
  return jwt;
}

struct CertificateFile {
  testing::KeyPointer key = NewRsaKey();
  testing::CertificatePointer certificate = SelfSigned(key.get());
  TempDirectory directory;
  std::string path = directory.Write("app.pem", KeyPem(key.get()) + CertificatePem(certificate.get()));
};

std::string LoadError(const std::string& path) {
  try {
    ClientCertificate::Load(path);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return {};
}

TEST(ClientAssertion, Ps256SignatureAndEveryClaim) {
  CertificateFile file;
  const ClientCertificate certificate = ClientCertificate::Load(file.path);
  const std::string token = BuildClientAssertion(certificate, AssertionAlgorithm::kPs256, kTokenUrl, kClientId, kNow);
  const Jwt jwt = Decode(token);

  EXPECT_EQ(jwt.header.at("alg").as_string(), "PS256");
  EXPECT_EQ(jwt.header.at("typ").as_string(), "JWT");
  EXPECT_EQ(jwt.header.at("x5t#S256").as_string(),
            Base64UrlEncode(Hash(Der(file.certificate.get()), EVP_sha256())));
  EXPECT_FALSE(jwt.header.contains("x5t"));
  EXPECT_EQ(jwt.claims.at("aud").as_string(), kTokenUrl);
  EXPECT_EQ(jwt.claims.at("iss").as_string(), kClientId);
  EXPECT_EQ(jwt.claims.at("sub").as_string(), kClientId);
  EXPECT_EQ(jwt.claims.at("nbf").as_int64(), 1796385600);
  EXPECT_EQ(jwt.claims.at("exp").as_int64(), 1796385600 + 600);
  EXPECT_EQ(jwt.claims.at("jti").as_string().size(), 36u);

  EXPECT_EQ(jwt.signature.size(), 256u);
  EXPECT_TRUE(VerifySignature(file.certificate.get(), jwt.signing_input, jwt.signature, true));
  EXPECT_FALSE(VerifySignature(file.certificate.get(), jwt.signing_input, jwt.signature, false));
  EXPECT_FALSE(VerifySignature(file.certificate.get(), jwt.signing_input + "x", jwt.signature, true));
}

TEST(ClientAssertion, Rs256UsesSha1Thumbprint) {
  CertificateFile file;
  const ClientCertificate certificate = ClientCertificate::Load(file.path);
  const Jwt jwt = Decode(BuildClientAssertion(certificate, AssertionAlgorithm::kRs256, kTokenUrl, kClientId, kNow));

  EXPECT_EQ(jwt.header.at("alg").as_string(), "RS256");
  EXPECT_EQ(jwt.header.at("x5t").as_string(), Base64UrlEncode(Hash(Der(file.certificate.get()), EVP_sha1())));
  EXPECT_FALSE(jwt.header.contains("x5t#S256"));
  EXPECT_TRUE(VerifySignature(file.certificate.get(), jwt.signing_input, jwt.signature, false));
}

TEST(ClientAssertion, EveryAssertionHasANewJti) {
  CertificateFile file;
  const ClientCertificate certificate = ClientCertificate::Load(file.path);
  const Jwt first = Decode(BuildClientAssertion(certificate, AssertionAlgorithm::kPs256, kTokenUrl, kClientId, kNow));
  const Jwt second = Decode(BuildClientAssertion(certificate, AssertionAlgorithm::kPs256, kTokenUrl, kClientId, kNow));
  EXPECT_NE(first.claims.at("jti").as_string(), second.claims.at("jti").as_string());
}

TEST(ClientAssertion, CertificateAfterChainAndKeyFirstOrLast) {
  CertificateFile file;
  auto other_key = NewRsaKey();
  auto other = SelfSigned(other_key.get());
  const std::string path = file.directory.Write(
      "chain.pem", CertificatePem(other.get()) + CertificatePem(file.certificate.get()) + KeyPem(file.key.get()));
  const ClientCertificate certificate = ClientCertificate::Load(path);
  EXPECT_EQ(certificate.Sha256Thumbprint(), Base64UrlEncode(Hash(Der(file.certificate.get()), EVP_sha256())));
}

TEST(ClientAssertion, Base64UrlHasNoPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(ClientCertificateFile, UnreadableFileNamesThePath) {
  const std::string error = LoadError("/nonexistent/app.pem");
  EXPECT_NE(error.find("cannot be read: '/nonexistent/app.pem'"), std::string::npos) << error;
}

TEST(ClientCertificateFile, MissingKeyOrCertificate) {
  CertificateFile file;
  const std::string key_pem = KeyPem(file.key.get());
  const std::string no_key = file.directory.Write("cert-only.pem", CertificatePem(file.certificate.get()));
  const std::string no_certificate = file.directory.Write("key-only.pem", key_pem);

  const std::string key_error = LoadError(no_key);
  EXPECT_NE(key_error.find("'" + no_key + "' (AZURE_CLIENT_CERTIFICATE_PATH) contains no readable private key"),
            std::string::npos)
      << key_error;
  const std::string certificate_error = LoadError(no_certificate);
  EXPECT_NE(certificate_error.find("contains no certificate"), std::string::npos) << certificate_error;
  EXPECT_NE(certificate_error.find(no_certificate), std::string::npos);

  // The key's base64 body never appears in a message.
  const std::string key_body = key_pem.substr(key_pem.find('\n') + 1, 64);
  EXPECT_EQ(certificate_error.find(key_body), std::string::npos);
}

TEST(ClientCertificateFile, EncryptedKeyIsRejected) {
  CertificateFile file;
  const std::string path = file.directory.Write(
      "encrypted.pem", KeyPem(file.key.get(), "correct horse") + CertificatePem(file.certificate.get()));
  const std::string error = LoadError(path);
  EXPECT_NE(error.find("is encrypted"), std::string::npos) << error;
  EXPECT_NE(error.find(path), std::string::npos);
}

TEST(ClientCertificateFile, EcKeyIsRejected) {
  TempDirectory directory;
  auto key = NewEcKey();
  auto certificate = SelfSigned(key.get());
  const std::string path = directory.Write("ec.pem", KeyPem(key.get()) + CertificatePem(certificate.get()));
  const std::string error = LoadError(path);
  EXPECT_NE(error.find("is EC"), std::string::npos) << error;
  EXPECT_NE(error.find("create an RSA certificate"), std::string::npos);
}

TEST(ClientCertificateFile, KeyOfAnotherCertificateIsRejected) {
  CertificateFile file;
  auto other_key = NewRsaKey();
  const std::string path =
      file.directory.Write("mismatch.pem", KeyPem(other_key.get()) + CertificatePem(file.certificate.get()));
  EXPECT_NE(LoadError(path).find("belongs to none of its certificates"), std::string::npos);
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    const std::string part = body.substr(start, end - start);
    const std::size_t equals = part.find('=');
    std::string value;
    const std::string raw = part.substr(equals + 1);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size()) {
        value += char(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        value += raw[i];
      }
    }
    fields[part.substr(0, equals)] = value;
    start = end + 1;
  }
  return fields;
}

TEST(ClientCertificateSource, PostsAFreshAssertionPerAttempt) {
  CertificateFile file;
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = kClientId;
  settings.authority_host = "https://login.microsoftonline.com";
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
  ClientCertificateSource source(settings, transport, ClientCertificate::Load(file.path));

  transport.Push(Reply(503, "{}"));
  transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"certificate-token-1"})"));
  const AccessToken token = source.Acquire("https://monitor.azure.com", context);
  EXPECT_EQ(token.value.Reveal(), "certificate-token-1");

  ASSERT_EQ(transport.requests.size(), 2u);
  const auto first = ParseForm(transport.requests[0].body);
  const auto second = ParseForm(transport.requests[1].body);
  EXPECT_EQ(transport.requests[1].url.ToString(), kTokenUrl);
  EXPECT_EQ(second.at("client_id"), kClientId);
  EXPECT_EQ(second.at("scope"), "https://monitor.azure.com/.default");
  EXPECT_EQ(second.at("grant_type"), "client_credentials");
  EXPECT_EQ(second.at("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  EXPECT_EQ(second.count("client_secret"), 0u);

  const Jwt jwt = Decode(second.at("client_assertion"));
  EXPECT_EQ(jwt.claims.at("aud").as_string(), kTokenUrl);
  EXPECT_TRUE(VerifySignature(file.certificate.get(), jwt.signing_input, jwt.signature, true));
  EXPECT_NE(Decode(first.at("client_assertion")).claims.at("jti").as_string(), jwt.claims.at("jti").as_string());
  // The assertion can be replayed until it expires, so it is a secret.
  EXPECT_EQ(ScrubSecrets(second.at("client_assertion")), Secret::kRedacted);
}

TEST(ClientCertificateSource, ExpiredCertificateSaysWhatToDo) {
  TempDirectory directory;
  auto key = NewRsaKey();
  auto certificate = SelfSigned(key.get(), 1);
  const std::string path = directory.Write("short.pem", KeyPem(key.get()) + CertificatePem(certificate.get()));
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = kClientId;
  settings.authority_host = "https://login.microsoftonline.com";
  ScriptedTransport transport;
  ManualClock clock{std::chrono::time_point_cast<Ticks>(std::chrono::system_clock::now()) + std::chrono::hours{48}};
  RunLog log{"", false};
  RetryContext context{clock, log, clock.Now() + std::chrono::minutes{8}};
  ClientCertificateSource source(settings, transport, ClientCertificate::Load(path));
  try {
    source.Acquire("https://monitor.azure.com", context);
    FAIL() << "an expired certificate was used";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("expired at"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(transport.requests.empty());
}

}  // namespace
}  // namespace mt

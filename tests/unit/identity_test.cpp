#include <gtest/gtest.h>

#include "client_assertion.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "identity.hpp"
#include "managed_identity.hpp"
#include "test_certificate.hpp"

namespace mt {
namespace {

using testing::ManualClock;
using testing::Reply;
using testing::ScriptedTransport;

const Instant kNow = *ParseIso8601("2026-12-04T12:00:00Z");

// Issues "token-1", "token-2", ... living `lifetime`, or raises
// CollectionError while `failing` is set.
class CountingSource : public TokenSource {
 public:
  explicit CountingSource(Ticks lifetime) : lifetime_(lifetime) {}

  AccessToken Acquire(const std::string& audience_uri, RetryContext& context) override {
    audiences.push_back(audience_uri);
    if (failing) throw CollectionError("the token endpoint is down");
    ++issued;
    return {Secret("token-" + std::to_string(issued) + "-for-the-cache-test"), context.clock.Now() + lifetime_};
  }
  std::string Describe() const override { return "counting source"; }

  int issued = 0;
  bool failing = false;
  std::vector<std::string> audiences;

 private:
  Ticks lifetime_;
};

struct CacheFixture {
  explicit CacheFixture(Ticks lifetime) {
    auto owned = std::make_unique<CountingSource>(lifetime);
    source = owned.get();
    cache = std::make_unique<TokenCache>(settings, std::move(owned));
  }
  std::string Get(Audience audience = Audience::kMonitor) { return cache->Get(audience, context).Reveal(); }

  Settings settings;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::hours{48}};
  CountingSource* source = nullptr;
  std::unique_ptr<TokenCache> cache;
};

TEST(TokenCache, OneTokenPerAudience) {
  CacheFixture f(std::chrono::minutes{60});
  EXPECT_EQ(f.Get(Audience::kMonitor), "token-1-for-the-cache-test");
  EXPECT_EQ(f.Get(Audience::kGraph), "token-2-for-the-cache-test");
  EXPECT_EQ(f.Get(Audience::kMonitor), "token-1-for-the-cache-test");
  EXPECT_EQ(f.Get(Audience::kStorage), "token-3-for-the-cache-test");
  EXPECT_EQ(f.source->audiences,
            (std::vector<std::string>{"https://monitor.azure.com", "https://graph.microsoft.com",
                                      "https://storage.azure.com"}));
}

TEST(TokenCache, RefreshesFiveMinutesBeforeExpiry) {
  CacheFixture f(std::chrono::minutes{60});
  f.Get();
  f.clock.Advance(std::chrono::minutes{55} - std::chrono::seconds{1});
  EXPECT_EQ(f.Get(), "token-1-for-the-cache-test");
  f.clock.Advance(std::chrono::seconds{1});
  EXPECT_EQ(f.Get(), "token-2-for-the-cache-test");
}

TEST(TokenCache, RefreshesLongTokensAtHalfLife) {
  CacheFixture f(std::chrono::hours{24});
  f.Get();
  f.clock.Advance(std::chrono::hours{12} - std::chrono::seconds{1});
  EXPECT_EQ(f.Get(), "token-1-for-the-cache-test");
  f.clock.Advance(std::chrono::seconds{1});
  EXPECT_EQ(f.Get(), "token-2-for-the-cache-test");
}

TEST(TokenCache, RefreshTimeBoundaries) {
  EXPECT_EQ(RefreshTime(kNow, kNow + std::chrono::hours{2}), kNow + std::chrono::hours{1});
  EXPECT_EQ(RefreshTime(kNow, kNow + std::chrono::hours{24}), kNow + std::chrono::hours{12});
  const Instant just_under = kNow + std::chrono::hours{2} - std::chrono::seconds{1};
  EXPECT_EQ(RefreshTime(kNow, just_under), just_under - std::chrono::minutes{5});
  EXPECT_EQ(RefreshTime(kNow, kNow + std::chrono::minutes{3}), kNow - std::chrono::minutes{2});
}

TEST(TokenCache, ShortLivedTokensAreFetchedForEveryCall) {
  CacheFixture f(std::chrono::minutes{4});
  EXPECT_EQ(f.Get(), "token-1-for-the-cache-test");
  EXPECT_EQ(f.Get(), "token-2-for-the-cache-test");
}

TEST(TokenCache, FailedEarlyRefreshKeepsTheToken) {
  CacheFixture f(std::chrono::hours{24});
  f.Get();
  f.source->failing = true;
  f.clock.Advance(std::chrono::hours{12});
  EXPECT_EQ(f.Get(), "token-1-for-the-cache-test");
  ASSERT_EQ(f.log.Lines().size(), 1u);
  EXPECT_NE(f.log.Lines()[0].find("warning: refreshing the token for https://monitor.azure.com failed: the token "
                                  "endpoint is down; the current token stays in use until 2026-12-05T12:00:00Z"),
            std::string::npos)
      << f.log.Lines()[0];
  EXPECT_EQ(f.source->audiences.size(), 2u);

  // The next attempt waits a minute.
  f.clock.Advance(std::chrono::seconds{59});
  f.Get();
  EXPECT_EQ(f.source->audiences.size(), 2u);
  f.clock.Advance(std::chrono::seconds{1});
  f.Get();
  EXPECT_EQ(f.source->audiences.size(), 3u);

  // Within five minutes of expiry the failure is the caller's.
  f.clock.Advance(std::chrono::hours{12} - std::chrono::minutes{6});
  EXPECT_THROW(f.Get(), CollectionError);
  f.source->failing = false;
  EXPECT_EQ(f.Get(), "token-2-for-the-cache-test");
}

TEST(TokenCache, InvalidateFetchesANewToken) {
  CacheFixture f(std::chrono::minutes{60});
  f.Get();
  f.cache->Invalidate(Audience::kMonitor);
  EXPECT_EQ(f.Get(), "token-2-for-the-cache-test");
  EXPECT_EQ(f.Get(Audience::kGraph), "token-3-for-the-cache-test");
  f.cache->Invalidate(Audience::kMonitor);
  EXPECT_EQ(f.Get(Audience::kGraph), "token-3-for-the-cache-test");
}

TEST(TokenCache, AcquiredTokensAreScrubbed) {
  CacheFixture f(std::chrono::minutes{60});
  const std::string token = f.Get();
  EXPECT_EQ(ScrubSecrets("Authorization: Bearer " + token), "Authorization: Bearer **REDACTED**");
}

TEST(TokenReply, ExpiryFormats) {
  const std::string uri = "https://monitor.azure.com";
  const std::string token = R"("access_token":"abc",)";
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":3599})", kNow, uri).expires_on,
            kNow + std::chrono::seconds{3599});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":"3599"})", kNow, uri).expires_on,
            kNow + std::chrono::seconds{3599});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_on":"1796389200"})", kNow, uri).expires_on,
            kNow + std::chrono::hours{1});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_on":1796389200})", kNow, uri).expires_on,
            kNow + std::chrono::hours{1});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_on":"2026-12-04T13:00:00Z"})", kNow, uri).expires_on,
            kNow + std::chrono::hours{1});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_on":"Fri, 04 Dec 2026 13:00:00 GMT"})", kNow, uri).expires_on,
            kNow + std::chrono::hours{1});
  // A relative lifetime wins over a clock-dependent instant.
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":60,"expires_on":"1796389200"})", kNow, uri).expires_on,
            kNow + std::chrono::seconds{60});
  EXPECT_THROW(ParseTokenReply("{" + token + R"("expires_on":"soon"})", kNow, uri), CollectionError);
  EXPECT_THROW(ParseTokenReply(R"({"expires_in":60})", kNow, uri), CollectionError);
}

TEST(TokenReply, ExtremeLifetimesAreClampedToADay) {
  const std::string uri = "https://monitor.azure.com";
  const std::string token = R"("access_token":"abc",)";
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":1e300})", kNow, uri).expires_on, kNow + std::chrono::hours{24});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":1000000000000000})", kNow, uri).expires_on,
            kNow + std::chrono::hours{24});
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_in":-5})", kNow, uri).expires_on, kNow);
  EXPECT_EQ(ParseTokenReply("{" + token + R"("expires_on":99999999999999999})", kNow, uri).expires_on,
            kNow + std::chrono::hours{24});
}

std::string EntraError(int code, const std::string& error, const std::string& text) {
  return R"({"error":")" + error + R"(","error_description":"AADSTS)" + std::to_string(code) + ": " + text +
         R"(\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: x","error_codes":[)" +
         std::to_string(code) + "]}";
}

TEST(TokenError, CodeDescriptionAndHint) {
  struct Case {
    int code;
    const char* hint;
  };
  const Case cases[] = {
      {7000215, "copy the secret's Value (not its ID) into AZURE_CLIENT_SECRET"},
      {7000222, "the client secret has expired"},
      {700016, "check AZURE_CLIENT_ID and AZURE_TENANT_ID"},
      {90002, "check AZURE_TENANT_ID and AZURE_CLOUD"},
      {700027, "upload the certificate in AZURE_CLIENT_CERTIFICATE_PATH"},
      {700024, "check this machine's clock"},
      {700023, "check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST"},
      {5002738, "set AZURE_CLIENT_ASSERTION_ALGORITHM=RS256"},
      {500011, "check AZURE_CLOUD"},
      {53003, "Conditional Access"},
  };
  for (const Case& c : cases) {
    HttpResponse response;
    response.status = 401;
    response.body = EntraError(c.code, "invalid_client", "Something went wrong.");
    const std::string message = DescribeTokenError(response, "https://graph.microsoft.com", "client secret of app x");
    EXPECT_NE(message.find("the token request for https://graph.microsoft.com with the client secret of app x failed "
                           "with HTTP 401: invalid_client (AADSTS" + std::to_string(c.code) +
                           ": Something went wrong.)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(c.hint), std::string::npos) << message;
    EXPECT_EQ(message.find("Trace ID"), std::string::npos) << message;
  }
}

TEST(ClientSecretSource, PostsTheSecretFormEncoded) {
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("a+b/c=d~e f&g");
  settings.authority_host = "https://login.microsoftonline.us";
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
  transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"secret-token"})"));

  ClientSecretSource source(settings, transport);
  EXPECT_EQ(source.Acquire("https://monitor.azure.us", context).value.Reveal(), "secret-token");
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& request = transport.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url.ToString(), "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(request.body,
            "client_id=00000000-0000-0000-0000-000000000001&scope=https%3A%2F%2Fmonitor.azure.us%2F.default"
            "&client_secret=a%2Bb%2Fc%3Dd~e%20f%26g&grant_type=client_credentials");
}

TEST(MakeTokenSource, SecretThenCertificateThenManagedIdentity) {
  testing::TempDirectory directory;
  auto key = testing::NewRsaKey();
  auto certificate = testing::SelfSigned(key.get());
  const std::string path =
      directory.Write("app.pem", testing::KeyPem(key.get()) + testing::CertificatePem(certificate.get()));
  ScriptedTransport transport;

  Settings settings;
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.identity_endpoint = "http://127.0.0.1:41741/msi/token";
  settings.identity_header = Secret("header-value-1234");
  EXPECT_NE(dynamic_cast<ManagedIdentitySource*>(MakeTokenSource(settings, transport).get()), nullptr);
  settings.client_certificate_path = path;
  EXPECT_NE(dynamic_cast<ClientCertificateSource*>(MakeTokenSource(settings, transport).get()), nullptr);
  settings.client_secret = Secret("secret-value-1234");
  EXPECT_NE(dynamic_cast<ClientSecretSource*>(MakeTokenSource(settings, transport).get()), nullptr);

  Settings none;
  EXPECT_THROW(MakeTokenSource(none, transport), ConfigurationError);
}

Environment BaseEnvironment() {
  return {{"AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
          {"AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"},
          {"AZURE_CLIENT_SECRET", "s3cr3t-value"},
          {"LOG_ANALYTICS_WORKSPACE_ID", "97ce69d9-b4be-4241-8dbd-d265edcf06c4"},
          {"LOGS_INGESTION_ENDPOINT", "https://my-dce.westeurope-1.ingest.monitor.azure.com/"},
          {"LOGS_INGESTION_DCR_ID", "dcr-0123456789abcdef0123456789abcdef"}};
}

std::string SettingsError(const Environment& environment) {
  try {
    LoadSettings(environment);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return {};
}

TEST(Clouds, PublicDefaults) {
  const Settings settings = LoadSettings(BaseEnvironment());
  EXPECT_EQ(settings.authority_host, "https://login.microsoftonline.com");
  EXPECT_EQ(settings.graph_endpoint, "https://graph.microsoft.com");
  EXPECT_EQ(settings.reporting_endpoint, "https://reports.office365.com");
  EXPECT_EQ(settings.query_endpoint, "https://api.loganalytics.azure.com");
  EXPECT_EQ(settings.data_collector_endpoint, "https://97ce69d9-b4be-4241-8dbd-d265edcf06c4.ods.opinsights.azure.com");
  EXPECT_EQ(AudienceUri(settings, Audience::kGraph), "https://graph.microsoft.com");
  EXPECT_EQ(AudienceUri(settings, Audience::kExchangeReporting), "https://outlook.office365.com");
  EXPECT_EQ(AudienceUri(settings, Audience::kLogAnalytics), "https://api.loganalytics.io");
  EXPECT_EQ(AudienceUri(settings, Audience::kMonitor), "https://monitor.azure.com");
  EXPECT_EQ(AudienceUri(settings, Audience::kStorage), "https://storage.azure.com");
  EXPECT_EQ(std::string(ProfileFor(settings.cloud).storage_suffix), "core.windows.net");
}

TEST(Clouds, UsGovernmentDefaults) {
  Environment environment = BaseEnvironment();
  environment["AZURE_CLOUD"] = "AzureUSGovernment";
  environment["MESSAGE_TRACE_SOURCE"] = "reporting";
  const Settings settings = LoadSettings(environment);
  EXPECT_EQ(settings.cloud, Cloud::kUsGovernment);
  EXPECT_EQ(settings.authority_host, "https://login.microsoftonline.us");
  EXPECT_EQ(settings.reporting_endpoint, "https://reports.office365.us");
  EXPECT_EQ(settings.query_endpoint, "https://api.loganalytics.us");
  EXPECT_EQ(settings.data_collector_endpoint, "https://97ce69d9-b4be-4241-8dbd-d265edcf06c4.ods.opinsights.azure.us");
  EXPECT_EQ(AudienceUri(settings, Audience::kExchangeReporting), "https://outlook.office365.us");
  EXPECT_EQ(AudienceUri(settings, Audience::kLogAnalytics), "https://api.loganalytics.us");
  EXPECT_EQ(AudienceUri(settings, Audience::kMonitor), "https://monitor.azure.us");
  EXPECT_EQ(AudienceUri(settings, Audience::kStorage), "https://storage.azure.com");
  EXPECT_EQ(std::string(ProfileFor(settings.cloud).storage_suffix), "core.usgovcloudapi.net");
}

TEST(Clouds, ChinaDefaults) {
  Environment environment = BaseEnvironment();
  environment["AZURE_CLOUD"] = "azurechinacloud";
  environment["MESSAGE_TRACE_SOURCE"] = "reporting";
  const Settings settings = LoadSettings(environment);
  EXPECT_EQ(settings.cloud, Cloud::kChina);
  EXPECT_EQ(settings.authority_host, "https://login.chinacloudapi.cn");
  EXPECT_EQ(settings.reporting_endpoint, "https://reports.partner.outlook.cn");
  EXPECT_EQ(settings.query_endpoint, "https://api.loganalytics.azure.cn");
  EXPECT_EQ(settings.data_collector_endpoint, "https://97ce69d9-b4be-4241-8dbd-d265edcf06c4.ods.opinsights.azure.cn");
  EXPECT_EQ(AudienceUri(settings, Audience::kExchangeReporting), "https://partner.outlook.cn");
  EXPECT_EQ(AudienceUri(settings, Audience::kLogAnalytics), "https://api.loganalytics.azure.cn");
  EXPECT_EQ(AudienceUri(settings, Audience::kMonitor), "https://monitor.azure.cn");
  EXPECT_EQ(std::string(ProfileFor(settings.cloud).storage_suffix), "core.chinacloudapi.cn");
}

TEST(Clouds, GraphOnlyInThePublicCloud) {
  for (const char* cloud : {"AzureUSGovernment", "AzureChinaCloud"}) {
    Environment environment = BaseEnvironment();
    environment["AZURE_CLOUD"] = cloud;
    const std::string error = SettingsError(environment);
    EXPECT_NE(error.find(std::string("MESSAGE_TRACE_SOURCE=graph is not available in ") + cloud), std::string::npos)
        << error;
    EXPECT_NE(error.find("set MESSAGE_TRACE_SOURCE=reporting"), std::string::npos) << error;
  }
}

TEST(Clouds, UnknownCloudIsAnError) {
  Environment environment = BaseEnvironment();
  environment["AZURE_CLOUD"] = "AzureGermanCloud";
  EXPECT_NE(SettingsError(environment).find("AZURE_CLOUD is invalid: 'AzureGermanCloud'"), std::string::npos);
}

TEST(IdentitySettings, IdentityEndpointMustBeLocalOrHttps) {
  Environment environment = BaseEnvironment();
  environment.erase("AZURE_CLIENT_SECRET");
  environment.erase("AZURE_CLIENT_ID");
  environment["IDENTITY_HEADER"] = "9b4c1f1e-0000-4000-8000-000000000001";
  for (const char* accepted : {"http://localhost:8081/msi/token", "http://127.0.0.1:41741/msi/token",
                               "https://identity.example.net/msi/token"}) {
    environment["IDENTITY_ENDPOINT"] = accepted;
    EXPECT_EQ(SettingsError(environment), "") << accepted;
  }
  environment["IDENTITY_ENDPOINT"] = "http://169.254.169.254/metadata/identity/oauth2/token";
  EXPECT_NE(SettingsError(environment).find("IDENTITY_ENDPOINT must use https or point at the local host"),
            std::string::npos);
  environment["IDENTITY_ENDPOINT"] = "localhost:8081";
  EXPECT_NE(SettingsError(environment).find("IDENTITY_ENDPOINT is not an absolute URL"), std::string::npos);
}

TEST(IdentitySettings, IdentityHeaderIsRequiredForManagedIdentity) {
  Environment environment = BaseEnvironment();
  environment.erase("AZURE_CLIENT_SECRET");
  environment["IDENTITY_ENDPOINT"] = "http://127.0.0.1:41741/msi/token";
  EXPECT_NE(SettingsError(environment).find("IDENTITY_HEADER is missing"), std::string::npos);
  // With a client secret the identity endpoint is not used.
  environment["AZURE_CLIENT_SECRET"] = "s3cr3t-value";
  EXPECT_EQ(SettingsError(environment), "");
}

TEST(IdentitySettings, AssertionAlgorithm) {
  Environment environment = BaseEnvironment();
  EXPECT_EQ(LoadSettings(environment).assertion_algorithm, AssertionAlgorithm::kPs256);
  environment["AZURE_CLIENT_ASSERTION_ALGORITHM"] = "rs256";
  EXPECT_EQ(LoadSettings(environment).assertion_algorithm, AssertionAlgorithm::kRs256);
  environment["AZURE_CLIENT_ASSERTION_ALGORITHM"] = "PS256";
  EXPECT_EQ(LoadSettings(environment).assertion_algorithm, AssertionAlgorithm::kPs256);
  environment["AZURE_CLIENT_ASSERTION_ALGORITHM"] = "ES256";
  EXPECT_NE(SettingsError(environment).find("AZURE_CLIENT_ASSERTION_ALGORITHM is invalid: 'ES256'"),
            std::string::npos);
}

}  // namespace
}  // namespace mt

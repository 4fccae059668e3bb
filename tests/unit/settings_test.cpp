#include <gtest/gtest.h>

#include "errors.hpp"
#include "settings.hpp"
#include "url.hpp"

namespace mt {
namespace {

Environment Valid() {
  return {{"AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
          {"AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"},
          {"AZURE_CLIENT_SECRET", "s3cr3t-value"},
          {"LOG_ANALYTICS_WORKSPACE_ID", "97ce69d9-b4be-4241-8dbd-d265edcf06c4"},
          {"LOGS_INGESTION_ENDPOINT", "https://my-dce.westeurope-1.ingest.monitor.azure.com/"},
          {"LOGS_INGESTION_DCR_ID", "dcr-0123456789abcdef0123456789abcdef"}};
}

std::string ErrorFor(const Environment& environment) {
  try {
    LoadSettings(environment);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return {};
}

TEST(Settings, DefaultsForThePublicCloud) {
  const Settings settings = LoadSettings(Valid());
  EXPECT_EQ(settings.source, SourceKind::kGraph);
  EXPECT_EQ(settings.ingestion, IngestionKind::kLogsIngestion);
  EXPECT_EQ(settings.graph_endpoint, "https://graph.microsoft.com");
  EXPECT_EQ(settings.query_endpoint, "https://api.loganalytics.azure.com");
  EXPECT_EQ(settings.authority_host, "https://login.microsoftonline.com");
  EXPECT_EQ(settings.logs_ingestion_endpoint, "https://my-dce.westeurope-1.ingest.monitor.azure.com");
  EXPECT_EQ(settings.stream, "Custom-EmailEvents_CL");
  EXPECT_EQ(settings.TableName(), "EmailEvents_CL");
  EXPECT_EQ(settings.data_collector_endpoint, "https://97ce69d9-b4be-4241-8dbd-d265edcf06c4.ods.opinsights.azure.com");
  EXPECT_EQ(settings.time_budget, Ticks{std::chrono::minutes{8}});
}

TEST(Settings, EveryProblemIsListedWithItsSettingName) {
  Environment environment = Valid();
  environment["LOG_ANALYTICS_WORKSPACE_ID"] = "my-workspace";
  environment["LOGS_INGESTION_DCR_ID"] = "/subscriptions/x/dataCollectionRules/y";
  environment["MESSAGE_TRACE_START"] = "last tuesday";
  environment["MESSAGE_TRACE_SOURCE"] = "exchange";
  const std::string error = ErrorFor(environment);
  EXPECT_NE(error.find("LOG_ANALYTICS_WORKSPACE_ID is invalid: 'my-workspace'"), std::string::npos);
  EXPECT_NE(error.find("LOGS_INGESTION_DCR_ID is invalid"), std::string::npos);
  EXPECT_NE(error.find("MESSAGE_TRACE_START is invalid: 'last tuesday'"), std::string::npos);
  EXPECT_NE(error.find("MESSAGE_TRACE_SOURCE is invalid: 'exchange'"), std::string::npos);
}

TEST(Settings, SecretValuesAreNeverEchoed) {
  Environment environment = Valid();
  environment.erase("AZURE_CLIENT_ID");
  environment.erase("LOG_ANALYTICS_WORKSPACE_ID");
  const std::string error = ErrorFor(environment);
  EXPECT_NE(error.find("AZURE_CLIENT_ID is missing"), std::string::npos);
  EXPECT_EQ(error.find("s3cr3t-value"), std::string::npos);
}

TEST(Settings, GraphInANationalCloudPointsToReporting) {
  Environment environment = Valid();
  environment["AZURE_CLOUD"] = "AzureUSGovernment";
  const std::string error = ErrorFor(environment);
  EXPECT_NE(error.find("MESSAGE_TRACE_SOURCE=graph is not available in AzureUSGovernment"), std::string::npos);
  EXPECT_NE(error.find("MESSAGE_TRACE_SOURCE=reporting"), std::string::npos);
}

TEST(Settings, PlainHttpOnlyForLoopback) {
  Environment environment = Valid();
  environment["MESSAGE_TRACE_GRAPH_ENDPOINT"] = "http://graph.example.com";
  EXPECT_NE(ErrorFor(environment).find("MESSAGE_TRACE_GRAPH_ENDPOINT must use https"), std::string::npos);
  environment["MESSAGE_TRACE_GRAPH_ENDPOINT"] = "http://127.0.0.1:8080";
  EXPECT_EQ(ErrorFor(environment), "");
}

TEST(Settings, NoCredentialIsAnError) {
  Environment environment = Valid();
  environment.erase("AZURE_CLIENT_SECRET");
  EXPECT_NE(ErrorFor(environment).find("no credential is configured"), std::string::npos);
}

TEST(Settings, TimeBudgetFromTheFunctionTimeout) {
  Environment environment = Valid();
  environment["AzureFunctionsJobHost__functionTimeout"] = "00:05:00";
  EXPECT_EQ(LoadSettings(environment).time_budget, Ticks{std::chrono::minutes{4}});
  environment["AzureFunctionsJobHost__functionTimeout"] = "00:30:00";
  EXPECT_EQ(LoadSettings(environment).time_budget, Ticks{std::chrono::minutes{24}});
  environment["MESSAGE_TRACE_TIME_BUDGET"] = "00:02:30";
  EXPECT_EQ(LoadSettings(environment).time_budget, Ticks{std::chrono::seconds{150}});
  environment["MESSAGE_TRACE_TIME_BUDGET"] = "ten minutes";
  EXPECT_NE(ErrorFor(environment).find("MESSAGE_TRACE_TIME_BUDGET is invalid"), std::string::npos);
}

TEST(ParseTimeSpan, HostJsonForms) {
  EXPECT_EQ(ParseTimeSpan("00:10:00"), Ticks{std::chrono::minutes{10}});
  EXPECT_EQ(ParseTimeSpan("1.02:00:00"), Ticks{std::chrono::hours{26}});
  EXPECT_FALSE(ParseTimeSpan("10m"));
  EXPECT_FALSE(ParseTimeSpan("00:61:00"));
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

TEST(Url, LoopbackMeansA127AddressLiteral) {
  EXPECT_TRUE(Url::Parse("http://127.0.0.1:8080")->IsLoopback());
  EXPECT_TRUE(Url::Parse("http://127.1.2.3")->IsLoopback());
  EXPECT_TRUE(Url::Parse("http://localhost:1")->IsLoopback());
  EXPECT_FALSE(Url::Parse("http://127.evil.example")->IsLoopback());
  EXPECT_FALSE(Url::Parse("http://127.0.0.1.evil.example")->IsLoopback());
  EXPECT_FALSE(Url::Parse("http://127.0.0.256")->IsLoopback());
}

TEST(Url, ControlCharactersAndPlaceholdersAreRejected) {
  EXPECT_FALSE(Url::Parse("https://graph.example/v1.0?a=b\r\nX-Injected: 1"));
  EXPECT_FALSE(Url::Parse("https://graph.example/a b"));
  EXPECT_FALSE(Url::Parse("https://<dce name>.westeurope-1.ingest.monitor.azure.com"));
  EXPECT_TRUE(Url::Parse("https://graph.example/v1.0?$filter=a%20b"));
}

TEST(Settings, HugeValuesAreRejectedNotMatched) {
  Environment environment = Valid();
  environment["AZURE_TENANT_ID"] = std::string(40000, 'a') + ".example";
  environment["MESSAGE_TRACE_TIME_BUDGET"] = std::string(30, '9') + ".00:00:00";
  const std::string error = ErrorFor(environment);
  EXPECT_NE(error.find("AZURE_TENANT_ID is too long (40008 characters"), std::string::npos);
  EXPECT_NE(error.find("MESSAGE_TRACE_TIME_BUDGET is invalid"), std::string::npos);
}

TEST(Settings, StartInTheFutureIsAnError) {
  Environment environment = Valid();
  environment["MESSAGE_TRACE_START"] = "2062-01-01T00:00:00Z";
  EXPECT_NE(ErrorFor(environment).find("MESSAGE_TRACE_START is in the future"), std::string::npos);
}

TEST(Settings, ExamplePlaceholderSecretIsAnError) {
  Environment environment = Valid();
  environment["AZURE_CLIENT_SECRET"] = "<client secret value; on Azure use a Key Vault reference>";
  EXPECT_NE(ErrorFor(environment).find("AZURE_CLIENT_SECRET still holds the example's placeholder"), std::string::npos);
}

}  // namespace
}  // namespace mt

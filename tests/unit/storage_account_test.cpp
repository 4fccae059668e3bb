#include <gtest/gtest.h>

#include "errors.hpp"
#include "settings.hpp"
#include "storage_account.hpp"

namespace mt {
namespace {

// A made-up 64-byte key in the shape of a real one (88 base64 characters).
const std::string kKey =
    "q0XvFRXnqbcKzcQFg8mIBxBxmYp9d1cbUXxvsL0TeXzmX0g1lWzx4Dyu+rJxcpZ5hlAp/DXy7YX/d8jtA1Wgvw==";
constexpr std::string_view kPublicSuffix = "core.windows.net";

StorageAccount Parse(std::string_view text, std::string_view suffix = kPublicSuffix) {
  return ParseStorageConnectionString(text, suffix);
}

std::string ParseError(std::string_view text) {
  try {
    Parse(text);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return {};
}

std::string ReadError(const std::map<std::string, std::string>& environment) {
  try {
    ReadStorageAccount(environment, kPublicSuffix);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return {};
}

TEST(StorageConnectionString, DevelopmentStorageIsAzurite) {
  const StorageAccount account = Parse("UseDevelopmentStorage=true");
  EXPECT_EQ(account.blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(account.account_name, "devstoreaccount1");
  EXPECT_EQ(account.credential, StorageCredential::kSharedKey);
  EXPECT_EQ(account.account_key.Reveal().size(), 64u);
  EXPECT_EQ(account.setting, "AzureWebJobsStorage");
}

TEST(StorageConnectionString, DevelopmentStorageKeysAnyCase) {
  EXPECT_EQ(Parse(" usedevelopmentstorage = TRUE ;").blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
}

TEST(StorageConnectionString, DevelopmentStorageProxyUri) {
  const StorageAccount account = Parse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.2");
  EXPECT_EQ(account.blob_endpoint, "http://127.0.0.2:10000/devstoreaccount1");
}

TEST(StorageConnectionString, DevelopmentStorageRejectsAccountKeys) {
  const std::string error = ParseError("UseDevelopmentStorage=true;AccountName=contoso;AccountKey=" + kKey);
  EXPECT_NE(error.find("combines UseDevelopmentStorage=true with"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKey), std::string::npos) << error;
}

TEST(StorageConnectionString, AccountKeyForm) {
  const StorageAccount account =
      Parse("DefaultEndpointsProtocol=https;AccountName=contosostorage;AccountKey=" + kKey +
            ";EndpointSuffix=core.windows.net");
  EXPECT_EQ(account.account_name, "contosostorage");
  EXPECT_EQ(account.blob_endpoint, "https://contosostorage.blob.core.windows.net");
  EXPECT_EQ(account.credential, StorageCredential::kSharedKey);
  ASSERT_EQ(account.account_key.Reveal().size(), 64u);
  EXPECT_EQ(static_cast<unsigned char>(account.account_key.Reveal()[0]), 0xABu);  // "q0X" decodes to AB 45 ..
  EXPECT_EQ(static_cast<unsigned char>(account.account_key.Reveal()[1]), 0x45u);
}

TEST(StorageConnectionString, KeysAreCaseInsensitive) {
  const StorageAccount account = Parse("defaultendpointsprotocol=https;ACCOUNTNAME=contosostorage;accountKey=" + kKey);
  EXPECT_EQ(account.account_name, "contosostorage");
  EXPECT_EQ(account.account_key.Reveal().size(), 64u);
}

TEST(StorageConnectionString, ValuesKeepTheirEqualsSigns) {
  // The key ends in "==", which must stay part of the value.
  const StorageAccount account = Parse("AccountName=contosostorage;AccountKey=" + kKey + ";");
  EXPECT_EQ(account.account_key.Reveal().size(), 64u);
}

TEST(StorageConnectionString, EndpointSuffixOfTheCloud) {
  EXPECT_EQ(Parse("AccountName=contosostorage;AccountKey=" + kKey, "core.chinacloudapi.cn").blob_endpoint,
            "https://contosostorage.blob.core.chinacloudapi.cn");
  EXPECT_EQ(Parse("AccountName=contosostorage;AccountKey=" + kKey + ";EndpointSuffix=core.usgovcloudapi.net")
                .blob_endpoint,
            "https://contosostorage.blob.core.usgovcloudapi.net");
}

TEST(StorageConnectionString, BlobEndpointOverrides) {
  const StorageAccount account =
      Parse("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + kKey +
            ";BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:41235/devstoreaccount1;");
  EXPECT_EQ(account.blob_endpoint, "http://127.0.0.1:41234/devstoreaccount1");
  EXPECT_EQ(account.account_name, "devstoreaccount1");
}

TEST(StorageConnectionString, CustomDomainBlobEndpoint) {
  const StorageAccount account =
      Parse("AccountName=contosostorage;AccountKey=" + kKey + ";BlobEndpoint=https://blobs.contoso.example");
  EXPECT_EQ(account.blob_endpoint, "https://blobs.contoso.example");
}

TEST(StorageConnectionString, MissingAccountKey) {
  const std::string error = ParseError("DefaultEndpointsProtocol=https;AccountName=contosostorage");
  EXPECT_NE(error.find("AzureWebJobsStorage has no AccountKey"), std::string::npos) << error;
}

TEST(StorageConnectionString, MissingAccountName) {
  const std::string error = ParseError("AccountKey=" + kKey);
  EXPECT_NE(error.find("AzureWebJobsStorage has no AccountName"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKey), std::string::npos) << error;
}

TEST(StorageConnectionString, KeyThatIsNotBase64) {
  const std::string cut = kKey.substr(0, 50);
  const std::string error = ParseError("AccountName=contosostorage;AccountKey=" + cut);
  EXPECT_NE(error.find("AccountKey that is not valid base64"), std::string::npos) << error;
  EXPECT_EQ(error.find(cut), std::string::npos) << error;
}

TEST(StorageConnectionString, UnknownKeyIsNamedNotItsValue) {
  const std::string error = ParseError("AccountName=contosostorage;AcountKey=" + kKey);
  EXPECT_NE(error.find("unknown key 'AcountKey'"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKey), std::string::npos) << error;
}

TEST(StorageConnectionString, BareKeyIsNotEchoed) {
  const std::string pasted = "AccountName=contosostorage;" + kKey.substr(0, 86);  // without the final "=="
  const std::string error = ParseError(pasted);
  EXPECT_NE(error.find("part 2 is not of the form Key=Value"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKey.substr(0, 40)), std::string::npos) << error;
}

TEST(StorageConnectionString, InvalidAccountName) {
  const std::string error = ParseError("AccountName=Contoso_Storage;AccountKey=" + kKey);
  EXPECT_NE(error.find("invalid AccountName: 'Contoso_Storage'"), std::string::npos) << error;
}

TEST(StorageConnectionString, PlainHttpOnlyOnLoopback) {
  std::string error = ParseError("AccountName=contosostorage;AccountKey=" + kKey +
                                 ";BlobEndpoint=http://storage.contoso.example/contosostorage");
  EXPECT_NE(error.find("BlobEndpoint) must use https"), std::string::npos) << error;

  error = ParseError("DefaultEndpointsProtocol=http;AccountName=contosostorage;AccountKey=" + kKey);
  EXPECT_NE(error.find("must use https: 'http://contosostorage.blob.core.windows.net'"), std::string::npos) << error;
}

TEST(StorageConnectionString, InvalidProtocolAndSuffix) {
  std::string error = ParseError("DefaultEndpointsProtocol=ftp;AccountName=contosostorage;AccountKey=" + kKey);
  EXPECT_NE(error.find("invalid DefaultEndpointsProtocol: 'ftp'"), std::string::npos) << error;

  error = ParseError("AccountName=contosostorage;AccountKey=" + kKey + ";EndpointSuffix=https://core.windows.net");
  EXPECT_NE(error.find("invalid EndpointSuffix"), std::string::npos) << error;
}

TEST(StorageConnectionString, SharedAccessSignatureIsRejected) {
  const std::string error =
      ParseError("BlobEndpoint=https://contosostorage.blob.core.windows.net;SharedAccessSignature=sv=2021-12-02&sig=abc");
  EXPECT_NE(error.find("SharedAccessSignature, which the handler does not support"), std::string::npos) << error;
  EXPECT_EQ(error.find("sig=abc"), std::string::npos) << error;
}

TEST(StorageConnectionString, DuplicateKey) {
  const std::string error = ParseError("AccountName=a1b2c3;AccountName=contosostorage;AccountKey=" + kKey);
  EXPECT_NE(error.find("sets AccountName twice"), std::string::npos) << error;
}

TEST(StorageConnectionString, EmptyOrOnlySeparators) {
  EXPECT_NE(ParseError(" ; ;").find("AzureWebJobsStorage is empty"), std::string::npos);
}

TEST(StorageConnectionString, InvalidDevelopmentFlag) {
  EXPECT_NE(ParseError("UseDevelopmentStorage=yes").find("invalid UseDevelopmentStorage: 'yes'"), std::string::npos);
}

TEST(StorageSettings, NothingSetIsNoAccount) {
  EXPECT_FALSE(ReadStorageAccount({}, kPublicSuffix).has_value());
  EXPECT_FALSE(ReadStorageAccount({{"AzureWebJobsStorage", "  "}}, kPublicSuffix).has_value());
}

TEST(StorageSettings, ConnectionStringWinsOverIdentitySettings) {
  const auto account = ReadStorageAccount(
      {{"AzureWebJobsStorage", "UseDevelopmentStorage=true"}, {"AzureWebJobsStorage__accountName", "contosostorage"}},
      kPublicSuffix);
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->credential, StorageCredential::kSharedKey);
  EXPECT_EQ(account->account_name, "devstoreaccount1");
}

TEST(StorageSettings, IdentityByAccountName) {
  const auto account = ReadStorageAccount({{"AzureWebJobsStorage__accountName", "contosostorage"}}, "core.usgovcloudapi.net");
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->credential, StorageCredential::kToken);
  EXPECT_EQ(account->blob_endpoint, "https://contosostorage.blob.core.usgovcloudapi.net");
  EXPECT_EQ(account->account_name, "contosostorage");
  EXPECT_TRUE(account->account_key.empty());
  EXPECT_EQ(account->setting, "AzureWebJobsStorage__accountName");
}

TEST(StorageSettings, IdentityByBlobServiceUri) {
  const auto account = ReadStorageAccount({{"AzureWebJobsStorage__blobServiceUri", "https://contosostorage.blob.core.windows.net/"},
                                           {"AzureWebJobsStorage__accountName", "otheraccount"},
                                           {"AzureWebJobsStorage__credential", "managedidentity"},
                                           {"AzureWebJobsStorage__clientId", "00000000-0000-0000-0000-000000000002"}},
                                          kPublicSuffix);
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->credential, StorageCredential::kToken);
  EXPECT_EQ(account->blob_endpoint, "https://contosostorage.blob.core.windows.net");
  EXPECT_EQ(account->account_name, "contosostorage");
  EXPECT_EQ(account->identity_credential, "managedidentity");
  EXPECT_EQ(account->identity_client_id, "00000000-0000-0000-0000-000000000002");
  EXPECT_EQ(account->setting, "AzureWebJobsStorage__blobServiceUri");
}

TEST(StorageSettings, IdentityByServiceUri) {
  const auto account =
      ReadStorageAccount({{"AzureWebJobsStorage__serviceUri", "http://127.0.0.1:10000/devstoreaccount1"}}, kPublicSuffix);
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(account->account_name, "devstoreaccount1");
}

TEST(StorageSettings, IdentitySettingErrors) {
  EXPECT_NE(ReadError({{"AzureWebJobsStorage__accountName", "Contoso.Storage"}})
                .find("AzureWebJobsStorage__accountName is invalid: 'Contoso.Storage'"),
            std::string::npos);
  EXPECT_NE(ReadError({{"AzureWebJobsStorage__blobServiceUri", "contosostorage.blob.core.windows.net"}})
                .find("AzureWebJobsStorage__blobServiceUri is not an absolute URL"),
            std::string::npos);
  EXPECT_NE(ReadError({{"AzureWebJobsStorage__accountName", "contosostorage"}, {"AzureWebJobsStorage__credential", "clientsecret"}})
                .find("AzureWebJobsStorage__credential is invalid: 'clientsecret'"),
            std::string::npos);
  EXPECT_NE(ReadError({{"AzureWebJobsStorage__accountName", "contosostorage"}, {"AzureWebJobsStorage__clientId", "my-identity"}})
                .find("AzureWebJobsStorage__clientId is invalid: 'my-identity'"),
            std::string::npos);
  EXPECT_NE(ReadError({{"AzureWebJobsStorage__credential", "managedidentity"}}).find("is set without an account"),
            std::string::npos);
}

Environment ValidSettings() {
  return {{"AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
          {"AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"},
          {"AZURE_CLIENT_SECRET", "s3cr3t-value"},
          {"LOG_ANALYTICS_WORKSPACE_ID", "97ce69d9-b4be-4241-8dbd-d265edcf06c4"},
          {"LOGS_INGESTION_ENDPOINT", "https://my-dce.westeurope-1.ingest.monitor.azure.com/"},
          {"LOGS_INGESTION_DCR_ID", "dcr-0123456789abcdef0123456789abcdef"}};
}

TEST(StorageSettings, LoadSettingsWithoutStorage) {
  const Settings settings = LoadSettings(ValidSettings());
  EXPECT_FALSE(settings.storage.has_value());
}

TEST(StorageSettings, LoadSettingsUsesTheCloudSuffix) {
  Environment environment = ValidSettings();
  environment["AZURE_CLOUD"] = "AzureChinaCloud";
  environment["MESSAGE_TRACE_SOURCE"] = "reporting";
  environment["AzureWebJobsStorage"] = "AccountName=contosostorage;AccountKey=" + kKey;
  const Settings settings = LoadSettings(environment);
  ASSERT_TRUE(settings.storage.has_value());
  EXPECT_EQ(settings.storage->blob_endpoint, "https://contosostorage.blob.core.chinacloudapi.cn");
}

TEST(StorageSettings, LoadSettingsListsAMalformedValue) {
  Environment environment = ValidSettings();
  environment["AzureWebJobsStorage"] = "AccountName=contosostorage;AccountKey=" + kKey.substr(0, 30);
  std::string error;
  try {
    LoadSettings(environment);
  } catch (const ConfigurationError& caught) {
    error = caught.what();
  }
  EXPECT_NE(error.find("- AzureWebJobsStorage has an AccountKey that is not valid base64"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKey.substr(0, 30)), std::string::npos) << error;
}

}  // namespace
}  // namespace mt

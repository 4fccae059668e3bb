#include "storage_account.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

#include "errors.hpp"
#include "shared_key.hpp"
#include "url.hpp"

namespace mt {
namespace {

// Storage account names: 3 to 24 lower-case letters and digits.
const std::regex kAccountName{"^[a-z0-9]{3,24}$"};
// Accounts behind an explicit BlobEndpoint (Azurite accepts custom accounts).
const std::regex kEndpointAccountName{"^[A-Za-z0-9]{1,64}$"};
const std::regex kDomainSuffix{"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"};
const std::regex kGuid{"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"};

constexpr const char* kConnectionStringShape =
    "DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key>;EndpointSuffix=core.windows.net";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Checks a Blob service URL: absolute, no query, https unless it points at a
// local emulator on a loopback address. Returns it without trailing slashes.
std::string CheckBlobEndpoint(std::string_view text, const std::string& setting_label) {
  const auto url = Url::Parse(text);
  if (!url || url->target.find('?') != std::string::npos) {
    throw ConfigurationError(setting_label + " is not an absolute URL: '" + std::string(text) +
                             "'; write it like https://<account>.blob.core.windows.net");
  }
  if (url->scheme != "https" && !url->IsLoopback()) {
    throw ConfigurationError(setting_label + " must use https: '" + std::string(text) +
                             "'; plain http is accepted only for a local emulator on 127.0.0.1");
  }
  std::string value(text);
  while (!value.empty() && value.back() == '/') value.pop_back();
  return value;
}

// The account name in a Blob service URL: the first label of
// `<account>.blob.<suffix>`, or the first path segment of a path-style
// emulator URL.
std::string AccountNameOf(const std::string& endpoint) {
  const auto url = Url::Parse(endpoint);
  if (!url) return {};
  if (const auto dot = url->host.find(".blob."); dot != std::string::npos) return url->host.substr(0, dot);
  std::string_view path = url->target;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path.substr(0, path.find('/')));
}

struct ConnectionStringParts {
  std::map<std::string, std::string> values;  // lower-case key to value
  std::map<std::string, std::string> spelled;  // lower-case key to the key as written
};

ConnectionStringParts SplitConnectionString(std::string_view text, const std::string& setting) {
  static const std::vector<std::string> kKnownKeys = {
      "defaultendpointsprotocol", "accountname",     "accountkey",        "endpointsuffix",
      "blobendpoint",             "queueendpoint",   "tableendpoint",     "fileendpoint",
      "blobsecondaryendpoint",    "queuesecondaryendpoint", "tablesecondaryendpoint", "filesecondaryendpoint",
      "usedevelopmentstorage",    "developmentstorageproxyuri", "sharedaccesssignature"};

  ConnectionStringParts parts;
  int index = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string_view segment = Trim(text.substr(start, end - start));
    start = end + 1;
    ++index;
    if (segment.empty()) continue;

    // The part itself is not echoed because it may be the account key.
    const auto equals = segment.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      throw ConfigurationError(setting + " is not a valid connection string: part " + std::to_string(index) +
                               " is not of the form Key=Value; write it like " + kConnectionStringShape +
                               ", or UseDevelopmentStorage=true for Azurite");
    }
    const std::string key(Trim(segment.substr(0, equals)));
    const std::string lower = Lower(key);
    if (std::ranges::find(kKnownKeys, lower) == kKnownKeys.end()) {
      throw ConfigurationError(setting + " has an unknown key '" + key + "'; a connection string uses " +
                               "DefaultEndpointsProtocol, AccountName, AccountKey, EndpointSuffix and BlobEndpoint, "
                               "like " + kConnectionStringShape);
    }
    if (parts.values.contains(lower)) {
      throw ConfigurationError(setting + " sets " + key + " twice; keep one");
    }
    parts.values[lower] = std::string(Trim(segment.substr(equals + 1)));
    parts.spelled[lower] = key;
  }
  return parts;
}

StorageAccount DevelopmentStorage(const ConnectionStringParts& parts, const std::string& setting) {
  for (const auto& [key, spelling] : parts.spelled) {
    if (key != "usedevelopmentstorage" && key != "developmentstorageproxyuri") {
      throw ConfigurationError(setting + " combines UseDevelopmentStorage=true with " + spelling +
                               "; use UseDevelopmentStorage=true alone for Azurite on 127.0.0.1:10000, or a full "
                               "connection string with BlobEndpoint for another address");
    }
  }

  StorageAccount account;
  account.account_name = std::string(kDevelopmentAccountName);
  account.account_key = Secret(*DecodeBase64(kDevelopmentAccountKey));
  account.credential = StorageCredential::kSharedKey;
  account.setting = setting;
  account.blob_endpoint = "http://127.0.0.1:10000/" + account.account_name;

  // The Azure SDKs keep the proxy's scheme and host and use the emulator's
  // Blob port and account path.
  if (const auto it = parts.values.find("developmentstorageproxyuri"); it != parts.values.end()) {
    const auto proxy = Url::Parse(it->second);
    if (!proxy) {
      throw ConfigurationError(setting + " has an invalid DevelopmentStorageProxyUri: '" + it->second +
                               "'; write it like http://127.0.0.1");
    }
    const std::string host = proxy->host.find(':') != std::string::npos ? "[" + proxy->host + "]" : proxy->host;
    account.blob_endpoint = CheckBlobEndpoint(proxy->scheme + "://" + host + ":10000/" + account.account_name,
                                              setting + " (DevelopmentStorageProxyUri)");
  }
  return account;
}

StorageAccount AccountKeyStorage(const ConnectionStringParts& parts, std::string_view storage_suffix,
                                 const std::string& setting) {
  const auto value = [&](const char* key) {
    const auto it = parts.values.find(key);
    return it == parts.values.end() ? std::string() : it->second;
  };

  if (parts.values.contains("sharedaccesssignature")) {
    throw ConfigurationError(setting + " uses a SharedAccessSignature, which the handler does not support; use a "
                             "connection string with AccountKey, or an identity-based connection with "
                             "AzureWebJobsStorage__accountName");
  }

  StorageAccount account;
  account.setting = setting;
  account.credential = StorageCredential::kSharedKey;
  account.account_name = value("accountname");
  const std::string blob_endpoint = value("blobendpoint");
  if (account.account_name.empty()) {
    throw ConfigurationError(setting + " has no AccountName; write it like " + std::string(kConnectionStringShape));
  }
  const std::regex& name_rule = blob_endpoint.empty() ? kAccountName : kEndpointAccountName;
  if (!std::regex_match(account.account_name, name_rule)) {
    throw ConfigurationError(setting + " has an invalid AccountName: '" + account.account_name +
                             "'; a storage account name is 3 to 24 lower-case letters and digits");
  }

  const std::string key = value("accountkey");
  if (key.empty()) {
    throw ConfigurationError(setting + " has no AccountKey; copy the connection string of key1 or key2 from the "
                             "storage account's Access keys page, or use an identity-based connection with "
                             "AzureWebJobsStorage__accountName");
  }
  const auto key_bytes = DecodeBase64(key);
  if (!key_bytes) {
    throw ConfigurationError(setting + " has an AccountKey that is not valid base64 (it should be 88 characters "
                             "ending in ==); copy key1 or key2 again from the storage account's Access keys page");
  }
  account.account_key = Secret(*key_bytes);

  if (!blob_endpoint.empty()) {
    account.blob_endpoint = CheckBlobEndpoint(blob_endpoint, setting + " (BlobEndpoint)");
    return account;
  }

  const std::string protocol = Lower(value("defaultendpointsprotocol").empty() ? "https" : value("defaultendpointsprotocol"));
  if (protocol != "https" && protocol != "http") {
    throw ConfigurationError(setting + " has an invalid DefaultEndpointsProtocol: '" +
                             value("defaultendpointsprotocol") + "'; use https");
  }
  std::string suffix = value("endpointsuffix");
  if (suffix.empty()) suffix = std::string(storage_suffix);
  if (!std::regex_match(suffix, kDomainSuffix)) {
    throw ConfigurationError(setting + " has an invalid EndpointSuffix: '" + suffix +
                             "'; use the storage suffix of the cloud, e.g. core.windows.net");
  }
  account.blob_endpoint = CheckBlobEndpoint(protocol + "://" + account.account_name + ".blob." + suffix,
                                            setting + " (DefaultEndpointsProtocol and EndpointSuffix)");
  return account;
}

}  // namespace

StorageAccount ParseStorageConnectionString(std::string_view text, std::string_view storage_suffix,
                                            const std::string& setting) {
  const ConnectionStringParts parts = SplitConnectionString(Trim(text), setting);
  if (parts.values.empty()) {
    throw ConfigurationError(setting + " is empty; write a connection string like " +
                             std::string(kConnectionStringShape) + ", or UseDevelopmentStorage=true for Azurite");
  }

  if (const auto it = parts.values.find("usedevelopmentstorage"); it != parts.values.end()) {
    const std::string flag = Lower(it->second);
    if (flag == "true") return DevelopmentStorage(parts, setting);
    if (flag != "false") {
      throw ConfigurationError(setting + " has an invalid UseDevelopmentStorage: '" + it->second +
                               "'; use UseDevelopmentStorage=true");
    }
  }
  return AccountKeyStorage(parts, storage_suffix, setting);
}

std::optional<StorageAccount> ReadStorageAccount(const std::map<std::string, std::string>& environment,
                                                 std::string_view storage_suffix) {
  const auto get = [&](const std::string& name) {
    const auto it = environment.find(name);
    return it == environment.end() ? std::string() : std::string(Trim(it->second));
  };

  if (const std::string connection = get("AzureWebJobsStorage"); !connection.empty()) {
    return ParseStorageConnectionString(connection, storage_suffix, "AzureWebJobsStorage");
  }

  StorageAccount account;
  account.credential = StorageCredential::kToken;
  account.identity_credential = get("AzureWebJobsStorage__credential");
  account.identity_client_id = get("AzureWebJobsStorage__clientId");
  if (!account.identity_credential.empty() && Lower(account.identity_credential) != "managedidentity") {
    throw ConfigurationError("AzureWebJobsStorage__credential is invalid: '" + account.identity_credential +
                             "'; use managedidentity or leave it unset");
  }
  if (!account.identity_client_id.empty() && !std::regex_match(account.identity_client_id, kGuid)) {
    throw ConfigurationError("AzureWebJobsStorage__clientId is invalid: '" + account.identity_client_id +
                             "'; use the client id GUID of the user-assigned managed identity");
  }

  for (const char* name : {"AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__serviceUri"}) {
    if (const std::string uri = get(name); !uri.empty()) {
      account.setting = name;
      account.blob_endpoint = CheckBlobEndpoint(uri, name);
      account.account_name = AccountNameOf(account.blob_endpoint);
      return account;
    }
  }

  if (const std::string name = get("AzureWebJobsStorage__accountName"); !name.empty()) {
    if (!std::regex_match(name, kAccountName)) {
      throw ConfigurationError("AzureWebJobsStorage__accountName is invalid: '" + name +
                               "'; a storage account name is 3 to 24 lower-case letters and digits");
    }
    account.setting = "AzureWebJobsStorage__accountName";
    account.account_name = name;
    account.blob_endpoint = "https://" + name + ".blob." + std::string(storage_suffix);
    return account;
  }

  if (!account.identity_credential.empty() || !account.identity_client_id.empty()) {
    throw ConfigurationError("AzureWebJobsStorage__credential or __clientId is set without an account; set "
                             "AzureWebJobsStorage__accountName to the storage account's name, or "
                             "AzureWebJobsStorage__blobServiceUri to its Blob service URL");
  }
  return std::nullopt;
}

}  // namespace mt

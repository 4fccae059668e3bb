// The storage account named by the Functions host's own storage setting,
// `AzureWebJobsStorage`, where the handler keeps its checkpoint and lease.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "secret.hpp"

namespace mt {

// The kind of credential that authorizes requests to the account.
enum class StorageCredential {
  kSharedKey,  // an account key from a connection string or the development storage key
  kToken,      // an Entra bearer token for https://storage.azure.com (identity-based connection)
};

struct StorageAccount {
  std::string account_name;
  // The Blob service base URL without a trailing slash: the account host
  // (`https://<account>.blob.core.windows.net`) or, for Azurite and other
  // path-style endpoints, a URL whose path is the account name
  // (`http://127.0.0.1:10000/devstoreaccount1`).
  std::string blob_endpoint;
  StorageCredential credential = StorageCredential::kSharedKey;
  // The decoded bytes of the base64 account key; empty for kToken.
  Secret account_key;
  // `AzureWebJobsStorage__credential` and `__clientId`, kept for messages.
  // The token itself comes from the handler's own identity settings.
  std::string identity_credential;
  std::string identity_client_id;
  // The settings the account was read from, for error messages, e.g.
  // `AzureWebJobsStorage` or `AzureWebJobsStorage__accountName`.
  std::string setting;
};

// The account and key that Azurite and the Azure Storage Emulator accept
// for `UseDevelopmentStorage=true`. Both are published by Microsoft.
inline constexpr std::string_view kDevelopmentAccountName = "devstoreaccount1";
inline constexpr std::string_view kDevelopmentAccountKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

// Parses a storage connection string as the Azure SDKs read it: `;`-separated
// `Key=Value` pairs, keys case-insensitive, values split at their first `=`.
// Accepts `UseDevelopmentStorage=true` (optionally with
// DevelopmentStorageProxyUri) and account-key strings with AccountName,
// AccountKey and either EndpointSuffix or BlobEndpoint. `storage_suffix` is
// the cloud's default EndpointSuffix. Raises ConfigurationError naming
// `setting` and the problem; the account key never appears in the message.
StorageAccount ParseStorageConnectionString(std::string_view text, std::string_view storage_suffix,
                                            const std::string& setting = "AzureWebJobsStorage");

// Reads `AzureWebJobsStorage`, or when it is empty the identity-based
// `AzureWebJobsStorage__blobServiceUri`, `__serviceUri` or `__accountName`
// (in that order of precedence). Returns nothing when none is set. Raises
// ConfigurationError for a malformed value.
std::optional<StorageAccount> ReadStorageAccount(const std::map<std::string, std::string>& environment,
                                                 std::string_view storage_suffix);

}  // namespace mt

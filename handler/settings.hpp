// Application settings: read from the environment (Function App settings,
// or `Values` of local.settings.json), validated in full before any request
// is sent. Names and defaults are documented in the README.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "secret.hpp"
#include "settling.hpp"
#include "storage_account.hpp"
#include "time_util.hpp"

namespace mt {

enum class Cloud { kPublic, kUsGovernment, kChina };
enum class SourceKind { kGraph, kReporting };
enum class IngestionKind { kLogsIngestion, kDataCollector };
// JWS algorithm of a certificate's client assertion (AZURE_CLIENT_ASSERTION_ALGORITHM).
enum class AssertionAlgorithm { kPs256, kRs256 };

// Default endpoints and token audiences of one Azure cloud.
struct CloudProfile {
  const char* name;                    // AZURE_CLOUD value
  const char* authority_host;          // Entra ID
  const char* graph_endpoint;          // empty where Graph message trace is not offered
  const char* graph_audience;
  const char* reporting_endpoint;
  const char* reporting_audience;
  const char* query_endpoint;
  const char* query_audience;
  const char* monitor_audience;        // Logs Ingestion API
  const char* data_collector_suffix;   // `<workspace id>.ods.opinsights.<suffix>`
  const char* storage_suffix;          // `<account>.blob.<suffix>`
};

const CloudProfile& ProfileFor(Cloud cloud);

struct Settings {
  Cloud cloud = Cloud::kPublic;

  std::string tenant_id;
  std::string client_id;  // empty: the system-assigned managed identity
  Secret client_secret;
  std::string client_certificate_path;
  AssertionAlgorithm assertion_algorithm = AssertionAlgorithm::kPs256;
  std::string authority_host;
  std::string identity_endpoint;
  Secret identity_header;

  SourceKind source = SourceKind::kGraph;
  std::string graph_endpoint;
  std::string reporting_endpoint;
  std::optional<Instant> start;  // MESSAGE_TRACE_START

  std::string workspace_id;
  std::string query_endpoint;

  IngestionKind ingestion = IngestionKind::kLogsIngestion;
  std::string logs_ingestion_endpoint;
  std::string dcr_id;
  std::string stream;
  Secret shared_key;
  std::string data_collector_endpoint;
  std::string log_type;

  Secret storage_connection;  // AzureWebJobsStorage; may carry an account key
  // The account parsed from AzureWebJobsStorage or its identity-based
  // AzureWebJobsStorage__* settings; nothing when none is set.
  std::optional<StorageAccount> storage;
  std::string ca_file;        // SSL_CERT_FILE

  // How long a run may work before it stops starting new requests; derived
  // from the function timeout unless MESSAGE_TRACE_TIME_BUDGET sets it.
  Ticks time_budget = std::chrono::minutes{8};

  // How long rows may keep appearing or changing status after they were
  // received, and the ages at which each period is read again.
  SettlingPolicy settling = DefaultSettlingPolicy();

  // After this long, a batch whose outcome is unknown (the run stopped
  // between sending it and recording it) is queryable if it landed.
  Ticks ingestion_lag = std::chrono::minutes{15};

  // Timeout of source, query and ingestion requests; the run's lease (60 s)
  // is renewed between requests, so it stays below that. Token and storage
  // requests use 30 seconds.
  std::chrono::seconds http_timeout{45};

  std::string TableName() const { return log_type + "_CL"; }
};

using Environment = std::map<std::string, std::string>;

// The process environment as a map.
Environment ReadProcessEnvironment();

// Adds `Values` of a local.settings.json file to `environment`, keeping
// variables that are already set. Raises ConfigurationError for a file
// that cannot be read or is not such a file.
void MergeSettingsFile(const std::string& path, Environment& environment);

// Validates every setting and returns them with defaults applied. Raises
// ConfigurationError listing every invalid or missing setting, each with
// what a valid value looks like; secret values are never echoed.
Settings LoadSettings(const Environment& environment);

// Reads a .NET TimeSpan (`hh:mm:ss`, `d.hh:mm:ss`) as host.json writes
// `functionTimeout`.
std::optional<Ticks> ParseTimeSpan(const std::string& text);

}  // namespace mt

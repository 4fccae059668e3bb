#include "settings.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "errors.hpp"
#include "shared_key.hpp"
#include "url.hpp"

extern char** environ;

namespace mt {
namespace {

constexpr CloudProfile kPublicCloud{
    "AzureCloud",
    "https://login.microsoftonline.com",
    "https://graph.microsoft.com",
    "https://graph.microsoft.com",
    "https://reports.office365.com",
    "https://outlook.office365.com",
    "https://api.loganalytics.azure.com",
    "https://api.loganalytics.io",
    "https://monitor.azure.com",
    "azure.com",
    "core.windows.net",
};

// Graph message trace is offered in the global service only, so the
// national clouds have no Graph default. Their Reporting Web Service hosts
// come from community scripts and are not confirmed by Microsoft.
constexpr CloudProfile kUsGovernmentCloud{
    "AzureUSGovernment",
    "https://login.microsoftonline.us",
    "",
    "",
    "https://reports.office365.us",
    "https://outlook.office365.us",
    "https://api.loganalytics.us",
    "https://api.loganalytics.us",
    "https://monitor.azure.us",
    "azure.us",
    "core.usgovcloudapi.net",
};

constexpr CloudProfile kChinaCloud{
    "AzureChinaCloud",
    "https://login.chinacloudapi.cn",
    "",
    "",
    "https://reports.partner.outlook.cn",
    "https://partner.outlook.cn",
    "https://api.loganalytics.azure.cn",
    "https://api.loganalytics.azure.cn",
    "https://monitor.azure.cn",
    "azure.cn",
    "core.chinacloudapi.cn",
};

constexpr std::size_t kMaxSettingLength = 4096;

// The Consumption plan's maximum function timeout, used when neither the
// budget nor the timeout is configured.
constexpr Ticks kDefaultFunctionTimeout = std::chrono::minutes{10};

const std::regex kGuid{"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"};
const std::regex kDomain{"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"};
const std::regex kDcrId{"^dcr-[0-9a-fA-F]{32}$"};
const std::regex kStream{"^Custom-[A-Za-z][A-Za-z0-9_]{0,99}$"};
// Data Collector Log-Type: letters, digits and underscore, at most 100.
const std::regex kLogType{"^[A-Za-z][A-Za-z0-9_]{0,99}$"};

std::string Lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

class Reader {
 public:
  explicit Reader(const Environment& environment) : environment_(environment) {}

  std::string Get(const std::string& name) {
    const auto it = environment_.find(name);
    if (it == environment_.end()) return {};
    const std::string& value = it->second;
    // No setting is longer than a connection string; a huge value is a
    // mistake, and would be slow or unsafe to match against patterns.
    if (value.size() > kMaxSettingLength) {
      if (reported_long_.insert(name).second) {
        Fail(name + " is too long (" + std::to_string(value.size()) + " characters, at most " +
             std::to_string(kMaxSettingLength) + "); check that the right value was pasted");
      }
      return {};
    }
    const auto first = value.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return value.substr(first, value.find_last_not_of(" \t\r\n") - first + 1);
  }

  void Fail(const std::string& message) { errors_.push_back(message); }
  const std::vector<std::string>& errors() const { return errors_; }

  // An endpoint setting: https, or http on a loopback address for a local
  // emulator. Returns the value without a trailing slash.
  std::string Endpoint(const std::string& name, const std::string& fallback) {
    std::string value = Get(name);
    if (value.empty()) value = fallback;
    if (value.empty()) return value;
    const auto url = Url::Parse(value);
    if (!url || url->target.find('?') != std::string::npos) {
      Fail(name + " is not an absolute URL: '" + value + "'; write it like https://host.example");
      return value;
    }
    if (url->scheme != "https" && !url->IsLoopback()) {
      Fail(name + " must use https: '" + value + "'; plain http is accepted only for a local emulator on 127.0.0.1");
    }
    while (!value.empty() && value.back() == '/') value.pop_back();
    return value;
  }

 private:
  const Environment& environment_;
  std::vector<std::string> errors_;
  std::set<std::string> reported_long_;
};

Ticks ReadTimeBudget(Reader& reader, const Environment& environment) {
  if (std::string text = reader.Get("MESSAGE_TRACE_TIME_BUDGET"); !text.empty()) {
    const auto budget = ParseTimeSpan(text);
    if (!budget || *budget < std::chrono::seconds{30}) {
      reader.Fail("MESSAGE_TRACE_TIME_BUDGET is invalid: '" + text +
                  "'; write a duration of at least 30 seconds as hh:mm:ss, e.g. 00:08:00");
      return std::chrono::minutes{8};
    }
    return *budget;
  }

  Ticks timeout = kDefaultFunctionTimeout;
  if (std::string text = reader.Get("AzureFunctionsJobHost__functionTimeout"); !text.empty()) {
    if (auto parsed = ParseTimeSpan(text)) timeout = *parsed;
  } else {
    std::string root = reader.Get("FUNCTIONS_APP_ROOT_PATH");
    const std::filesystem::path host_json = std::filesystem::path(root.empty() ? "." : root) / "host.json";
    std::ifstream file(host_json);
    if (file) {
      std::stringstream content;
      content << file.rdbuf();
      boost::system::error_code error;
      const auto json = boost::json::parse(content.str(), error);
      if (!error && json.is_object()) {
        if (const auto* value = json.as_object().if_contains("functionTimeout"); value && value->is_string()) {
          if (auto parsed = ParseTimeSpan(std::string(value->as_string()))) timeout = *parsed;
        }
      }
    }
  }
  (void)environment;
  // Leave a fifth of the timeout, and at least a minute, to finish the
  // batch in flight and reply before the host kills the process.
  const Ticks margin = std::max<Ticks>(timeout / 5, std::chrono::minutes{1});
  return std::max<Ticks>(timeout - margin, std::chrono::seconds{30});
}

void ReadSettling(Reader& reader, Settings& settings) {
  Ticks horizon = DefaultSettlingPolicy().horizon;
  if (std::string text = reader.Get("MESSAGE_TRACE_SETTLING_HORIZON"); !text.empty()) {
    const auto parsed = ParseTimeSpan(text);
    if (!parsed || *parsed < std::chrono::minutes{15} || *parsed > std::chrono::days{10}) {
      reader.Fail("MESSAGE_TRACE_SETTLING_HORIZON is invalid: '" + text +
                  "'; write a duration from 00:15:00 to 10.00:00:00, e.g. 1.00:00:00 for 24 hours");
    } else {
      horizon = *parsed;
    }
  }

  std::string schedule = reader.Get("MESSAGE_TRACE_SETTLING_SCHEDULE");
  if (schedule.empty()) {
    settings.settling = DefaultSettlingPolicy();
    std::erase_if(settings.settling.ages, [&](Ticks age) { return age >= horizon; });
    settings.settling.ages.push_back(horizon);
    settings.settling.horizon = horizon;
  } else {
    std::string error;
    if (auto policy = ParseSettlingPolicy(schedule, horizon, error)) {
      settings.settling = *policy;
    } else {
      reader.Fail("MESSAGE_TRACE_SETTLING_SCHEDULE is invalid: " + error +
                  "; write ascending ages such as 00:15:00,01:00:00,04:00:00");
    }
  }

  if (std::string text = reader.Get("MESSAGE_TRACE_INGESTION_LAG"); !text.empty()) {
    const auto parsed = ParseTimeSpan(text);
    if (!parsed || *parsed > std::chrono::days{1}) {
      reader.Fail("MESSAGE_TRACE_INGESTION_LAG is invalid: '" + text + "'; write a duration such as 00:15:00");
    } else {
      settings.ingestion_lag = *parsed;
    }
  }

  if (std::string text = reader.Get("MESSAGE_TRACE_HTTP_TIMEOUT"); !text.empty()) {
    int seconds = 0;
    try {
      seconds = std::stoi(text);
    } catch (const std::exception&) {
      seconds = 0;
    }
    if (seconds < 1 || seconds > 50 || std::to_string(seconds) != text) {
      reader.Fail("MESSAGE_TRACE_HTTP_TIMEOUT is invalid: '" + text +
                  "'; write a whole number of seconds from 1 to 50 (the run's lease lasts 60 seconds)");
    } else {
      settings.http_timeout = std::chrono::seconds{seconds};
    }
  }
}

// The identity endpoint is used only when no secret or certificate is set.
// The platform points it at the local host over http (e.g.
// http://localhost:8081/msi/token), so loopback http is accepted there.
void ReadManagedIdentitySettings(Reader& reader, const Settings& settings) {
  if (settings.identity_endpoint.empty() || !settings.client_secret.empty() ||
      !settings.client_certificate_path.empty()) {
    return;
  }
  const auto url = Url::Parse(settings.identity_endpoint);
  if (!url) {
    reader.Fail("IDENTITY_ENDPOINT is not an absolute URL: '" + settings.identity_endpoint +
                "'; the platform sets it for a managed identity, so remove any app setting that overrides it");
  } else if (url->scheme != "https" && !url->IsLoopback()) {
    reader.Fail("IDENTITY_ENDPOINT must use https or point at the local host: '" + settings.identity_endpoint +
                "'; the platform sets it for a managed identity, so remove any app setting that overrides it");
  }
  if (settings.identity_header.empty()) {
    reader.Fail("IDENTITY_HEADER is missing; the platform sets it together with IDENTITY_ENDPOINT for a managed "
                "identity, or set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH instead");
  }
}

AssertionAlgorithm ReadAssertionAlgorithm(Reader& reader) {
  const std::string text = reader.Get("AZURE_CLIENT_ASSERTION_ALGORITHM");
  const std::string lower = Lower(text);
  if (lower.empty() || lower == "ps256") return AssertionAlgorithm::kPs256;
  if (lower == "rs256") return AssertionAlgorithm::kRs256;
  reader.Fail("AZURE_CLIENT_ASSERTION_ALGORITHM is invalid: '" + text +
              "'; use PS256 (RSASSA-PSS, the default) or RS256 (RSASSA-PKCS1-v1_5)");
  return AssertionAlgorithm::kPs256;
}

}  // namespace

const CloudProfile& ProfileFor(Cloud cloud) {
  switch (cloud) {
    case Cloud::kUsGovernment: return kUsGovernmentCloud;
    case Cloud::kChina: return kChinaCloud;
    case Cloud::kPublic: break;
  }
  return kPublicCloud;
}

std::optional<Ticks> ParseTimeSpan(const std::string& text) {
  static const std::regex kTimeSpan{"^(?:(\\d{1,5})\\.)?(\\d{1,2}):(\\d{2}):(\\d{2})$"};
  if (text.size() > 16) return std::nullopt;
  std::smatch match;
  if (!std::regex_match(text, match, kTimeSpan)) return std::nullopt;
  const long days = match[1].matched ? std::stol(match[1]) : 0;
  const long hours = std::stol(match[2]);
  const long minutes = std::stol(match[3]);
  const long seconds = std::stol(match[4]);
  if (hours > 23 || minutes > 59 || seconds > 59) return std::nullopt;
  return std::chrono::days{days} + std::chrono::hours{hours} + std::chrono::minutes{minutes} +
         std::chrono::seconds{seconds};
}

Environment ReadProcessEnvironment() {
  Environment environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

void MergeSettingsFile(const std::string& path, Environment& environment) {
  std::ifstream file(path);
  if (!file) throw ConfigurationError("the settings file '" + path + "' cannot be read; check the path");
  std::stringstream content;
  content << file.rdbuf();

  boost::system::error_code error;
  const boost::json::value json = boost::json::parse(content.str(), error);
  if (error || !json.is_object()) {
    throw ConfigurationError("the settings file '" + path + "' is not valid JSON (" + error.message() +
                             "); it should look like local.settings.json.example");
  }
  const auto* values = json.as_object().if_contains("Values");
  if (!values || !values->is_object()) {
    throw ConfigurationError("the settings file '" + path +
                             "' has no \"Values\" object; it should look like local.settings.json.example");
  }
  for (const auto& [key, value] : values->as_object()) {
    if (!value.is_string()) {
      throw ConfigurationError("the setting " + std::string(key) + " in '" + path +
                               "' is not a string; every value in \"Values\" must be a JSON string");
    }
    environment.emplace(std::string(key), std::string(value.as_string()));  // the environment wins
  }
}

Settings LoadSettings(const Environment& environment) {
  Reader reader(environment);
  Settings settings;

  const std::string cloud = Lower(reader.Get("AZURE_CLOUD"));
  if (cloud.empty() || cloud == "azurecloud" || cloud == "azurepubliccloud") {
    settings.cloud = Cloud::kPublic;
  } else if (cloud == "azureusgovernment") {
    settings.cloud = Cloud::kUsGovernment;
  } else if (cloud == "azurechinacloud") {
    settings.cloud = Cloud::kChina;
  } else {
    reader.Fail("AZURE_CLOUD is invalid: '" + reader.Get("AZURE_CLOUD") +
                "'; use AzureCloud, AzureUSGovernment or AzureChinaCloud");
  }
  const CloudProfile& profile = ProfileFor(settings.cloud);

  settings.tenant_id = reader.Get("AZURE_TENANT_ID");
  if (settings.tenant_id.empty()) {
    reader.Fail("AZURE_TENANT_ID is missing; set the Entra tenant id (a GUID) or a verified domain");
  } else if (!std::regex_match(settings.tenant_id, kGuid) && !std::regex_match(settings.tenant_id, kDomain)) {
    reader.Fail("AZURE_TENANT_ID is invalid: '" + settings.tenant_id +
                "'; use the tenant id, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain like contoso.onmicrosoft.com");
  }

  settings.client_id = reader.Get("AZURE_CLIENT_ID");
  if (!settings.client_id.empty() && !std::regex_match(settings.client_id, kGuid)) {
    reader.Fail("AZURE_CLIENT_ID is invalid: '" + settings.client_id +
                "'; use the application (client) id GUID of the app registration or user-assigned identity");
  }
  settings.client_secret = Secret(reader.Get("AZURE_CLIENT_SECRET"));
  if (settings.client_secret.Reveal().starts_with("<") && settings.client_secret.Reveal().ends_with(">")) {
    reader.Fail("AZURE_CLIENT_SECRET still holds the example's placeholder; set the secret's value");
  }
  settings.client_certificate_path = reader.Get("AZURE_CLIENT_CERTIFICATE_PATH");
  settings.identity_endpoint = reader.Get("IDENTITY_ENDPOINT");
  settings.identity_header = Secret(reader.Get("IDENTITY_HEADER"));
  settings.authority_host = reader.Endpoint("AZURE_AUTHORITY_HOST", profile.authority_host);

  if (!settings.client_secret.empty() || !settings.client_certificate_path.empty()) {
    if (settings.client_id.empty()) {
      reader.Fail("AZURE_CLIENT_ID is missing; a client secret or certificate belongs to an app registration, "
                  "so set its application (client) id");
    }
  }
  if (!settings.client_certificate_path.empty() && !std::filesystem::is_regular_file(settings.client_certificate_path)) {
    reader.Fail("AZURE_CLIENT_CERTIFICATE_PATH names no readable file: '" + settings.client_certificate_path +
                "'; point it at a PEM file holding the certificate and its private key");
  }
  if (settings.client_secret.empty() && settings.client_certificate_path.empty() &&
      settings.identity_endpoint.empty()) {
    reader.Fail("no credential is configured; set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or run on "
                "Azure with a managed identity (the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER)");
  }
  ReadManagedIdentitySettings(reader, settings);
  settings.assertion_algorithm = ReadAssertionAlgorithm(reader);

  const std::string source = Lower(reader.Get("MESSAGE_TRACE_SOURCE"));
  if (source.empty() || source == "graph") {
    settings.source = SourceKind::kGraph;
  } else if (source == "reporting") {
    settings.source = SourceKind::kReporting;
  } else {
    reader.Fail("MESSAGE_TRACE_SOURCE is invalid: '" + reader.Get("MESSAGE_TRACE_SOURCE") +
                "'; use graph (Microsoft Graph message trace) or reporting (Office 365 Reporting Web Service)");
  }
  settings.graph_endpoint = reader.Endpoint("MESSAGE_TRACE_GRAPH_ENDPOINT", profile.graph_endpoint);
  settings.reporting_endpoint = reader.Endpoint("MESSAGE_TRACE_REPORTING_ENDPOINT", profile.reporting_endpoint);
  if (settings.source == SourceKind::kGraph && settings.cloud != Cloud::kPublic) {
    reader.Fail(std::string("MESSAGE_TRACE_SOURCE=graph is not available in ") + profile.name +
                ": Microsoft Graph message trace is offered in the global service only; set "
                "MESSAGE_TRACE_SOURCE=reporting to use the Office 365 Reporting Web Service");
  }

  if (std::string start = reader.Get("MESSAGE_TRACE_START"); !start.empty()) {
    settings.start = ParseIso8601(start);
    const Instant now = std::chrono::time_point_cast<Ticks>(std::chrono::system_clock::now());
    if (!settings.start) {
      reader.Fail("MESSAGE_TRACE_START is invalid: '" + start + "'; write an ISO 8601 UTC instant, e.g. 2026-11-01T00:00:00Z");
    } else if (*settings.start > now + std::chrono::hours{1}) {
      reader.Fail("MESSAGE_TRACE_START is in the future: '" + start +
                  "'; write the instant in the past where the first run should start, or leave it empty");
    }
  }

  settings.workspace_id = reader.Get("LOG_ANALYTICS_WORKSPACE_ID");
  if (settings.workspace_id.empty()) {
    reader.Fail("LOG_ANALYTICS_WORKSPACE_ID is missing; set the workspace (customer) id GUID shown on the workspace's Overview page");
  } else if (!std::regex_match(settings.workspace_id, kGuid)) {
    reader.Fail("LOG_ANALYTICS_WORKSPACE_ID is invalid: '" + settings.workspace_id +
                "'; use the workspace (customer) id GUID, not the resource id or name");
  }
  settings.query_endpoint = reader.Endpoint("LOG_ANALYTICS_QUERY_ENDPOINT", profile.query_endpoint);

  settings.log_type = reader.Get("MESSAGE_TRACE_LOG_TYPE");
  if (settings.log_type.empty()) settings.log_type = "EmailEvents";
  if (!std::regex_match(settings.log_type, kLogType)) {
    reader.Fail("MESSAGE_TRACE_LOG_TYPE is invalid: '" + settings.log_type +
                "'; use letters, digits and underscores, starting with a letter, at most 100 characters (the table is <name>_CL)");
  }

  const std::string ingestion = Lower(reader.Get("INGESTION_API"));
  if (ingestion.empty() || ingestion == "logs-ingestion") {
    settings.ingestion = IngestionKind::kLogsIngestion;
  } else if (ingestion == "data-collector") {
    settings.ingestion = IngestionKind::kDataCollector;
  } else {
    reader.Fail("INGESTION_API is invalid: '" + reader.Get("INGESTION_API") +
                "'; use logs-ingestion (DCR-based Logs Ingestion API) or data-collector (legacy HTTP Data Collector API)");
  }

  settings.logs_ingestion_endpoint = reader.Endpoint("LOGS_INGESTION_ENDPOINT", "");
  settings.dcr_id = reader.Get("LOGS_INGESTION_DCR_ID");
  settings.stream = reader.Get("LOGS_INGESTION_STREAM");
  if (settings.stream.empty()) settings.stream = "Custom-" + settings.TableName();
  if (settings.ingestion == IngestionKind::kLogsIngestion) {
    if (settings.logs_ingestion_endpoint.empty()) {
      reader.Fail("LOGS_INGESTION_ENDPOINT is missing; set the data collection endpoint's or the DCR's logs "
                  "ingestion URL, e.g. https://my-dce.westeurope-1.ingest.monitor.azure.com");
    }
    if (settings.dcr_id.empty()) {
      reader.Fail("LOGS_INGESTION_DCR_ID is missing; set the DCR's immutable id, e.g. dcr-00000000000000000000000000000000");
    } else if (!std::regex_match(settings.dcr_id, kDcrId)) {
      reader.Fail("LOGS_INGESTION_DCR_ID is invalid: '" + settings.dcr_id +
                  "'; use the DCR's immutableId (dcr- followed by 32 hex digits), not its resource id or name");
    }
    if (!std::regex_match(settings.stream, kStream)) {
      reader.Fail("LOGS_INGESTION_STREAM is invalid: '" + settings.stream +
                  "'; use the stream name declared in the DCR, e.g. Custom-EmailEvents_CL");
    }
  }

  settings.shared_key = Secret(reader.Get("DATA_COLLECTOR_SHARED_KEY"));
  settings.data_collector_endpoint = reader.Endpoint(
      "DATA_COLLECTOR_ENDPOINT",
      settings.workspace_id.empty() ? "" : "https://" + settings.workspace_id + ".ods.opinsights." + profile.data_collector_suffix);
  if (settings.ingestion == IngestionKind::kDataCollector && settings.shared_key.empty()) {
    reader.Fail("DATA_COLLECTOR_SHARED_KEY is missing; set the workspace's primary or secondary key (base64), "
                "found under Agents in the workspace");
  } else if (settings.ingestion == IngestionKind::kDataCollector && !DecodeBase64(settings.shared_key.Reveal())) {
    // The message never quotes the key, not even in part.
    reader.Fail("DATA_COLLECTOR_SHARED_KEY is not valid base64 (" + std::to_string(settings.shared_key.Reveal().size()) +
                " characters); copy the workspace's primary or secondary key unchanged, on one line, without "
                "quotes or spaces");
  }

  settings.storage_connection = Secret(reader.Get("AzureWebJobsStorage"));
  const bool storage_too_long = std::ranges::any_of(environment, [](const auto& entry) {
    return entry.first.starts_with("AzureWebJobsStorage") && entry.second.size() > kMaxSettingLength;
  });
  if (!storage_too_long) {
    try {
      settings.storage = ReadStorageAccount(environment, profile.storage_suffix);
    } catch (const ConfigurationError& error) {
      reader.Fail(error.what());
    }
  } else if (reader.Get("AzureWebJobsStorage").empty()) {
    reader.Fail("an AzureWebJobsStorage__ setting is too long (more than " + std::to_string(kMaxSettingLength) +
                " characters); check that the right value was pasted");
  }

  settings.ca_file = reader.Get("SSL_CERT_FILE");
  if (!settings.ca_file.empty() && !std::filesystem::is_regular_file(settings.ca_file)) {
    reader.Fail("SSL_CERT_FILE names no readable file: '" + settings.ca_file +
                "'; point it at a PEM bundle of trusted CA certificates or unset it to use the system store");
  }

  settings.time_budget = ReadTimeBudget(reader, environment);
  ReadSettling(reader, settings);

  if (!reader.errors().empty()) {
    std::string message = "invalid settings:";
    for (const auto& error : reader.errors()) message += "\n  - " + error;
    throw ConfigurationError(message);
  }
  return settings;
}

}  // namespace mt

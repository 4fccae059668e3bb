#include "pipeline_factory.hpp"

#include "data_collector.hpp"
#include "blob_state_store.hpp"
#include "errors.hpp"
#include "graph_source.hpp"
#include "logs_ingestion.hpp"
#include "reporting_source.hpp"

namespace mt {

std::unique_ptr<TraceSource> MakeSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens) {
  if (settings.source == SourceKind::kGraph) return std::make_unique<GraphTraceSource>(settings, transport, tokens);
  return std::make_unique<ReportingTraceSource>(settings, transport, tokens);
}

std::unique_ptr<IngestionSink> MakeSink(const Settings& settings, HttpTransport& transport, TokenCache& tokens) {
  if (settings.ingestion == IngestionKind::kLogsIngestion) {
    return std::make_unique<LogsIngestionSink>(settings, transport, tokens);
  }
  return std::make_unique<DataCollectorSink>(settings, transport);
}

std::unique_ptr<StateStore> MakeStateStore(const Settings& settings, HttpTransport& transport, TokenCache& tokens) {
  if (!settings.storage) {
    throw ConfigurationError(
        "AzureWebJobsStorage is missing; the handler keeps its checkpoint and run lease in that storage account. Set "
        "it to the account's connection string, UseDevelopmentStorage=true for Azurite, or use the identity-based "
        "AzureWebJobsStorage__accountName");
  }
  return std::make_unique<BlobStateStore>(*settings.storage, transport, &tokens);
}

}  // namespace mt

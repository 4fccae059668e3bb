#include "pipeline_factory.hpp"

#include "data_collector.hpp"
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

std::unique_ptr<StateStore> MakeStateStore(const Settings&, HttpTransport&, TokenCache&) {
  // TODO: the Blob storage state store is being built; until then only
  // tests that bring their own store can run a collection.
  throw ConfigurationError("the Blob storage checkpoint is not built into this version yet");
}

}  // namespace mt

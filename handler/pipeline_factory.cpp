#include "pipeline_factory.hpp"

#include "errors.hpp"
#include "graph_source.hpp"
#include "logs_ingestion.hpp"

namespace mt {

std::unique_ptr<TraceSource> MakeSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens) {
  if (settings.source == SourceKind::kGraph) return std::make_unique<GraphTraceSource>(settings, transport, tokens);
  // TODO: the Reporting Web Service source is not built yet.
  throw ConfigurationError("MESSAGE_TRACE_SOURCE=reporting is not supported by this version; use graph");
}

std::unique_ptr<IngestionSink> MakeSink(const Settings& settings, HttpTransport& transport, TokenCache& tokens) {
  if (settings.ingestion == IngestionKind::kLogsIngestion) {
    return std::make_unique<LogsIngestionSink>(settings, transport, tokens);
  }
  // TODO: the Data Collector sink is not built yet.
  throw ConfigurationError("INGESTION_API=data-collector is not supported by this version; use logs-ingestion");
}

}  // namespace mt

// Builds the source and the sink that the settings select.
#pragma once

#include <memory>

#include "http_client.hpp"
#include "identity.hpp"
#include "ingestion_sink.hpp"
#include "settings.hpp"
#include "state_store.hpp"
#include "trace_source.hpp"

namespace mt {

std::unique_ptr<TraceSource> MakeSource(const Settings& settings, HttpTransport& transport, TokenCache& tokens);
// The state store for the checkpoint and the run lease: Blob storage of
// AzureWebJobsStorage.
std::unique_ptr<StateStore> MakeStateStore(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

std::unique_ptr<IngestionSink> MakeSink(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

}  // namespace mt

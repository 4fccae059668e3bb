// One collection run: watermark, slices of message trace, delivery, and the
// run summary.
#pragma once

#include <memory>

#include "clock.hpp"
#include "http_client.hpp"
#include "ingestion_sink.hpp"
#include "run_log.hpp"
#include "run_summary.hpp"
#include "settings.hpp"
#include "state_store.hpp"
#include "trace_source.hpp"

namespace mt {

// Runs one collection with the given settings. Every std::exception ends up
// in the summary's `error` with status `failed` (or `partial` when
// the time budget ran out), and rows delivered before it stay counted.
RunSummary RunCollection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport);

// Stand-ins for the parts a run would otherwise build from the settings;
// tests set the ones they replace.
struct RunOverrides {
  TraceSource* source = nullptr;
  IngestionSink* sink = nullptr;
  StateStore* state = nullptr;
};

RunSummary RunCollection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport,
                         const RunOverrides& overrides);

// Validates settings from `environment` and runs; a settings error becomes
// a failed summary.
RunSummary RunCollectionFromEnvironment(const Environment& environment, Clock& clock, RunLog& log);

}  // namespace mt

// The run summary: `ReturnValue` of the host reply and the output of
// `handler run`.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "time_util.hpp"

namespace mt {

enum class RunStatus { kSucceeded, kPartial, kFailed };

struct RunSummary {
  RunStatus status = RunStatus::kSucceeded;
  std::optional<Instant> window_start;
  std::optional<Instant> window_end;
  std::size_t records_fetched = 0;
  std::size_t records_ingested = 0;
  std::size_t duplicates_skipped = 0;
  std::optional<std::string> error;

  // Added keys beyond the fixed ones.
  bool skipped = false;  // another run held the lock; nothing was done
  std::optional<Instant> watermark;
  std::string source;
  std::string ingestion;
  int source_requests = 0;
  std::size_t ingestion_requests = 0;
  std::size_t fields_truncated = 0;
  std::size_t held_back = 0;   // transient status, read again later
  int settling_reads = 0;      // re-reads of earlier periods done by this run
  std::optional<Instant> checkpoint;  // first reads are done up to here
  double duration_seconds = 0;
};

const char* ToString(RunStatus status);
boost::json::object ToJson(const RunSummary& summary);

}  // namespace mt

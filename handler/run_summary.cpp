#include "run_summary.hpp"

#include <boost/json.hpp>

namespace mt {

const char* ToString(RunStatus status) {
  switch (status) {
    case RunStatus::kSucceeded: return "succeeded";
    case RunStatus::kPartial: return "partial";
    case RunStatus::kFailed: return "failed";
  }
  return "failed";
}

boost::json::object ToJson(const RunSummary& summary) {
  auto instant = [](const std::optional<Instant>& value) -> boost::json::value {
    if (!value) return nullptr;
    return boost::json::string(FormatIsoPrecise(*value));
  };
  boost::json::object json;
  json["status"] = ToString(summary.status);
  json["windowStart"] = instant(summary.window_start);
  json["windowEnd"] = instant(summary.window_end);
  json["recordsFetched"] = summary.records_fetched;
  json["recordsIngested"] = summary.records_ingested;
  json["duplicatesSkipped"] = summary.duplicates_skipped;
  json["error"] = summary.error ? boost::json::value(*summary.error) : boost::json::value(nullptr);
  json["skipped"] = summary.skipped;
  json["watermark"] = instant(summary.watermark);
  json["source"] = summary.source;
  json["ingestion"] = summary.ingestion;
  json["sourceRequests"] = summary.source_requests;
  json["ingestionRequests"] = summary.ingestion_requests;
  json["fieldsTruncated"] = summary.fields_truncated;
  json["heldBack"] = summary.held_back;
  json["settlingReads"] = summary.settling_reads;
  json["checkpoint"] = instant(summary.checkpoint);
  json["durationSeconds"] = summary.duration_seconds;
  return json;
}

}  // namespace mt

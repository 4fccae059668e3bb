// The watermark query: the newest Received_t already in the workspace, read
// through the Log Analytics query API.
#pragma once

#include <optional>
#include <string>

#include "http_client.hpp"
#include "identity.hpp"
#include "retry.hpp"

namespace mt {

// The watermark query for `table`. A fuzzy union with an empty datatable leg
// resolves even before the table exists, so a first run reads "no data"
// instead of an error.
std::string WatermarkQuery(const std::string& table);

// How far back the query looks, in days; covers Graph's 90-day reach.
inline constexpr int kWatermarkLookBackDays = 91;

struct WatermarkResult {
  std::optional<Instant> watermark;  // empty: no rows yet (or no table)
  std::string note;                  // how the reply was read, for the log
};

// Reads a query API reply. A PartialError, an error body or an unreadable
// table raises CollectionError: a failed query never counts as "no data".
// A missing table (SEM0100, or SEM0001 from a fuzzy union) reads as none.
WatermarkResult ParseWatermarkReply(const HttpResponse& response, const std::string& table);

class WorkspaceQuery {
 public:
  WorkspaceQuery(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

  WatermarkResult ReadWatermark(RetryContext& context);

 private:
  const Settings& settings_;
  HttpTransport& transport_;
  TokenCache& tokens_;
};

}  // namespace mt

// The watermark query: the newest Received_t already in the workspace, read
// through the Log Analytics query API.
#pragma once

#include <optional>
#include <string>

#include "http_client.hpp"
#include "identity.hpp"
#include "retry.hpp"
#include "trace_row.hpp"

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

// Quotes text as a KQL string literal.
std::string KqlString(const std::string& text);

// The query that counts the sample rows in the table.
std::string RowCountQuery(const std::string& table, const std::vector<TraceRow>& sample);

class WorkspaceQuery {
 public:
  WorkspaceQuery(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

  WatermarkResult ReadWatermark(RetryContext& context);

  // Counts how many of `sample` (message, recipient, status) are in the
  // table. A batch is accepted whole or not at all, so a few of its rows
  // tell whether it landed.
  std::size_t CountRows(const std::vector<TraceRow>& sample, RetryContext& context);

 private:
  // Runs a query and returns the reply; 401 refreshes the token once.
  HttpResponse Run(const std::string& query, const std::string& what, RetryContext& context);

  const Settings& settings_;
  HttpTransport& transport_;
  TokenCache& tokens_;
};

}  // namespace mt

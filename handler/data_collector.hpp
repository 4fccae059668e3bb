// HTTP Data Collector API (legacy ingestion, SharedKey-signed):
// POST {endpoint}/api/logs?api-version=2016-04-01
// Microsoft ended support for this API on 14 September 2026, and its
// endpoints may reject requests at any time. The Logs Ingestion API is the
// supported path.
#pragma once

#include <string>
#include <string_view>

#include "http_client.hpp"
#include "ingestion_sink.hpp"
#include "settings.hpp"

namespace mt {

// A post may carry at most 30 MB; above about 30 MiB the service closes the
// connection. Batches stay under 30,000,000 bytes, below both readings.
inline constexpr std::size_t kDataCollectorMaxPostBytes = 30'000'000;

// The service trims string values to 32,766 bytes ("32 KB"). Cutting them
// here, at a character boundary, keeps the UTF-8 valid and lets the run
// count them.
inline constexpr std::size_t kDataCollectorMaxFieldBytes = 32'766;

// The body field whose value the service copies into TimeGenerated.
inline constexpr std::string_view kTimeGeneratedField = "Received";

// A date header this far from the service's clock makes the signature
// invalid (403).
inline constexpr Ticks kDataCollectorClockTolerance = std::chrono::minutes{15};

// Appends one row as a Data Collector record. Field names carry no type
// suffix because the service appends one from each value's look: ISO 8601
// text becomes `Received_t`, a GUID `MessageTraceId_g`, a number `Size_d`
// and other text `_s`, which gives the table's columns.
void AppendDataCollectorRecord(const TraceRow& row, std::string& out);

// Builds one signed post of `body`, dated `now`. Called once per attempt,
// so that every retry carries a fresh x-ms-date and signature.
HttpRequest BuildDataCollectorRequest(const Url& url, const Settings& settings, std::string_view key_bytes,
                                      const std::string& body, Instant now);

class DataCollectorSink : public IngestionSink {
 public:
  // Raises ConfigurationError when DATA_COLLECTOR_SHARED_KEY is not base64
  // or DATA_COLLECTOR_ENDPOINT is not a URL.
  DataCollectorSink(const Settings& settings, HttpTransport& transport);

  void Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext& context) override;
  const DeliveryStats& Stats() const override { return stats_; }
  std::string Name() const override { return "HTTP Data Collector API"; }

 private:
  void Post(const std::string& body, std::size_t row_count, RetryContext& context);

  const Settings& settings_;
  HttpTransport& transport_;
  Secret key_bytes_;  // the decoded workspace key
  Url url_;
  DeliveryStats stats_;
};

// Turns a rejected post into a message that states what to fix. `now` is this
// machine's clock, compared with the reply's Date header on a 403.
std::string DescribeDataCollectorError(const HttpResponse& response, const Settings& settings, Instant now);

}  // namespace mt

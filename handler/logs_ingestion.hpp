// Logs Ingestion API (DCR-based):
// POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01
#pragma once

#include "http_client.hpp"
#include "identity.hpp"
#include "ingestion_sink.hpp"

namespace mt {

// The API refuses requests over 1,048,576 bytes (413
// ContentLengthLimitExceeded); batches stay under a round million bytes
// before compression, as the .NET SDK does, so that headers and rounding
// never tip one over.
inline constexpr std::size_t kLogsIngestionMaxBatchBytes = 1'000'000;

// The service truncates string values over 64 KB; cutting them here, at a
// character boundary, keeps the UTF-8 valid and lets the run count them.
inline constexpr std::size_t kLogsIngestionMaxFieldBytes = 64 * 1024;

class LogsIngestionSink : public IngestionSink {
 public:
  LogsIngestionSink(const Settings& settings, HttpTransport& transport, TokenCache& tokens);

  void Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext& context) override;
  const DeliveryStats& Stats() const override { return stats_; }
  std::string Name() const override { return "Logs Ingestion API"; }

 private:
  void Post(const std::string& body, std::size_t row_count, RetryContext& context);

  const Settings& settings_;
  HttpTransport& transport_;
  TokenCache& tokens_;
  Url url_;
  DeliveryStats stats_;
};

// Turns a rejected ingestion request into a message that names the fix.
std::string DescribeIngestionError(const HttpResponse& response, const Settings& settings);

}  // namespace mt

// Measures the CPU cost of the handler's per-row work: parsing Graph pages
// of 5000 rows, sorting, cutting 1 MB batches and gzip-compressing them,
// as a run does for every page it reads.
//
//   build/bench/pipeline_throughput [--pages N]
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "batcher.hpp"
#include "graph_source.hpp"
#include "gzip.hpp"
#include "logs_ingestion.hpp"

using namespace mt;

namespace {

// A page shaped like Graph's, with realistic field lengths and a mix of
// ASCII and non-ASCII subjects.
std::string MakePage(std::mt19937_64& random, int rows) {
  boost::json::array values;
  std::uniform_int_distribution<int> second(0, 86399);
  for (int i = 0; i < rows; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", unsigned(random()), unsigned(i));
    char received[32];
    const int s = second(random);
    std::snprintf(received, sizeof received, "2026-12-03T%02d:%02d:%02dZ", s / 3600, s / 60 % 60, s % 60);
    values.push_back(boost::json::object{
        {"id", id},
        {"senderAddress", "sender" + std::to_string(i % 300) + "@contoso.example"},
        {"recipientAddress", "recipient" + std::to_string(i) + "@fabrikam.example"},
        {"messageId", std::string("<") + id + "@mail.contoso.example>"},
        {"receivedDateTime", received},
        {"subject", i % 5 ? "Quarterly report for the finance team, draft " + std::to_string(i) : "Réunion – compte rendu ✅"},
        {"size", 20000 + i},
        {"fromIP", "203.0.113.25"},
        {"toIP", i % 2 ? "" : "198.51.100.7"},
        {"status", "delivered"}});
  }
  return boost::json::serialize(boost::json::object{{"value", values}});
}

}  // namespace

int main(int argc, char** argv) {
  int pages = 40;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pages")) pages = std::atoi(argv[i + 1]);
  }
  std::mt19937_64 random(1);
  HttpResponse response;
  response.status = 200;
  response.headers["content-type"] = "application/json";
  response.body = MakePage(random, kGraphPageSize);

  std::size_t rows_total = 0;
  std::size_t batch_bytes = 0;
  std::size_t gzip_bytes = 0;
  std::size_t batches = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int page = 0; page < pages; ++page) {
    std::vector<TraceRow> rows;
    std::string next_link;
    ParseGraphPage(response, rows, next_link);
    std::sort(rows.begin(), rows.end(), DeliveryOrder);
    for (const Batch& batch : MakeBatches(rows, {kLogsIngestionMaxBatchBytes, kLogsIngestionMaxFieldBytes})) {
      batch_bytes += batch.body.size();
      gzip_bytes += GzipCompress(batch.body).size();
      ++batches;
    }
    rows_total += rows.size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf("pages of %d rows:   %d\n", kGraphPageSize, pages);
  std::printf("rows:               %zu\n", rows_total);
  std::printf("seconds:            %.2f\n", seconds);
  std::printf("rows per second:    %.0f\n", double(rows_total) / seconds);
  std::printf("batches:            %zu (%.0f rows each)\n", batches, double(rows_total) / double(batches));
  std::printf("JSON bytes per row: %.0f, gzip ratio %.1f\n", double(batch_bytes) / double(rows_total),
              double(batch_bytes) / double(gzip_bytes));
  return 0;
}

// Simulates a tenant of a million messages a day with rows up to 24 hours
// late and status changes, collected every 15 minutes by the real
// collection logic, and reports what the settling schedule costs in Graph
// requests against the tenant's quota of 100 requests per 5 minutes.
//
//   build/bench/quota_simulation [--messages-per-day N] [--days N] [--seed N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>

#include "collector.hpp"
#include "simulated_tenant.hpp"

using namespace mt;
using namespace mt::simulation;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// Graph message trace allows 100 requests per 5 minutes per tenant.
constexpr double kQuotaPerFiveMinutes = 100;
constexpr double kQuotaPerDay = kQuotaPerFiveMinutes * 12 * 24;

class StepClock : public Clock {
 public:
  explicit StepClock(Instant start) : now_(start) {}
  Instant Now() override { return now_; }
  void SleepFor(Ticks duration) override { now_ += duration; }
  void Advance(Ticks duration) { now_ += duration; }

 private:
  Instant now_;
};

std::vector<SourceRow> MakeTenant(std::mt19937_64& random, Instant start, int days, long messages_per_day) {
  std::vector<SourceRow> rows;
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> recipients(1, 2);  // about 1.5 rows a message
  const long messages = messages_per_day * days;
  const double seconds_total = days * 86400.0;
  for (long message = 0; message < messages; ++message) {
    const Instant received = start + std::chrono::duration_cast<Ticks>(std::chrono::duration<double>(unit(random) * seconds_total));
    const int count = recipients(random);
    // 90 % of rows within 10 minutes, 9 % within 4 hours, 1 % up to 24 hours.
    const double late = unit(random);
    const double lateness_seconds = late < 0.9 ? 600 * unit(random) : late < 0.99 ? 4 * 3600 * unit(random) : 23 * 3600 * unit(random);
    const Ticks lateness = std::chrono::duration_cast<Ticks>(std::chrono::duration<double>(lateness_seconds));
    const bool pending_first = unit(random) < 0.2;
    for (int r = 0; r < count; ++r) {
      SourceRow source;
      source.row.trace_id = std::to_string(message);
      source.row.recipient = "user" + std::to_string(r) + "@fabrikam.example";
      source.row.received = received;
      source.row.status = "Delivered";
      source.row.size = 20000;
      source.available_at = received + lateness;
      if (pending_first) {
        source.history = {{source.available_at, "Pending"}, {source.available_at + minutes{30}, "Delivered"}};
      } else {
        source.history = {{source.available_at, "Delivered"}};
      }
      rows.push_back(std::move(source));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const SourceRow& a, const SourceRow& b) { return a.row.received < b.row.received; });
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  long messages_per_day = 1'000'000;
  int days = 2;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages-per-day")) messages_per_day = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--days")) days = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }

  const Instant start = *ParseIso8601("2026-12-01T00:00:00Z");
  std::mt19937_64 random(seed);
  std::vector<SourceRow> tenant = MakeTenant(random, start, days, messages_per_day);

  StepClock clock(start + minutes{15});
  Chaos chaos{std::mt19937_64(seed), 0};
  FakeSource source(clock, chaos, tenant);
  source.page_size = 5000;  // Graph's largest $top
  FakeSink sink(clock, chaos);
  sink.batch_rows = 2000;
  InMemoryStateStore store;
  WorkspaceTransport transport(clock, sink, seconds{30});

  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("simulation");
  settings.authority_host = "https://127.0.0.1:1";
  settings.query_endpoint = "https://127.0.0.1:2";
  settings.workspace_id = "97ce69d9-b4be-4241-8dbd-d265edcf06c4";
  settings.log_type = "EmailEvents";
  settings.start = start;
  settings.time_budget = minutes{8};

  // Requests per day of virtual time, and the most in one run: a run takes
  // seconds, so its requests all fall in one 5-minute window.
  std::map<int, int> requests_per_day;
  int max_run_requests = 0;
  int runs = 0;
  const Instant end = start + std::chrono::days{days} + hours{26};
  while (clock.Now() < end) {
    const int before = source.RequestCount();
    RunLog log("", false);
    const RunSummary summary = RunCollection(settings, clock, log, transport, {&source, &sink, &store});
    if (summary.status != RunStatus::kSucceeded) {
      std::fprintf(stderr, "run at %s ended %s: %s\n", FormatIsoSeconds(clock.Now()).c_str(), ToString(summary.status),
                   summary.error ? summary.error->c_str() : "");
    }
    const int used = source.RequestCount() - before;
    const int day = int(std::chrono::floor<std::chrono::days>(clock.Now() - start).count());
    requests_per_day[day] += used;
    max_run_requests = std::max(max_run_requests, used);
    ++runs;
    clock.Advance(minutes{15});
  }

  std::set<std::string> landed_pairs;
  std::size_t doubled = 0;
  for (const LandedRow& landed : sink.landed) {
    if (!landed_pairs.insert(landed.row.trace_id + "|" + landed.row.recipient).second) ++doubled;
  }
  std::size_t lost = 0;
  for (const SourceRow& row : tenant) lost += !landed_pairs.contains(row.row.trace_id + "|" + row.row.recipient);

  const int steady_day = std::min(1, days - 1);
  const int steady = requests_per_day[steady_day];
  std::printf("messages per day:            %ld\n", messages_per_day);
  std::printf("rows (message x recipient):  %zu over %d days\n", tenant.size(), days);
  std::printf("runs (every 15 minutes):     %d\n", runs);
  std::printf("Graph requests on day %d:     %d (%.1f %% of the %.0f a day the quota allows)\n", steady_day + 1, steady,
              100.0 * steady / kQuotaPerDay, kQuotaPerDay);
  std::printf("most requests in one run:    %d (%.0f %% of one 5-minute window)\n", max_run_requests,
              100.0 * max_run_requests / kQuotaPerFiveMinutes);
  std::printf("rows landed:                 %zu\n", sink.landed.size());
  std::printf("late rows missed (lost):     %zu\n", lost);
  std::printf("rows landed twice:           %zu\n", doubled);
  return lost == 0 && doubled == 0 ? 0 : 1;
}

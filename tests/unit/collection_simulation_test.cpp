// Runs the collection logic over days of simulated time against an
// in-process tenant whose rows arrive late and change status, while runs
// are killed at random points: between a batch's write-ahead record and its
// delivery, after delivery but before it is recorded, inside state writes
// and while paging. When the faults stop and the runs catch up, every row
// must have landed once, with its settled status.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <random>
#include <regex>
#include <set>

#include "collector.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "settling.hpp"
#include "simulated_tenant.hpp"

namespace mt {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::ManualClock;
using namespace simulation;

const Instant kStart = *ParseIso8601("2026-12-01T00:00:00Z");

std::vector<SourceRow> MakeTenant(std::mt19937_64& random, Instant start, Ticks span) {
  std::vector<SourceRow> rows;
  std::uniform_int_distribution<std::int64_t> when(0, std::chrono::duration_cast<seconds>(span).count());
  std::uniform_int_distribution<int> recipients(1, 4);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int message = 0; message < 600; ++message) {
    const Instant received = start + seconds{when(random)};
    const int count = recipients(random);
    for (int r = 0; r < count; ++r) {
      SourceRow source;
      source.row.trace_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + message);
      source.row.recipient = "user" + std::to_string(r) + "@fabrikam.example";
      source.row.sender = "sender" + std::to_string(message % 17) + "@contoso.example";
      source.row.received = received;
      source.row.size = 1000 + message;

      // Most rows show up within minutes; some up to 23 hours late.
      const double lateness = unit(random);
      const bool late = lateness >= 0.9;
      source.available_at = received + (late ? hours{int(lateness * 23)} : minutes{int(lateness * 10)});

      // A late row appears with its final status; a row that changes status
      // settles within hours of appearing, well inside the horizon.
      double kind = unit(random);
      if (late && kind >= 0.6 && kind < 0.85) kind = 0.0;
      if (late && kind >= 0.95) kind = 0.9;
      if (kind < 0.6) {
        source.row.status = "Delivered";
      } else if (kind < 0.85) {
        // Pending first, delivered minutes to hours later.
        source.row.status = "Delivered";
        source.history = {{source.available_at, "Pending"}, {source.available_at + minutes{int(kind * 600)}, "Delivered"}};
      } else if (kind < 0.95) {
        source.row.status = "Failed";
      } else {
        source.row.status = "Pending";  // never settles: lands once, at the horizon
        source.history = {{source.available_at, "Pending"}};
      }
      if (source.history.empty()) source.history = {{source.available_at, source.row.status}};
      rows.push_back(source);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const SourceRow& a, const SourceRow& b) { return a.row.received < b.row.received; });
  return rows;
}

Settings SimulationSettings() {
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("simulation-secret");
  settings.authority_host = "https://127.0.0.1:1";
  settings.query_endpoint = "https://127.0.0.1:2";
  settings.workspace_id = "97ce69d9-b4be-4241-8dbd-d265edcf06c4";
  settings.log_type = "EmailEvents";
  settings.start = kStart;
  settings.time_budget = minutes{8};
  settings.settling = DefaultSettlingPolicy();
  settings.ingestion_lag = minutes{15};
  return settings;
}

struct Outcome {
  std::size_t runs = 0;
  std::size_t killed = 0;
  std::size_t source_requests = 0;
};

Outcome Simulate(std::uint64_t seed, double kill_probability, FakeSink*& sink_out, std::vector<SourceRow>& tenant,
                 std::unique_ptr<FakeSink>& sink_owner) {
  std::mt19937_64 random(seed);
  const Ticks span = hours{48};
  tenant = MakeTenant(random, kStart, span);

  ManualClock clock(kStart + minutes{15});
  Chaos chaos{std::mt19937_64(seed * 7919 + 1), 0};
  FakeSource source(clock, chaos, tenant);
  sink_owner = std::make_unique<FakeSink>(clock, chaos);
  FakeSink& sink = *sink_owner;
  FlakyStore store(chaos);
  WorkspaceTransport transport(clock, sink, minutes{15});
  const Settings settings = SimulationSettings();

  Outcome outcome;
  // Faults during the tenant's two days and the day after, then quiet runs
  // until every period has had its final read.
  const Instant faults_end = kStart + span + hours{24};
  const Instant quiet_end = faults_end + hours{26};
  while (clock.Now() < quiet_end) {
    chaos.kill_probability = clock.Now() < faults_end ? kill_probability : 0;
    RunLog log("", getenv("SIM_DEBUG") != nullptr);
    try {
      const RunSummary summary = RunCollection(settings, clock, log, transport, {&source, &sink, &store});
      EXPECT_NE(summary.status, RunStatus::kFailed) << (summary.error ? *summary.error : "");
    } catch (const Killed&) {
      ++outcome.killed;
    }
    ++outcome.runs;
    clock.Advance(minutes{15});
  }
  outcome.source_requests = source.RequestCount();
  sink_out = &sink;
  return outcome;
}

class CollectionSimulation : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(CollectionSimulation, EveryRowLandsOnceWithItsSettledStatus) {
  FakeSink* sink = nullptr;
  std::unique_ptr<FakeSink> owner;
  std::vector<SourceRow> tenant;
  const Outcome outcome = Simulate(GetParam(), 0.03, sink, tenant, owner);
  EXPECT_GT(outcome.killed, 5u) << "the simulation should kill some runs";

  std::map<std::string, int> landed_keys;
  std::map<std::string, std::string> landed_status;
  for (const LandedRow& landed : sink->landed) {
    const std::string pair = landed.row.trace_id + "|" + landed.row.recipient;
    ++landed_keys[pair + "|" + landed.row.status];
    landed_status[pair] = landed.row.status;
  }

  std::size_t doubled = 0;
  for (const auto& [key, count] : landed_keys) doubled += count > 1;
  EXPECT_EQ(doubled, 0u);

  std::size_t lost = 0;
  std::size_t wrong_status = 0;
  for (const SourceRow& source : tenant) {
    const std::string pair = source.row.trace_id + "|" + source.row.recipient;
    const auto it = landed_status.find(pair);
    if (it == landed_status.end()) {
      ++lost;
    } else if (it->second != source.row.status) {
      ++wrong_status;
    }
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(wrong_status, 0u);
  EXPECT_EQ(sink->landed.size(), tenant.size());
}

INSTANTIATE_TEST_SUITE_P(Seeds, CollectionSimulation, ::testing::Range<std::uint64_t>(1, 31));

TEST(CollectionSimulationQuiet, NoFaultsLandsEveryRowWithoutDeliveryChecks) {
  FakeSink* sink = nullptr;
  std::unique_ptr<FakeSink> owner;
  std::vector<SourceRow> tenant;
  const Outcome outcome = Simulate(42, 0, sink, tenant, owner);
  EXPECT_EQ(outcome.killed, 0u);
  EXPECT_EQ(sink->landed.size(), tenant.size());
}

}  // namespace
}  // namespace mt

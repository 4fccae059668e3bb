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

namespace mt {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::ManualClock;

// Thrown by the fakes to stop a run the way SIGKILL would: it is not a
// std::exception, so no handler code catches it and nothing after it runs.
struct Killed {};

const Instant kStart = *ParseIso8601("2026-12-01T00:00:00Z");

struct SourceRow {
  TraceRow row;  // with the settled status
  Instant available_at;
  std::vector<std::pair<Instant, std::string>> history;  // status changes, oldest first
};

struct Chaos {
  std::mt19937_64 random;
  double kill_probability = 0;

  bool Strike() { return std::uniform_real_distribution<double>(0, 1)(random) < kill_probability; }
};

class FakeSource : public TraceSource {
 public:
  FakeSource(Clock& clock, Chaos& chaos, std::vector<SourceRow>& rows) : clock_(clock), chaos_(chaos), rows_(rows) {}

  SourceLimits Limits() const override { return {std::chrono::days{90}, std::chrono::days{10}}; }
  std::string Name() const override { return "simulated tenant"; }
  int RequestCount() const override { return requests_; }

  void Read(Instant start, Instant end, const PageHandler& on_page, RetryContext&) override {
    const Instant now = clock_.Now();
    std::vector<TraceRow> visible;
    for (const SourceRow& source : rows_) {
      if (source.available_at > now || source.row.received < start || source.row.received > end) continue;
      TraceRow row = source.row;
      for (const auto& [at, status] : source.history) {
        if (at <= now) row.status = status;
      }
      visible.push_back(row);
    }
    std::sort(visible.begin(), visible.end(), [](const TraceRow& a, const TraceRow& b) { return DeliveryOrder(b, a); });

    constexpr std::size_t kPageSize = 40;
    for (std::size_t offset = 0; offset < visible.size() || offset == 0; offset += kPageSize) {
      ++requests_;
      if (chaos_.Strike()) throw Killed{};
      const auto last = std::min(visible.size(), offset + kPageSize);
      std::vector<TraceRow> page(visible.begin() + offset, visible.begin() + last);
      if (!on_page(std::move(page))) return;
      if (last == visible.size()) return;
    }
  }

 private:
  Clock& clock_;
  Chaos& chaos_;
  std::vector<SourceRow>& rows_;
  int requests_ = 0;
};

struct LandedRow {
  TraceRow row;
  Instant landed_at;
};

class FakeSink : public IngestionSink {
 public:
  FakeSink(Clock& clock, Chaos& chaos) : clock_(clock), chaos_(chaos) {}

  void Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext&) override {
    constexpr std::size_t kBatchRows = 25;
    for (std::size_t first = 0; first < rows.size(); first += kBatchRows) {
      const std::size_t count = std::min(kBatchRows, rows.size() - first);
      if (hooks.before_send) hooks.before_send(first, count);
      if (chaos_.Strike()) throw Killed{};  // recorded as pending, never sent
      for (std::size_t i = first; i < first + count; ++i) landed.push_back({rows[i], clock_.Now()});
      if (chaos_.Strike()) throw Killed{};  // landed, not recorded
      if (chaos_.Strike()) throw DeliveryUncertain("the reply was lost");
      stats_.rows_accepted += count;
      ++stats_.requests;
      if (hooks.on_accepted) hooks.on_accepted(first, count);
    }
  }
  const DeliveryStats& Stats() const override { return stats_; }
  std::string Name() const override { return "simulated workspace"; }

  std::vector<LandedRow> landed;

 private:
  Clock& clock_;
  Chaos& chaos_;
  DeliveryStats stats_;
};

// An in-memory store whose writes can be cut off before or after they
// apply, as a killed process would.
class FlakyStore : public InMemoryStateStore {
 public:
  explicit FlakyStore(Chaos& chaos) : chaos_(chaos) {}

  std::string Write(const std::string& name, const std::string& content, const WriteCondition& condition,
                    RetryContext& context) override {
    if (chaos_.Strike()) throw Killed{};
    std::string etag = InMemoryStateStore::Write(name, content, condition, context);
    if (chaos_.Strike()) throw Killed{};
    return etag;
  }

 private:
  Chaos& chaos_;
};

// Answers the token endpoint and the two workspace queries from the sink's
// landed rows, visible once they are older than the queryability lag.
class WorkspaceTransport : public HttpTransport {
 public:
  WorkspaceTransport(Clock& clock, FakeSink& sink, Ticks lag) : clock_(clock), sink_(sink), lag_(lag) {}

  HttpOutcome Send(const HttpRequest& request) override {
    if (request.url.target.find("/oauth2/v2.0/token") != std::string::npos) {
      return testing::Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"t"})");
    }
    const std::string query(json::parse(request.body).as_object().at("query").as_string());
    const Instant visible_before = clock_.Now() - lag_;
    if (query.find("summarize Watermark") != std::string::npos) {
      std::optional<Instant> newest;
      for (const LandedRow& landed : sink_.landed) {
        if (landed.landed_at <= visible_before) newest = std::max(newest.value_or(landed.row.received), landed.row.received);
      }
      const std::string cell = newest ? "\"" + FormatIsoPrecise(*newest) + "\"" : "null";
      return testing::Reply(200, R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Watermark","type":"datetime"}],"rows":[[)" + cell + "]]}]}");
    }
    static const std::regex kKey(
        R"re(MessageTraceId_g =~ "([^"]*)" and RecipientAddress_s =~ "([^"]*)" and Status_s == "([^"]*)")re");
    std::size_t count = 0;
    for (auto it = std::sregex_iterator(query.begin(), query.end(), kKey); it != std::sregex_iterator(); ++it) {
      for (const LandedRow& landed : sink_.landed) {
        if (landed.landed_at <= visible_before && landed.row.trace_id == (*it)[1] && landed.row.recipient == (*it)[2] &&
            landed.row.status == (*it)[3]) {
          ++count;
        }
      }
    }
    ++count_queries;
    return testing::Reply(200, R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Count","type":"long"}],"rows":[[)" + std::to_string(count) + "]]}]}");
  }

  int count_queries = 0;

 private:
  Clock& clock_;
  FakeSink& sink_;
  Ticks lag_;
};

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

INSTANTIATE_TEST_SUITE_P(Seeds, CollectionSimulation, ::testing::Range<std::uint64_t>(1, 9));

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

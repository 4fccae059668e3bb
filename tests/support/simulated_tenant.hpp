// In-process stand-ins for a tenant's message trace, the workspace and the
// state store, used to run the collection logic over days of simulated
// time: by the exactly-once simulation test and by the Graph quota
// benchmark.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "clock.hpp"
#include "errors.hpp"
#include "http_client.hpp"
#include "ingestion_sink.hpp"
#include "state_store.hpp"
#include "trace_source.hpp"

namespace mt::simulation {

namespace json = boost::json;

inline HttpOutcome JsonReply(std::string body) {
  HttpOutcome outcome;
  HttpResponse response;
  response.status = 200;
  response.headers["content-type"] = "application/json";
  response.body = std::move(body);
  outcome.response = std::move(response);
  return outcome;
}

// Thrown by the fakes to stop a run the way SIGKILL would: it is not a
// std::exception, so no handler code catches it and nothing after it runs.
struct Killed {};

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

  std::size_t page_size = 40;

  // Rows must be sorted by received time.
  void Read(Instant start, Instant end, const PageHandler& on_page, RetryContext&) override {
    const Instant now = clock_.Now();
    std::vector<TraceRow> visible;
    auto first = std::lower_bound(rows_.begin(), rows_.end(), start,
                                  [](const SourceRow& row, Instant at) { return row.row.received < at; });
    for (auto it = first; it != rows_.end() && it->row.received <= end; ++it) {
      const SourceRow& source = *it;
      if (source.available_at > now) continue;
      TraceRow row = source.row;
      for (const auto& [at, status] : source.history) {
        if (at <= now) row.status = status;
      }
      visible.push_back(row);
    }
    std::sort(visible.begin(), visible.end(), [](const TraceRow& a, const TraceRow& b) { return DeliveryOrder(b, a); });

    for (std::size_t offset = 0; offset < visible.size() || offset == 0; offset += page_size) {
      ++requests_;
      if (chaos_.Strike()) throw Killed{};
      const auto last = std::min(visible.size(), offset + page_size);
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
    for (std::size_t first = 0; first < rows.size(); first += batch_rows) {
      const std::size_t count = std::min(batch_rows, rows.size() - first);
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
  std::size_t batch_rows = 25;

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
      return JsonReply(R"({"token_type":"Bearer","expires_in":3599,"access_token":"t"})");
    }
    const std::string query(json::parse(request.body).as_object().at("query").as_string());
    const Instant visible_before = clock_.Now() - lag_;
    if (query.find("summarize Watermark") != std::string::npos) {
      std::optional<Instant> newest;
      for (const LandedRow& landed : sink_.landed) {
        if (landed.landed_at <= visible_before) newest = std::max(newest.value_or(landed.row.received), landed.row.received);
      }
      const std::string cell = newest ? "\"" + FormatIsoPrecise(*newest) + "\"" : "null";
      return JsonReply(R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Watermark","type":"datetime"}],"rows":[[)" + cell + "]]}]}");
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
    return JsonReply(R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Count","type":"long"}],"rows":[[)" + std::to_string(count) + "]]}]}");
  }

  int count_queries = 0;

 private:
  Clock& clock_;
  FakeSink& sink_;
  Ticks lag_;
};

}  // namespace mt::simulation

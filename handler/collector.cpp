#include "collector.hpp"

#include <algorithm>
#include <unordered_set>

#include "checkpoint.hpp"
#include "delivery_ledger.hpp"
#include "errors.hpp"
#include "identity.hpp"
#include "pipeline_factory.hpp"
#include "run_lease.hpp"
#include "slice_reader.hpp"
#include "window_plan.hpp"
#include "workspace_query.hpp"

namespace mt {
namespace {

// How many rows of an in-flight batch the delivery check queries.
constexpr std::size_t kDeliveryCheckSample = 3;

// One collection: everything a run needs, and the steps it takes.
class Collection {
 public:
  Collection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport,
             const RunOverrides& overrides)
      : settings_(settings),
        clock_(clock),
        log_(log),
        transport_(transport),
        overrides_(overrides),
        started_(clock.Now()),
        context_{clock, log, started_ + settings.time_budget, {}} {}

  RunSummary Run();

 private:
  void Prepare();
  bool TakeLease();
  void LoadCheckpoint();
  void ResolvePending();
  void RunTask(const ReadTask& task, std::optional<Instant> after);
  void Deliver(std::vector<TraceRow>& rows);
  void SaveCheckpoint();
  void Finish();

  std::string Prefix() const { return settings_.TableName() + "/"; }
  void CheckLease() const;

  const Settings& settings_;
  Clock& clock_;
  RunLog& log_;
  HttpTransport& transport_;
  RunOverrides overrides_;
  const Instant started_;
  RetryContext context_;
  RunSummary summary_;

  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<TraceSource> owned_source_;
  std::unique_ptr<IngestionSink> owned_sink_;
  std::unique_ptr<StateStore> owned_state_;
  TraceSource* source_ = nullptr;
  IngestionSink* sink_ = nullptr;
  StateStore* state_ = nullptr;
  std::unique_ptr<RunLease> lease_;
  std::unique_ptr<DeliveryLedger> ledger_;
  std::unique_ptr<WorkspaceQuery> workspace_;

  Checkpoint checkpoint_;
  std::string checkpoint_etag_;
  std::optional<Instant> seeded_after_;  // rows at or before this were ingested before the checkpoint existed
  std::unordered_set<std::uint64_t> unresolved_keys_;  // rows of in-flight batches not yet known to have landed
  bool checkpoint_loaded_ = false;
  std::size_t held_back_ = 0;
  int settling_reads_ = 0;
};

std::string CheckpointName(const std::string& prefix) { return prefix + "checkpoint.json"; }

void Collection::Prepare() {
  tokens_ = std::make_unique<TokenCache>(settings_, MakeTokenSource(settings_, transport_));
  log_.Info("credential: " + tokens_->Describe());
  source_ = overrides_.source;
  if (!source_) {
    owned_source_ = MakeSource(settings_, transport_, *tokens_);
    source_ = owned_source_.get();
  }
  sink_ = overrides_.sink;
  if (!sink_) {
    owned_sink_ = MakeSink(settings_, transport_, *tokens_);
    sink_ = owned_sink_.get();
  }
  state_ = overrides_.state;
  if (!state_) {
    owned_state_ = MakeStateStore(settings_, transport_, *tokens_);
    state_ = owned_state_.get();
  }
  workspace_ = std::make_unique<WorkspaceQuery>(settings_, transport_, *tokens_);
  ledger_ = std::make_unique<DeliveryLedger>(*state_, Prefix());
  summary_.source = source_->Name();
  summary_.ingestion = sink_->Name();
}

bool Collection::TakeLease() {
  lease_ = std::make_unique<RunLease>(*state_, Prefix() + "lease", clock_, log_);
  if (!lease_->Acquire(context_)) return false;
  context_.heartbeat = [this] { lease_->Heartbeat(); };
  return true;
}

void Collection::CheckLease() const {
  if (lease_->Lost()) {
    throw CollectionError("the run lease was lost, so another run may be working; this run stopped before sending more");
  }
}

void Collection::LoadCheckpoint() {
  const std::string name = CheckpointName(Prefix());
  const auto stored = state_->Read(name, context_);

  // The watermark is read on every run: it seeds a missing checkpoint and is
  // reported next to the checkpoint as a cross-check.
  std::optional<WatermarkResult> watermark;
  try {
    watermark = workspace_->ReadWatermark(context_);
    summary_.watermark = watermark->watermark;
  } catch (const CollectionError& error) {
    if (!stored) throw;  // without a checkpoint, the run cannot start safely
    log_.Warning(std::string("the watermark cross-check failed; continuing from the checkpoint: ") + error.what());
  }

  if (stored) {
    checkpoint_ = ParseCheckpoint(stored->content, name);
    checkpoint_etag_ = stored->etag;
    ledger_->SetKnownHours(checkpoint_.ledger_hours);
    log_.Info("checkpoint: first reads done up to " + FormatIsoPrecise(checkpoint_.frontier) + ", " +
              std::to_string(checkpoint_.segments.size()) + " periods settling, " +
              std::to_string(checkpoint_.pending.size()) + " batches in flight; workspace watermark " +
              (summary_.watermark ? FormatIsoPrecise(*summary_.watermark) : std::string("none")));
    return;
  }

  const Instant now = clock_.Now();
  checkpoint_.table = settings_.TableName();
  if (watermark && watermark->watermark) {
    checkpoint_.frontier = FloorToSecond(*watermark->watermark);
    seeded_after_ = watermark->watermark;
    log_.Warning("no checkpoint in " + state_->Describe() + "; starting after the workspace watermark " +
                 FormatIsoPrecise(*watermark->watermark) +
                 ". Periods before it are not re-read, so rows that arrive late for them are not collected");
  } else if (settings_.start) {
    checkpoint_.frontier = FloorToSecond(*settings_.start);
    log_.Info("first run: starting at MESSAGE_TRACE_START " + FormatIsoSeconds(checkpoint_.frontier) + " (" +
              watermark->note + ")");
  } else {
    checkpoint_.frontier = FloorToSecond(now - kDefaultFirstRunLookBack);
    log_.Info("first run: starting " + FormatDuration(kDefaultFirstRunLookBack) + " back, at " +
              FormatIsoSeconds(checkpoint_.frontier) + " (" + watermark->note + "); set MESSAGE_TRACE_START to start elsewhere");
  }
  checkpoint_etag_.clear();
}

void Collection::SaveCheckpoint() {
  checkpoint_.ledger_hours = ledger_->KnownHours();
  const WriteCondition condition =
      checkpoint_etag_.empty() ? WriteCondition::CreateOnly() : WriteCondition::IfMatch(checkpoint_etag_);
  try {
    checkpoint_etag_ = state_->Write(CheckpointName(Prefix()), SerializeCheckpoint(checkpoint_), condition, context_);
  } catch (const StateConflict& conflict) {
    throw CollectionError(std::string("the checkpoint was changed by another run (") + conflict.what() +
                          "); this run stops so that the two never send the same rows");
  }
}

void Collection::ResolvePending() {
  if (checkpoint_.pending.empty()) return;
  const Instant now = clock_.Now();
  std::vector<PendingBatch> still_open;
  std::vector<PendingBatch> to_send;

  for (PendingBatch& batch : checkpoint_.pending) {
    if (batch.rows.empty()) continue;
    const auto [oldest, newest] = std::minmax_element(
        batch.rows.begin(), batch.rows.end(), [](const TraceRow& a, const TraceRow& b) { return a.received < b.received; });
    ledger_->Load(oldest->received, newest->received + std::chrono::hours{1}, context_);

    // Recorded as delivered already: the run stopped after the ledger was
    // written but before the checkpoint was.
    if (std::all_of(batch.rows.begin(), batch.rows.end(), [&](const TraceRow& row) { return ledger_->Contains(row); })) {
      continue;
    }
    // The service may accept a batch up to a request's whole time allowance
    // after it was sent, so its rows may become queryable that much later.
    const Instant checkable = batch.sent_at + settings_.ingestion_lag + 2 * settings_.http_timeout;
    if (now < checkable) {
      log_.Info("a batch of " + std::to_string(batch.rows.size()) + " rows sent at " + FormatIsoSeconds(batch.sent_at) +
                " has an unknown outcome; it is checked once it would be queryable, after " +
                FormatIsoSeconds(checkable));
      for (const TraceRow& row : batch.rows) unresolved_keys_.insert(HashRow(row).key);
      still_open.push_back(std::move(batch));
      continue;
    }

    std::vector<TraceRow> sample = {batch.rows.front(), batch.rows[batch.rows.size() / 2], batch.rows.back()};
    sample.resize(std::min(sample.size(), kDeliveryCheckSample));
    if (workspace_->CountRows(sample, context_) > 0) {
      log_.Info("a batch of " + std::to_string(batch.rows.size()) + " rows sent at " + FormatIsoSeconds(batch.sent_at) +
                " is in the workspace; recording it as delivered");
      for (const TraceRow& row : batch.rows) ledger_->Record(row);
    } else {
      log_.Warning("a batch of " + std::to_string(batch.rows.size()) + " rows sent at " +
                   FormatIsoSeconds(batch.sent_at) + " never landed; sending it again");
      to_send.push_back(std::move(batch));
    }
  }

  // Batches to send again stay pending until they are delivered: a run
  // killed during the resend leaves them to be checked once more.
  const std::size_t open_count = still_open.size();
  checkpoint_.pending = std::move(still_open);
  checkpoint_.pending.insert(checkpoint_.pending.end(), to_send.begin(), to_send.end());
  ledger_->Flush(context_);
  SaveCheckpoint();

  for (PendingBatch& batch : to_send) {
    std::vector<TraceRow> rows;
    for (TraceRow& row : batch.rows) {
      if (!ledger_->Contains(row)) rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), DeliveryOrder);
    Deliver(rows);
  }
  if (!to_send.empty()) {
    checkpoint_.pending.resize(open_count);
    SaveCheckpoint();
  }
}

void Collection::Deliver(std::vector<TraceRow>& rows) {
  if (rows.empty()) return;
  bool in_flight = false;
  DeliveryHooks hooks;
  hooks.before_send = [&](std::size_t first, std::size_t count) {
    CheckLease();
    in_flight = true;
    // Write-ahead: the batch is in the checkpoint before it can land, so a
    // run killed at any point leaves a record to check.
    checkpoint_.pending.push_back({clock_.Now(), {rows.begin() + first, rows.begin() + first + count}});
    SaveCheckpoint();
  };
  hooks.on_accepted = [&](std::size_t first, std::size_t count) {
    in_flight = false;  // landed: if recording it fails, its pending record must stay
    for (std::size_t i = first; i < first + count; ++i) ledger_->Record(rows[i]);
    ledger_->Flush(context_);
    checkpoint_.pending.pop_back();
    summary_.records_ingested += count;
  };
  try {
    sink_->Deliver(rows, hooks, context_);
  } catch (const CollectionError&) {
    // The API refused the batch for good (or was never reached), so it did
    // not land: drop its pending record, so the next run sends those rows
    // at once instead of waiting to check the workspace.
    if (in_flight) {
      checkpoint_.pending.pop_back();
      SaveCheckpoint();
    }
    throw;
  }
  // The last batch's pending record is cleared in memory; persist that.
  SaveCheckpoint();
}

void Collection::RunTask(const ReadTask& task, std::optional<Instant> after) {
  const SourceLimits limits = source_->Limits();
  ledger_->Load(task.start, task.end, context_);
  SliceReader reader(*source_, context_);

  Ticks length = std::min<Ticks>(limits.max_window, task.end - task.start);
  Instant slice_start = task.start;
  while (slice_start < task.end) {
    if (clock_.Now() >= context_.deadline) throw BudgetExhausted("the run's time budget is spent");
    CheckLease();

    length = std::max(length, kMinSliceLength);
    const Instant slice_end = std::min(task.end, slice_start + std::min(length, limits.max_window));
    SliceRows slice = reader.Read(slice_start, slice_end);
    if (slice.too_large) {
      const Ticks half = std::max<Ticks>((slice_end - slice_start) / 2, kMinSliceLength);
      length = std::clamp<Ticks>(std::chrono::floor<std::chrono::seconds>(slice.suggested_length), kMinSliceLength, half);
      log_.Info("slice " + FormatIsoSeconds(slice_start) + " .. " + FormatIsoSeconds(slice_end) +
                " holds too many rows for one pass; trying " + FormatDuration(length));
      continue;
    }

    std::vector<TraceRow> to_send;
    std::size_t skipped = 0;
    std::size_t held = 0;
    for (TraceRow& row : slice.rows) {
      const RowHashes hashes = HashRow(row);
      if ((after && row.received <= *after) || ledger_->ContainsHashes(hashes, row.received) ||
          unresolved_keys_.contains(hashes.key)) {
        ++skipped;
      } else if (IsTransientStatus(row.status) && !task.final) {
        ++held;  // read again later, when it may have settled
      } else if (IsTransientStatus(row.status) && ledger_->PairDelivered(row)) {
        ++skipped;  // a settled status of this row already landed
      } else {
        to_send.push_back(std::move(row));
      }
    }
    summary_.records_fetched += slice.rows.size();
    summary_.duplicates_skipped += skipped;
    held_back_ += held;

    std::sort(to_send.begin(), to_send.end(), DeliveryOrder);
    Deliver(to_send);

    MarkRead(checkpoint_.segments, slice_start, slice_end, task.ordinal, settings_.settling);
    if (task.ordinal == 0) {
      checkpoint_.frontier = slice_end;
      summary_.window_end = slice_end;
    }
    SaveCheckpoint();

    log_.Info(std::string(task.ordinal == 0 ? "read" : task.final ? "final re-read" : "re-read") + " " +
              FormatIsoSeconds(slice_start) + " .. " + FormatIsoSeconds(slice_end) + ": " +
              std::to_string(slice.rows.size()) + " fetched, " + std::to_string(to_send.size()) + " sent, " +
              std::to_string(skipped) + " already sent, " + std::to_string(held) + " held back");
    length = NextSliceLength(slice_end - slice_start, slice.rows.size(), limits);
    slice_start = slice_end;
  }
}

RunSummary Collection::Run() {
  try {
    Prepare();
    if (!TakeLease()) {
      summary_.skipped = true;
      log_.Warning("another run holds the lease on " + Prefix() + "lease in " + state_->Describe() +
                   "; this invocation does nothing and the running one continues");
      return summary_;
    }

    LoadCheckpoint();
    checkpoint_loaded_ = true;
    const Instant now = clock_.Now();
    const SourceLimits limits = source_->Limits();

    // Periods the source no longer serves cannot be read again.
    const Instant oldest = std::chrono::ceil<std::chrono::seconds>(now - limits.max_look_back + kLookBackMargin);
    if (checkpoint_.frontier < oldest) {
      log_.Warning("rows received between " + FormatIsoSeconds(checkpoint_.frontier) + " and " + FormatIsoSeconds(oldest) +
                   " are older than " + source_->Name() + " keeps (" + FormatDuration(limits.max_look_back) +
                   ") and cannot be collected" + (source_->LookBackAdvice().empty() ? "" : "; " + source_->LookBackAdvice()));
      checkpoint_.frontier = oldest;
    }
    std::erase_if(checkpoint_.segments, [&](const Segment& segment) { return segment.start < oldest; });

    ResolvePending();

    const Instant end = FloorToSecond(now - kEndDelay);
    summary_.window_start = checkpoint_.frontier;
    summary_.window_end = checkpoint_.frontier;

    // Final re-reads first: they are the last chance for late rows of their
    // periods. Then the first read of new time, then earlier re-reads.
    const std::vector<ReadTask> rereads = DueReads(checkpoint_.segments, now, settings_.settling);
    std::vector<ReadTask> tasks;
    for (const ReadTask& task : rereads) {
      if (task.final) tasks.push_back(task);
    }
    if (checkpoint_.frontier < end) tasks.push_back({checkpoint_.frontier, end, 0, false});
    for (const ReadTask& task : rereads) {
      if (!task.final) tasks.push_back(task);
    }

    for (const ReadTask& task : tasks) {
      if (task.ordinal > 0) ++settling_reads_;
      RunTask(task, task.ordinal == 0 ? seeded_after_ : std::nullopt);
    }
    summary_.status = RunStatus::kSucceeded;
  } catch (const DeliveryUncertain& error) {
    summary_.status = RunStatus::kPartial;
    summary_.error = std::string(error.what()) + "; the batch is checked in the workspace by a later run and sent again only if it did not land";
    log_.Warning(*summary_.error);
  } catch (const BudgetExhausted& error) {
    summary_.status = RunStatus::kPartial;
    summary_.error = std::string(error.what()) + "; progress is kept and the next run continues";
    log_.Warning(*summary_.error);
  } catch (const std::exception& error) {
    summary_.status = RunStatus::kFailed;
    summary_.error = error.what();
    log_.Error(error.what());
  }
  Finish();
  return summary_;
}

void Collection::Finish() {
  // Delivery records of periods that will never be read again go away.
  if (state_ && ledger_ && summary_.status != RunStatus::kFailed && !summary_.skipped) {
    try {
      const Instant oldest_needed = checkpoint_.segments.empty() ? checkpoint_.frontier : checkpoint_.segments.front().start;
      ledger_->Prune(oldest_needed - std::chrono::hours{1}, context_);
      SaveCheckpoint();
    } catch (const std::exception& error) {
      log_.Warning(std::string("cleaning up old delivery records failed; the next run tries again: ") + error.what());
    }
  }
  if (lease_) {
    try {
      lease_->Release();
    } catch (const std::exception& error) {
      log_.Warning(std::string("releasing the run lease failed; it expires within a minute: ") + error.what());
    }
  }

  if (source_) summary_.source_requests = source_->RequestCount();
  if (sink_) {
    summary_.ingestion_requests = sink_->Stats().requests;
    summary_.fields_truncated = sink_->Stats().truncated_fields;
  }
  summary_.held_back = held_back_;
  summary_.settling_reads = settling_reads_;
  if (checkpoint_loaded_) summary_.checkpoint = checkpoint_.frontier;
  summary_.duration_seconds = std::chrono::duration<double>(clock_.Now() - started_).count();
  if (!summary_.skipped) {
    log_.Info(std::string("run ") + ToString(summary_.status) + ": " + std::to_string(summary_.records_fetched) +
              " fetched, " + std::to_string(summary_.records_ingested) + " ingested, " +
              std::to_string(summary_.duplicates_skipped) + " already ingested, " + std::to_string(held_back_) +
              " held back until their status settles");
  }
}

}  // namespace

RunSummary RunCollection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport,
                         const RunOverrides& overrides) {
  Collection collection(settings, clock, log, transport, overrides);
  RunSummary summary = collection.Run();
  // Errors quote service replies, which may echo a credential back.
  if (summary.error) summary.error = ScrubSecrets(*summary.error);
  return summary;
}

RunSummary RunCollection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport) {
  return RunCollection(settings, clock, log, transport, RunOverrides{});
}

RunSummary RunCollectionFromEnvironment(const Environment& environment, Clock& clock, RunLog& log) {
  AddSecretSettings(environment);
  Settings settings;
  try {
    settings = LoadSettings(environment);
  } catch (const ConfigurationError& error) {
    RunSummary summary;
    summary.status = RunStatus::kFailed;
    summary.error = ScrubSecrets(error.what());
    log.Error(error.what());
    return summary;
  }
  HttplibTransport transport(settings.ca_file);
  return RunCollection(settings, clock, log, transport);
}

}  // namespace mt

#include "collector.hpp"

#include <algorithm>
#include <unordered_set>

#include "errors.hpp"
#include "graph_source.hpp"
#include "identity.hpp"
#include "pipeline_factory.hpp"
#include "window_plan.hpp"
#include "workspace_query.hpp"

namespace mt {
namespace {

// A poisoned next link makes the rest of a slice be read again in two
// halves by time; this bounds how often the halves may be cut again.
constexpr int kMaxReplanDepth = 6;

// The rows of one slice, read in full before any is delivered so that they
// go out oldest first.
struct SliceRows {
  std::vector<TraceRow> rows;
  std::size_t skipped = 0;  // at or before the watermark
  bool too_large = false;   // abandoned: the slice must be cut smaller
  Ticks suggested_length{0};
};

class SliceReader {
 public:
  SliceReader(TraceSource& source, RetryContext& context, std::optional<Instant> after)
      : source_(source), context_(context), after_(after) {}

  SliceRows Read(Instant start, Instant end) {
    SliceRows result;
    keys_.clear();
    ReadRange(start, end, start, end, 0, result);
    return result;
  }

 private:
  // Reads [start, end] (the source's inclusive bounds), keeping rows inside
  // the slice [slice_start, slice_end).
  void ReadRange(Instant start, Instant end, Instant slice_start, Instant slice_end, int depth, SliceRows& result) {
    std::optional<Instant> oldest_seen;
    auto on_page = [&](std::vector<TraceRow>&& page) {
      for (TraceRow& row : page) {
        if (row.received < slice_start || row.received >= slice_end) continue;
        if (!keys_.insert(row.trace_id + '\n' + row.recipient).second) continue;
        oldest_seen = oldest_seen ? std::min(*oldest_seen, row.received) : row.received;
        if (after_ && row.received <= *after_) {
          ++result.skipped;
          continue;
        }
        result.rows.push_back(std::move(row));
      }
      // Pages come newest first, so the rows so far cover [oldest, end];
      // extrapolate to the whole slice and stop early when it cannot fit.
      const std::size_t held = result.rows.size() + result.skipped;
      if (depth == 0 && oldest_seen && held > 0) {
        const Ticks covered = slice_end - *oldest_seen;
        const double estimate = double(held) * double((slice_end - slice_start).count()) /
                                double(std::max<Ticks>(covered, std::chrono::seconds{1}).count());
        if (estimate > double(kMaxSliceRows) && slice_end - slice_start > kMinSliceLength) {
          result.too_large = true;
          result.suggested_length = LengthForDensity(held, covered);
          return false;
        }
      }
      return true;
    };

    try {
      source_.Read(start, end, on_page, context_);
    } catch (const PoisonedContinuation& error) {
      if (depth >= kMaxReplanDepth) {
        throw CollectionError(std::string(error.what()) + "; re-reading the range in smaller parts did not get past it");
      }
      // Everything newer than the oldest row seen was read; read the rest
      // again in two halves, which gives the source new continuations.
      const Instant resume_end = oldest_seen ? std::chrono::ceil<std::chrono::seconds>(*oldest_seen) : end;
      const Instant middle = FloorToSecond(start + (resume_end - start) / 2);
      context_.log.Warning(std::string(error.what()) + "; re-reading " + FormatIsoSeconds(start) + " to " +
                           FormatIsoSeconds(resume_end) + " in two parts");
      ReadRange(start, middle, slice_start, slice_end, depth + 1, result);
      ReadRange(middle, resume_end, slice_start, slice_end, depth + 1, result);
    }
  }

  TraceSource& source_;
  RetryContext& context_;
  std::optional<Instant> after_;
  std::unordered_set<std::string> keys_;
};

}  // namespace

RunSummary RunCollection(const Settings& settings, Clock& clock, RunLog& log, HttpTransport& transport) {
  RunSummary summary;
  const Instant started = clock.Now();
  RetryContext context{clock, log, started + settings.time_budget};

  std::unique_ptr<TokenCache> tokens;
  std::unique_ptr<TraceSource> source;
  std::unique_ptr<IngestionSink> sink;
  try {
    tokens = std::make_unique<TokenCache>(settings, MakeTokenSource(settings, transport));
    source = MakeSource(settings, transport, *tokens);
    sink = MakeSink(settings, transport, *tokens);
    summary.source = source->Name();
    summary.ingestion = sink->Name();

    WorkspaceQuery workspace(settings, transport, *tokens);
    const WatermarkResult watermark = workspace.ReadWatermark(context);
    summary.watermark = watermark.watermark;
    log.Info("watermark: " + (watermark.watermark ? FormatIsoPrecise(*watermark.watermark) : std::string("none")) +
             " (" + watermark.note + ")");

    const SourceLimits limits = source->Limits();
    const RangePlan plan = PlanRange(watermark.watermark, settings.start, clock.Now(), limits);
    summary.window_start = plan.start;
    summary.window_end = plan.start;
    if (plan.lost_from) {
      log.Warning("rows received between " + FormatIsoSeconds(*plan.lost_from) + " and " + FormatIsoSeconds(plan.start) +
                  " are older than " + source->Name() + " keeps (" + FormatDuration(limits.max_look_back) +
                  ") and cannot be collected");
    }
    log.Info("range " + FormatIsoSeconds(plan.start) + " .. " + FormatIsoSeconds(plan.end) + " from the " + plan.origin);

    SliceReader reader(*source, context, plan.after);
    Ticks length = std::min<Ticks>(limits.max_window, plan.end - plan.start);
    Instant slice_start = plan.start;
    while (slice_start < plan.end) {
      if (clock.Now() >= context.deadline) throw BudgetExhausted("the run's time budget is spent");

      length = std::max(length, kMinSliceLength);
      const Instant slice_end = std::min(plan.end, slice_start + std::min(length, limits.max_window));
      SliceRows slice = reader.Read(slice_start, slice_end);
      if (slice.too_large) {
        const Ticks half = std::max<Ticks>((slice_end - slice_start) / 2, kMinSliceLength);
        length = std::clamp<Ticks>(std::chrono::floor<std::chrono::seconds>(slice.suggested_length), kMinSliceLength, half);
        log.Info("slice " + FormatIsoSeconds(slice_start) + " .. " + FormatIsoSeconds(slice_end) +
                 " holds too many rows for one pass; trying " + FormatDuration(length));
        continue;
      }

      std::sort(slice.rows.begin(), slice.rows.end(), DeliveryOrder);
      summary.records_fetched += slice.rows.size() + slice.skipped;
      summary.duplicates_skipped += slice.skipped;
      sink->Deliver(slice.rows, [&](std::size_t, std::size_t count) { summary.records_ingested += count; }, context);

      log.Info("slice " + FormatIsoSeconds(slice_start) + " .. " + FormatIsoSeconds(slice_end) + ": " +
               std::to_string(slice.rows.size() + slice.skipped) + " fetched, " + std::to_string(slice.rows.size()) +
               " ingested, " + std::to_string(slice.skipped) + " already ingested");
      summary.window_end = slice_end;
      length = NextSliceLength(slice_end - slice_start, slice.rows.size() + slice.skipped, limits);
      slice_start = slice_end;
    }
    summary.status = RunStatus::kSucceeded;
  } catch (const BudgetExhausted& error) {
    summary.status = RunStatus::kPartial;
    summary.error = std::string(error.what()) + "; progress is kept and the next run continues";
    log.Warning(*summary.error);
  } catch (const std::exception& error) {
    summary.status = RunStatus::kFailed;
    summary.error = error.what();
    log.Error(error.what());
  }

  if (source) summary.source_requests = source->RequestCount();
  if (sink) {
    summary.ingestion_requests = sink->Stats().requests;
    summary.fields_truncated = sink->Stats().truncated_fields;
  }
  summary.duration_seconds = std::chrono::duration<double>(clock.Now() - started).count();
  log.Info(std::string("run ") + ToString(summary.status) + ": " + std::to_string(summary.records_fetched) +
           " fetched, " + std::to_string(summary.records_ingested) + " ingested, " +
           std::to_string(summary.duplicates_skipped) + " already ingested");
  return summary;
}

RunSummary RunCollectionFromEnvironment(const Environment& environment, Clock& clock, RunLog& log) {
  Settings settings;
  try {
    settings = LoadSettings(environment);
  } catch (const ConfigurationError& error) {
    RunSummary summary;
    summary.status = RunStatus::kFailed;
    summary.error = error.what();
    log.Error(error.what());
    return summary;
  }
  HttplibTransport transport(settings.ca_file);
  return RunCollection(settings, clock, log, transport);
}

}  // namespace mt

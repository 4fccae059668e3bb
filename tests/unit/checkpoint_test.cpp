#include <gtest/gtest.h>

#include "checkpoint.hpp"
#include "delivery_ledger.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "run_lease.hpp"
#include "state_store.hpp"

namespace mt {
namespace {

using std::chrono::minutes;
using testing::ManualClock;

const Instant kT0 = *ParseIso8601("2026-12-04T10:00:00Z");

TraceRow Row(const std::string& id, const std::string& recipient, const std::string& status, Instant received) {
  TraceRow row;
  row.trace_id = id;
  row.recipient = recipient;
  row.status = status;
  row.received = received;
  row.sender = "a@contoso.example";
  row.subject = "Réunion ✅";
  row.size = 1234;
  return row;
}

TEST(Checkpoint, RoundTripKeepsEveryField) {
  Checkpoint checkpoint;
  checkpoint.table = "EmailEvents_CL";
  checkpoint.frontier = kT0 + std::chrono::milliseconds{250};
  checkpoint.segments = {{kT0 - minutes{30}, kT0 - minutes{15}, 2}, {kT0 - minutes{15}, kT0, 1}};
  checkpoint.pending = {{kT0, {Row("id-1", "b@fabrikam.example", "Delivered", kT0 - minutes{5})}}};
  checkpoint.ledger_hours = {"2026-12-04T09", "2026-12-04T10"};

  const Checkpoint back = ParseCheckpoint(SerializeCheckpoint(checkpoint), "test");
  EXPECT_EQ(back.table, "EmailEvents_CL");
  EXPECT_EQ(back.frontier, checkpoint.frontier);
  EXPECT_EQ(back.segments, checkpoint.segments);
  ASSERT_EQ(back.pending.size(), 1u);
  EXPECT_EQ(back.pending[0].sent_at, kT0);
  ASSERT_EQ(back.pending[0].rows.size(), 1u);
  EXPECT_EQ(back.pending[0].rows[0].subject, "Réunion ✅");
  EXPECT_EQ(back.pending[0].rows[0].received, kT0 - minutes{5});
  EXPECT_EQ(back.ledger_hours, checkpoint.ledger_hours);
}

TEST(Checkpoint, DamagedTextNamesTheFix) {
  try {
    ParseCheckpoint("{\"version\":1}", "EmailEvents_CL/checkpoint.json");
    FAIL() << "expected a CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("delete it"), std::string::npos);
  }
  EXPECT_THROW(ParseCheckpoint("not json", "x"), CollectionError);
  EXPECT_THROW(ParseCheckpoint(R"({"version":99,"frontier":"2026-12-04T10:00:00Z"})", "x"), CollectionError);
}

struct StoreFixture {
  ManualClock clock{kT0};
  RunLog log{"", false};
  RetryContext context{clock, log, kT0 + std::chrono::hours{1}, {}};
  InMemoryStateStore store;
};

TEST(DeliveryLedger, RecordsPersistPerHour) {
  StoreFixture f;
  DeliveryLedger ledger(f.store, "T/");
  const TraceRow delivered = Row("ID-1", "B@Fabrikam.example", "Delivered", kT0 + minutes{5});
  ledger.Load(kT0, kT0 + minutes{10}, f.context);
  ledger.Record(delivered);
  ledger.Flush(f.context);
  EXPECT_TRUE(f.store.objects.contains("T/delivered/2026-12-04T10.bin"));
  EXPECT_EQ(f.store.objects["T/delivered/2026-12-04T10.bin"].content.size(), 16u);

  DeliveryLedger reloaded(f.store, "T/");
  reloaded.Load(kT0, kT0 + minutes{10}, f.context);
  // Identity is case-insensitive for id and recipient, exact for status.
  EXPECT_TRUE(reloaded.Contains(Row("id-1", "b@fabrikam.example", "Delivered", kT0 + minutes{5})));
  EXPECT_FALSE(reloaded.Contains(Row("id-1", "b@fabrikam.example", "Pending", kT0 + minutes{5})));
  EXPECT_TRUE(reloaded.PairDelivered(Row("id-1", "b@fabrikam.example", "Pending", kT0 + minutes{5})));
  EXPECT_FALSE(reloaded.PairDelivered(Row("id-2", "b@fabrikam.example", "Pending", kT0 + minutes{5})));
}

TEST(DeliveryLedger, PruneRemovesOldHoursFromTheStore) {
  StoreFixture f;
  DeliveryLedger ledger(f.store, "T/");
  ledger.Record(Row("a", "r", "Delivered", kT0 - std::chrono::hours{30}));
  ledger.Record(Row("b", "r", "Delivered", kT0));
  ledger.Flush(f.context);
  EXPECT_EQ(ledger.KnownHours().size(), 2u);

  DeliveryLedger later(f.store, "T/");
  later.SetKnownHours(ledger.KnownHours());
  later.Prune(kT0 - std::chrono::hours{2}, f.context);
  EXPECT_FALSE(f.store.objects.contains("T/delivered/2026-12-03T04.bin"));
  EXPECT_TRUE(f.store.objects.contains("T/delivered/2026-12-04T10.bin"));
  EXPECT_EQ(later.KnownHours().size(), 1u);
}

TEST(DeliveryLedger, ConcurrentWriterIsDetected) {
  StoreFixture f;
  DeliveryLedger first(f.store, "T/");
  DeliveryLedger second(f.store, "T/");
  first.Load(kT0, kT0 + minutes{1}, f.context);
  second.Load(kT0, kT0 + minutes{1}, f.context);
  first.Record(Row("a", "r", "Delivered", kT0));
  first.Flush(f.context);
  second.Record(Row("b", "r", "Delivered", kT0));
  EXPECT_THROW(second.Flush(f.context), StateConflict);
}

TEST(RunLease, SecondHolderIsRefusedUntilRelease) {
  StoreFixture f;
  RunLease first(f.store, "T/lease", f.clock, f.log);
  RunLease second(f.store, "T/lease", f.clock, f.log);
  EXPECT_TRUE(first.Acquire(f.context));
  EXPECT_FALSE(second.Acquire(f.context));
  first.Release();
  EXPECT_TRUE(second.Acquire(f.context));
}

TEST(RunLease, HeartbeatKeepsItAndExpiryLosesIt) {
  StoreFixture f;
  RunLease first(f.store, "T/lease", f.clock, f.log);
  RunLease second(f.store, "T/lease", f.clock, f.log);
  ASSERT_TRUE(first.Acquire(f.context));
  for (int i = 0; i < 10; ++i) {
    f.clock.Advance(std::chrono::seconds{25});
    first.Heartbeat();
  }
  EXPECT_FALSE(first.Lost());
  EXPECT_FALSE(second.Acquire(f.context));

  // A run that stalls past the lease loses it to the next one.
  f.clock.Advance(std::chrono::seconds{61});
  EXPECT_TRUE(second.Acquire(f.context));
  first.Heartbeat();
  EXPECT_TRUE(first.Lost());
}

}  // namespace
}  // namespace mt

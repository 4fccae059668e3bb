#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "batcher.hpp"
#include "logs_ingestion.hpp"

namespace mt {
namespace {

namespace json = boost::json;

TraceRow MakeRow(int second, int index, std::size_t subject_bytes = 10) {
  TraceRow row;
  row.received = *ParseIso8601("2026-11-21T00:00:00Z") + std::chrono::seconds{second};
  row.trace_id = "00000000-0000-0000-0000-" + std::to_string(100000000000 + index);
  row.recipient = "user" + std::to_string(index) + "@contoso.example";
  row.sender = "sender@contoso.example";
  row.subject = std::string(subject_bytes, 'x');
  row.status = "Delivered";
  row.size = 1000;
  return row;
}

std::size_t RecordBytes(const TraceRow& row) {
  std::string text;
  AppendTableRecord(row, text);
  return text.size();
}

TEST(Batcher, EveryBatchIsAValidArrayUnderTheLimit) {
  std::vector<TraceRow> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back(MakeRow(i / 3, i, 300));
  const auto batches = MakeBatches(rows, {kLogsIngestionMaxBatchBytes, kLogsIngestionMaxFieldBytes});
  ASSERT_GT(batches.size(), 1u);

  std::size_t total = 0;
  for (const Batch& batch : batches) {
    EXPECT_LE(batch.body.size(), kLogsIngestionMaxBatchBytes);
    const json::value parsed = json::parse(batch.body);
    ASSERT_TRUE(parsed.is_array());
    EXPECT_EQ(parsed.as_array().size(), batch.count);
    EXPECT_EQ(batch.first, total);
    total += batch.count;
  }
  EXPECT_EQ(total, rows.size());
}

TEST(Batcher, ExactlyAtTheLimitFitsAndOneByteMoreSplits) {
  // Two rows whose array `[a,b]` is exactly `limit` bytes.
  const TraceRow first = MakeRow(0, 1, 100);
  TraceRow second = MakeRow(1, 2, 100);
  const std::size_t limit = 1 + RecordBytes(first) + 1 + RecordBytes(second) + 1;

  auto batches = MakeBatches({first, second}, {limit, kLogsIngestionMaxFieldBytes});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].body.size(), limit);

  batches = MakeBatches({first, second}, {limit - 1, kLogsIngestionMaxFieldBytes});
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].count, 1u);
  EXPECT_EQ(batches[1].count, 1u);
  EXPECT_EQ(batches[1].first, 1u);
}

TEST(Batcher, CutsBetweenInstantsRatherThanInsideOne) {
  // Rows 0-1 at second 0, rows 2-4 at second 1. A limit that fits four rows
  // must cut after row 1, keeping second 1 whole.
  std::vector<TraceRow> rows = {MakeRow(0, 0), MakeRow(0, 1), MakeRow(1, 2), MakeRow(1, 3), MakeRow(1, 4)};
  const std::size_t record = RecordBytes(rows[0]);
  const std::size_t limit = 2 + 4 * record + 3;
  const auto batches = MakeBatches(rows, {limit, kLogsIngestionMaxFieldBytes});
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].count, 2u);
  EXPECT_EQ(batches[1].count, 3u);
  EXPECT_EQ(batches[1].first, 2u);
}

TEST(Batcher, AnInstantLargerThanOneBatchIsCutInside) {
  std::vector<TraceRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(MakeRow(0, i));
  const std::size_t limit = 2 + 3 * RecordBytes(rows[0]) + 2;
  const auto batches = MakeBatches(rows, {limit, kLogsIngestionMaxFieldBytes});
  std::size_t total = 0;
  for (const Batch& batch : batches) {
    EXPECT_LE(batch.body.size(), limit);
    EXPECT_GE(batch.count, 1u);
    total += batch.count;
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(batches.size(), 4u);
}

TEST(Batcher, LongFieldsAreCutAtACharacterBoundary) {
  TraceRow row = MakeRow(0, 0, 0);
  // 70,000 bytes of a three-byte character: the 64 KiB cut falls inside one.
  for (int i = 0; i < 70000 / 3; ++i) row.subject += "€";
  const auto batches = MakeBatches({row}, {kLogsIngestionMaxBatchBytes, kLogsIngestionMaxFieldBytes});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].truncated_fields, 1u);
  const std::string subject(json::parse(batches[0].body).as_array()[0].as_object().at("Subject_s").as_string());
  EXPECT_LE(subject.size(), kLogsIngestionMaxFieldBytes);
  EXPECT_EQ(subject.size() % 3, 0u);
  EXPECT_EQ(subject.substr(subject.size() - 3), "€");
}

TEST(TruncateUtf8, KeepsWholeCharacters) {
  std::string text = "aé€";  // 1 + 2 + 3 bytes
  EXPECT_TRUE(TruncateUtf8(text, 5));
  EXPECT_EQ(text, "aé");
  EXPECT_FALSE(TruncateUtf8(text, 3));
  EXPECT_EQ(text, "aé");
}

}  // namespace
}  // namespace mt

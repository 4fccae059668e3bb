#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "errors.hpp"
#include "graph_source.hpp"
#include "http_fake.hpp"
#include "trace_row.hpp"

namespace mt {
namespace {

namespace json = boost::json;
using testing::ReadCase;

std::vector<TraceRow> ParseCasePage(std::string& next_link) {
  HttpResponse response;
  response.status = 200;
  response.headers["content-type"] = "application/json; odata.metadata=minimal";
  response.body = ReadCase("graph-page.json");
  std::vector<TraceRow> rows;
  ParseGraphPage(response, rows, next_link);
  return rows;
}

TEST(GraphPage, NormalisesRowsToTableColumns) {
  std::string next_link;
  const auto rows = ParseCasePage(next_link);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].trace_id, "b7c1f4d2-9a6e-4c3b-8f2d-1e0a6c5b4d3f");
  EXPECT_EQ(rows[0].status, "Delivered");
  EXPECT_EQ(rows[0].to_ip, "");
  EXPECT_EQ(rows[0].from_ip, "203.0.113.25");
  EXPECT_EQ(rows[0].size, 51234);
  EXPECT_EQ(rows[0].message_id, "<1f2e3d4c@contoso.example>");
  EXPECT_EQ(FormatIsoPrecise(rows[0].received), "2026-11-21T14:12:34Z");
  EXPECT_EQ(rows[1].status, "Pending");
  EXPECT_EQ(rows[1].subject, "");
  EXPECT_EQ(rows[1].size, 20971520);
  EXPECT_TRUE(next_link.starts_with("https://graph.microsoft.com/v1.0/admin/exchange/tracing/messageTraces?"));
}

TEST(GraphPage, TableRecordHasEveryColumn) {
  std::string next_link;
  const auto rows = ParseCasePage(next_link);
  std::string text;
  AppendTableRecord(rows[0], text);
  const json::object record = json::parse(text).as_object();
  EXPECT_EQ(record.at("TimeGenerated").as_string(), "2026-11-21T14:12:34Z");
  EXPECT_EQ(record.at("Received_t").as_string(), "2026-11-21T14:12:34Z");
  EXPECT_EQ(record.at("SenderAddress_s").as_string(), "sender@contoso.example");
  EXPECT_EQ(record.at("RecipientAddress_s").as_string(), "recipient@fabrikam.com");
  EXPECT_EQ(record.at("Subject_s").as_string(), "Monthly report");
  EXPECT_EQ(record.at("Status_s").as_string(), "Delivered");
  EXPECT_EQ(record.at("FromIP_s").as_string(), "203.0.113.25");
  EXPECT_EQ(record.at("ToIP_s").as_string(), "");
  EXPECT_EQ(record.at("Size_d").to_number<double>(), 51234.0);
  EXPECT_EQ(record.at("MessageId_s").as_string(), "<1f2e3d4c@contoso.example>");
  EXPECT_EQ(record.at("MessageTraceId_g").as_string(), "b7c1f4d2-9a6e-4c3b-8f2d-1e0a6c5b4d3f");
  EXPECT_EQ(record.size(), 11u);
}

TEST(GraphRow, NullFieldsBecomeEmptyAndUtf8SurvivesIntact) {
  const json::object item = json::parse(
      R"({"id":"c8d2a5e3-0b7f-4d4c-9a3e-2f1b7d6c5e40","senderAddress":"a@b.example","recipientAddress":"c@d.example",
          "messageId":null,"receivedDateTime":"2026-11-21T14:12:30.0580000Z","subject":"Réunion – compte rendu ✅ 📎",
          "size":null,"fromIP":null,"toIP":null,"status":"GETTINGSTATUS"})").as_object();
  const TraceRow row = ParseGraphRow(item);
  EXPECT_EQ(row.message_id, "");
  EXPECT_EQ(row.from_ip, "");
  EXPECT_EQ(row.to_ip, "");
  EXPECT_EQ(row.size, 0);
  EXPECT_EQ(row.status, "GettingStatus");
  EXPECT_EQ(FormatIsoPrecise(row.received), "2026-11-21T14:12:30.058Z");

  std::string text;
  AppendTableRecord(row, text);
  EXPECT_EQ(json::parse(text).as_object().at("Subject_s").as_string(), "Réunion – compte rendu ✅ 📎");
}

TEST(GraphRow, MissingIdentityFieldsAreErrors) {
  const json::object no_id = json::parse(R"({"recipientAddress":"c@d.example","receivedDateTime":"2026-11-21T14:12:30Z"})").as_object();
  EXPECT_THROW(ParseGraphRow(no_id), CollectionError);
  const json::object bad_time =
      json::parse(R"({"id":"x","recipientAddress":"c@d.example","receivedDateTime":"yesterday"})").as_object();
  EXPECT_THROW(ParseGraphRow(bad_time), CollectionError);
}

TEST(NormaliseStatus, GraphSpellingsMapToReportingSpellings) {
  EXPECT_EQ(NormaliseStatus("delivered"), "Delivered");
  EXPECT_EQ(NormaliseStatus("gettingStatus"), "GettingStatus");
  EXPECT_EQ(NormaliseStatus("filteredAsSpam"), "FilteredAsSpam");
  EXPECT_EQ(NormaliseStatus("quarantined"), "Quarantined");
  EXPECT_EQ(NormaliseStatus("expanded"), "Expanded");
  EXPECT_EQ(NormaliseStatus("unknownFutureValue"), "UnknownFutureValue");
  EXPECT_EQ(NormaliseStatus("somethingNew"), "SomethingNew");
  EXPECT_TRUE(IsTransientStatus("Pending"));
  EXPECT_TRUE(IsTransientStatus("gettingStatus"));
  EXPECT_FALSE(IsTransientStatus("Delivered"));
}

TEST(GraphPage, HtmlAndTruncatedRepliesAreFailures) {
  HttpResponse html;
  html.status = 200;
  html.headers["content-type"] = "text/html; charset=utf-8";
  html.body = ReadCase("rws-200-html.html");
  std::vector<TraceRow> rows;
  std::string next_link;
  EXPECT_THROW(ParseGraphPage(html, rows, next_link), CollectionError);

  HttpResponse truncated;
  truncated.status = 200;
  truncated.headers["content-type"] = "application/json";
  truncated.body = ReadCase("graph-page.json").substr(0, 300);
  EXPECT_THROW(ParseGraphPage(truncated, rows, next_link), CollectionError);
  EXPECT_TRUE(rows.empty());
}

}  // namespace
}  // namespace mt

#include <gtest/gtest.h>

#include "errors.hpp"
#include "http_fake.hpp"
#include "workspace_query.hpp"

namespace mt {
namespace {

using testing::ReadCase;

HttpResponse Response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers["content-type"] = "application/json; charset=utf-8";
  response.body = std::move(body);
  return response;
}

TEST(WatermarkQuery, FuzzyUnionWithAlwaysResolvingLeg) {
  const std::string query = WatermarkQuery("EmailEvents_CL");
  EXPECT_EQ(query,
            "union isfuzzy=true (datatable(Received_t:datetime)[]), (EmailEvents_CL | where TimeGenerated > ago(91d) | "
            "project Received_t) | summarize Watermark = max(Received_t)");
  EXPECT_NE(WatermarkQuery("MessageTrace_CL").find("(MessageTrace_CL | where"), std::string::npos);
  EXPECT_EQ(WatermarkQuery("MessageTrace_CL").find("EmailEvents_CL"), std::string::npos);
}

TEST(WatermarkReply, EmptyTableMaxIsNoData) {
  const WatermarkResult result = ParseWatermarkReply(Response(200, ReadCase("query-empty-max.json")), "EmailEvents_CL");
  EXPECT_FALSE(result.watermark);
}

TEST(WatermarkReply, PartialErrorIsAFailureNotData) {
  EXPECT_THROW(ParseWatermarkReply(Response(200, ReadCase("query-partial-error.json")), "EmailEvents_CL"),
               CollectionError);
  try {
    ParseWatermarkReply(Response(200, ReadCase("query-partial-error.json")), "EmailEvents_CL");
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("PartialError"), std::string::npos);
  }
}

TEST(WatermarkReply, MissingTableIsAFirstRun) {
  const WatermarkResult result =
      ParseWatermarkReply(Response(400, ReadCase("query-missing-table.json")), "EmailEvents_CL");
  EXPECT_FALSE(result.watermark);
  EXPECT_NE(result.note.find("does not exist"), std::string::npos);
}

TEST(WatermarkReply, FuzzyUnionWithNoTableIsAFirstRun) {
  const WatermarkResult result =
      ParseWatermarkReply(Response(400, ReadCase("query-fuzzy-union-no-table.json")), "EmailEvents_CL");
  EXPECT_FALSE(result.watermark);
}

TEST(WatermarkReply, MissingOtherTableIsAnError) {
  // SEM0100 naming some other table means the query itself is wrong.
  EXPECT_THROW(ParseWatermarkReply(Response(400, ReadCase("query-missing-table.json")), "Other_CL"), CollectionError);
}

TEST(WatermarkReply, NewestReceivedIsRead) {
  const WatermarkResult result = ParseWatermarkReply(
      Response(200, R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Watermark","type":"datetime"}],)"
                    R"("rows":[["2026-09-24T12:59:41.2652371Z"]]}]})"),
      "EmailEvents_CL");
  ASSERT_TRUE(result.watermark);
  EXPECT_EQ(FormatIsoPrecise(*result.watermark), "2026-09-24T12:59:41.2652371Z");
}

TEST(WatermarkReply, NoContentIsAnEmptyWorkspace) {
  EXPECT_FALSE(ParseWatermarkReply(Response(204, ""), "EmailEvents_CL").watermark);
}

TEST(WatermarkReply, ServerErrorsAndGarbageFail) {
  EXPECT_THROW(ParseWatermarkReply(Response(500, "{}"), "EmailEvents_CL"), CollectionError);
  EXPECT_THROW(ParseWatermarkReply(Response(403, R"({"error":{"code":"InsufficientAccessError"}})"), "EmailEvents_CL"),
               CollectionError);
  EXPECT_THROW(ParseWatermarkReply(Response(200, "<html>"), "EmailEvents_CL"), CollectionError);
  EXPECT_THROW(ParseWatermarkReply(Response(200, R"({"tables":[]})"), "EmailEvents_CL"), CollectionError);
  EXPECT_THROW(ParseWatermarkReply(Response(200, R"({"tables":[{"rows":[[42]]}]})"), "EmailEvents_CL"),
               CollectionError);
}

}  // namespace
}  // namespace mt

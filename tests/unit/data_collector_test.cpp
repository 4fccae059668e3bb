#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <clocale>

#include "batcher.hpp"
#include "data_collector.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "shared_key.hpp"

namespace mt {
namespace {

namespace json = boost::json;

using testing::ManualClock;
using testing::Reply;
using testing::ScriptedTransport;

constexpr const char* kKey = "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==";
constexpr const char* kWorkspaceId = "97ce69d9-b4be-4241-8dbd-d265edcf06c4";
// Mon, 04 Apr 2016 08:00:00 GMT, the date of the documented example.
const Instant kNow = *ParseIso8601("2016-04-04T08:00:00Z");

Settings CollectorSettings() {
  Settings settings;
  settings.workspace_id = kWorkspaceId;
  settings.ingestion = IngestionKind::kDataCollector;
  settings.shared_key = Secret(kKey);
  settings.data_collector_endpoint = "https://127.0.0.1:9005";
  settings.log_type = "EmailEvents";
  return settings;
}

TraceRow MakeRow(int second, std::string subject = "Monthly report") {
  TraceRow row;
  row.received = *ParseIso8601("2026-11-29T05:35:08.2652371Z") + std::chrono::seconds{second};
  row.sender = "noreply@example.net";
  row.recipient = "user" + std::to_string(second) + "@fabrikam.example";
  row.subject = std::move(subject);
  row.status = "Delivered";
  row.from_ip = "203.0.113.21";
  row.size = 145153;
  row.message_id = "<0a1b2c3d@mail.example.net>";
  row.trace_id = "aa1a3e28-5b6c-4d7e-8f90-1a2b3c4d5e6f";
  return row;
}

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

struct Fixture {
  Settings settings = CollectorSettings();
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
  DataCollectorSink sink{settings, transport};

  std::vector<std::pair<std::size_t, std::size_t>> accepted;

  void Deliver(const std::vector<TraceRow>& rows) {
    DeliveryHooks hooks;
    hooks.on_accepted = [this](std::size_t first, std::size_t count) { accepted.emplace_back(first, count); };
    sink.Deliver(rows, hooks, context);
  }
};

TEST(DataCollectorRecord, FieldsCarryNoTypeSuffix) {
  std::string out;
  AppendDataCollectorRecord(MakeRow(0), out);
  EXPECT_EQ(out,
            "{\"Received\":\"2026-11-29T05:35:08.2652371Z\",\"SenderAddress\":\"noreply@example.net\","
            "\"RecipientAddress\":\"user0@fabrikam.example\",\"Subject\":\"Monthly report\",\"Status\":\"Delivered\","
            "\"FromIP\":\"203.0.113.21\",\"ToIP\":\"\",\"Size\":145153,\"MessageId\":\"<0a1b2c3d@mail.example.net>\","
            "\"MessageTraceId\":\"aa1a3e28-5b6c-4d7e-8f90-1a2b3c4d5e6f\"}");
}

TEST(DataCollectorRecord, NonAsciiSubjectStaysUtf8) {
  std::string out;
  AppendDataCollectorRecord(MakeRow(0, "R\xC3\xA9union \xE2\x9C\x85 \"final\""), out);
  EXPECT_NE(out.find("\"Subject\":\"R\xC3\xA9union \xE2\x9C\x85 \\\"final\\\"\""), std::string::npos) << out;
  EXPECT_EQ(json::parse(out).as_object().at("Subject").as_string(), "R\xC3\xA9union \xE2\x9C\x85 \"final\"");
}

TEST(DataCollectorRequest, HeadersAndSignature) {
  const Settings settings = CollectorSettings();
  const std::string body(1024, ' ');
  const auto url = Url::Parse("https://127.0.0.1:9005/api/logs?api-version=2016-04-01");
  const HttpRequest request = BuildDataCollectorRequest(*url, settings, *DecodeBase64(kKey), body, kNow);

  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url.target, "/api/logs?api-version=2016-04-01");
  EXPECT_EQ(HeaderOf(request, "x-ms-date"), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(HeaderOf(request, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(request, "Log-Type"), "EmailEvents");
  EXPECT_EQ(HeaderOf(request, "time-generated-field"), "Received");
  // Vector S1: this key, 1024 bytes, this date.
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "SharedKey 97ce69d9-b4be-4241-8dbd-d265edcf06c4:9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik=");
  EXPECT_EQ(request.body, body);
}

TEST(DataCollectorRequest, SignsTheUtf8ByteLength) {
  const Settings settings = CollectorSettings();
  const std::string body = "[{\"message\":\"h\xC3\xA9llo \xE2\x82\xAC\"}]";
  const auto url = Url::Parse("https://127.0.0.1:9005/api/logs?api-version=2016-04-01");
  const HttpRequest request = BuildDataCollectorRequest(*url, settings, *DecodeBase64(kKey), body, kNow);
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "SharedKey 97ce69d9-b4be-4241-8dbd-d265edcf06c4:d0mnxxDkYWJ7bb8cR027C0EiB7ztu7IL1MrledEfxiU=");
}

TEST(DataCollectorRequest, SameTextUnderAGermanLocale) {
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) GTEST_SKIP() << "de_DE.UTF-8 is not installed";
  std::locale::global(std::locale("de_DE.UTF-8"));
  const Settings settings = CollectorSettings();
  const auto url = Url::Parse("https://127.0.0.1:9005/api/logs?api-version=2016-04-01");
  TraceRow row = MakeRow(0);
  row.size = 1234.5;
  std::string body;
  AppendDataCollectorRecord(row, body);
  const HttpRequest request = BuildDataCollectorRequest(*url, settings, *DecodeBase64(kKey), body, kNow);
  std::locale::global(std::locale::classic());
  std::setlocale(LC_ALL, "C");

  EXPECT_EQ(HeaderOf(request, "x-ms-date"), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(body.find("1234,5"), std::string::npos) << body;
  EXPECT_EQ(json::parse(body).as_object().at("Size").to_number<double>(), 1234.5) << body;
  EXPECT_NE(body.find("\"Received\":\"2026-11-29T05:35:08.2652371Z\""), std::string::npos) << body;
}

TEST(DataCollectorSink, PostsEveryRowAndReportsThem) {
  Fixture f;
  f.transport.Push(Reply(200, ""));
  f.Deliver({MakeRow(0), MakeRow(1), MakeRow(2)});

  ASSERT_EQ(f.transport.requests.size(), 1u);
  const json::value body = json::parse(f.transport.requests[0].body);
  ASSERT_TRUE(body.is_array());
  EXPECT_EQ(body.as_array().size(), 3u);
  EXPECT_EQ(body.as_array()[2].as_object().at("RecipientAddress").as_string(), "user2@fabrikam.example");
  EXPECT_EQ(f.transport.requests[0].url.ToString(), "https://127.0.0.1:9005/api/logs?api-version=2016-04-01");
  ASSERT_EQ(f.accepted.size(), 1u);
  EXPECT_EQ(f.accepted[0], std::make_pair(std::size_t{0}, std::size_t{3}));
  EXPECT_EQ(f.sink.Stats().rows_accepted, 3u);
  EXPECT_EQ(f.sink.Stats().requests, 1u);
}

TEST(DataCollectorSink, RetriesCarryAFreshDateAndSignature) {
  Fixture f;
  f.transport.Push(Reply(429, R"({"Error":"TooManyRequests","Message":"Too much data."})", {{"retry-after", "5"}}));
  f.transport.Push(Reply(200, ""));
  f.Deliver({MakeRow(0)});

  ASSERT_EQ(f.transport.requests.size(), 2u);
  const HttpRequest& first = f.transport.requests[0];
  const HttpRequest& second = f.transport.requests[1];
  EXPECT_EQ(HeaderOf(first, "x-ms-date"), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(HeaderOf(second, "x-ms-date"), "Mon, 04 Apr 2016 08:00:05 GMT");
  EXPECT_EQ(HeaderOf(second, "Authorization"),
            SignDataCollectorRequest(*DecodeBase64(kKey), kWorkspaceId, "Mon, 04 Apr 2016 08:00:05 GMT",
                                     second.body.size(), "application/json"));
  EXPECT_NE(HeaderOf(first, "Authorization"), HeaderOf(second, "Authorization"));
}

TEST(DataCollectorSink, TransientStatusesAreRetried) {
  for (int status : {429, 500, 503}) {
    Fixture f;
    f.transport.Push(Reply(status, R"({"Error":"X","Message":"try later"})"));
    f.transport.Push(Reply(200, ""));
    f.Deliver({MakeRow(0)});
    EXPECT_EQ(f.transport.requests.size(), 2u) << status;
    EXPECT_EQ(f.accepted.size(), 1u) << status;
  }
}

TEST(DataCollectorSink, ClientErrorsAreNotRetried) {
  for (int status : {400, 403, 404}) {
    Fixture f;
    f.transport.Push(Reply(status, R"({"Error":"InvalidDataFormat","Message":"bad"})"));
    f.transport.Push(Reply(200, ""));
    EXPECT_THROW(f.Deliver({MakeRow(0)}), CollectionError) << status;
    EXPECT_EQ(f.transport.requests.size(), 1u) << status;
    EXPECT_TRUE(f.accepted.empty()) << status;
    EXPECT_EQ(f.sink.Stats().rows_accepted, 0u) << status;
  }
}

TEST(DataCollectorSink, LostReplyIsNotResent) {
  Fixture f;
  HttpOutcome lost = testing::TransportFailure("reading the reply from https://127.0.0.1:9005 failed or timed out");
  lost.maybe_processed = true;
  f.transport.Push(lost);
  f.transport.Push(Reply(200, ""));
  EXPECT_THROW(f.Deliver({MakeRow(0)}), DeliveryUncertain);
  EXPECT_EQ(f.transport.requests.size(), 1u);
  EXPECT_TRUE(f.accepted.empty());
}

TEST(DataCollectorSink, ConnectFailureIsRetried) {
  Fixture f;
  f.transport.Push(testing::TransportFailure("could not connect to https://127.0.0.1:9005"));
  f.transport.Push(Reply(200, ""));
  f.Deliver({MakeRow(0)});
  EXPECT_EQ(f.transport.requests.size(), 2u);
  EXPECT_EQ(f.accepted.size(), 1u);
}

TEST(DataCollectorSink, ForbiddenNamesTheUsualCauses) {
  Fixture f;
  f.transport.Push(Reply(403, R"({"Error":"InvalidAuthorization","Message":"An invalid signature was specified in the Authorization header"})"));
  try {
    f.Deliver({MakeRow(0)});
    FAIL() << "expected a CollectionError";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("InvalidAuthorization"), std::string::npos) << message;
    EXPECT_NE(message.find("DATA_COLLECTOR_SHARED_KEY"), std::string::npos) << message;
    EXPECT_NE(message.find("15 minutes"), std::string::npos) << message;
    EXPECT_NE(message.find("charset"), std::string::npos) << message;
    EXPECT_EQ(message.find(kKey), std::string::npos) << message;
  }
}

TEST(DataCollectorSink, ForbiddenReportsAMeasuredClockSkew) {
  Fixture f;
  f.transport.Push(Reply(403, R"({"Error":"InvalidAuthorization","Message":"An invalid signature was specified in the Authorization header"})",
                         {{"date", "Mon, 04 Apr 2016 08:40:00 GMT"}}));
  try {
    f.Deliver({MakeRow(0)});
    FAIL() << "expected a CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("a difference of 40m"), std::string::npos) << error.what();
  }
}

TEST(DataCollectorSink, NotFoundNamesTheEndpoint) {
  Fixture f;
  f.transport.Push(Reply(404, ""));
  try {
    f.Deliver({MakeRow(0)});
    FAIL() << "expected a CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("DATA_COLLECTOR_ENDPOINT (https://127.0.0.1:9005)"), std::string::npos)
        << error.what();
  }
}

TEST(DataCollectorSink, LongFieldsCutAndCounted) {
  Fixture f;
  // 16,383 two-byte characters and one more: 32,768 bytes, over the limit
  // of 32,766, so the cut lands between two characters.
  std::string subject;
  for (int i = 0; i < 16384; ++i) subject += "\xC3\xA9";
  f.transport.Push(Reply(200, ""));
  f.Deliver({MakeRow(0, subject), MakeRow(1)});

  ASSERT_EQ(f.transport.requests.size(), 1u);
  const json::value body = json::parse(f.transport.requests[0].body);
  const std::string sent(body.as_array()[0].as_object().at("Subject").as_string());
  EXPECT_EQ(sent.size(), 32766u);
  EXPECT_EQ(sent, subject.substr(0, 32766));
  EXPECT_EQ(f.sink.Stats().truncated_fields, 1u);
}

TEST(DataCollectorSink, PostsStayUnderThirtyMegabytes) {
  Fixture f;
  std::vector<TraceRow> rows;
  // About 32.9 KB a row, so some 910 rows fill one post.
  for (int i = 0; i < 1200; ++i) rows.push_back(MakeRow(i, std::string(32'000, 'x')));
  for (int i = 0; i < 3; ++i) f.transport.Push(Reply(200, ""));
  f.Deliver(rows);

  ASSERT_EQ(f.transport.requests.size(), 2u);
  std::size_t total = 0;
  for (const HttpRequest& request : f.transport.requests) {
    EXPECT_LE(request.body.size(), kDataCollectorMaxPostBytes);
    total += json::parse(request.body).as_array().size();
  }
  EXPECT_EQ(total, rows.size());
  EXPECT_EQ(f.sink.Stats().rows_accepted, rows.size());
}

TEST(DataCollectorSink, BatcherUsesTheGivenRecordWriter) {
  const auto batches = MakeBatches({MakeRow(0)}, {kDataCollectorMaxPostBytes, kDataCollectorMaxFieldBytes},
                                   AppendDataCollectorRecord);
  ASSERT_EQ(batches.size(), 1u);
  const json::value body = json::parse(batches[0].body);
  const json::object& record = body.as_array()[0].as_object();
  EXPECT_TRUE(record.contains("Received"));
  EXPECT_FALSE(record.contains("Received_t"));
  EXPECT_FALSE(record.contains("TimeGenerated"));
}

TEST(DataCollectorSink, UndecodableKeyIsAConfigurationError) {
  Settings settings = CollectorSettings();
  settings.shared_key = Secret("not base64 at all!");
  ScriptedTransport transport;
  try {
    DataCollectorSink sink(settings, transport);
    FAIL() << "expected a ConfigurationError";
  } catch (const ConfigurationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("DATA_COLLECTOR_SHARED_KEY is not valid base64"), std::string::npos) << message;
    EXPECT_EQ(message.find("not base64 at all"), std::string::npos) << message;
  }
}

TEST(DataCollectorSettings, UndecodableKeyRejected) {
  const std::string key = "c2VjcmV0LWtleS12YWx1ZQ";  // padding dropped
  const Environment environment = {{"AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
                                   {"AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"},
                                   {"AZURE_CLIENT_SECRET", "s3cr3t-value"},
                                   {"LOG_ANALYTICS_WORKSPACE_ID", kWorkspaceId},
                                   {"INGESTION_API", "data-collector"},
                                   {"DATA_COLLECTOR_SHARED_KEY", key}};
  try {
    LoadSettings(environment);
    FAIL() << "expected a ConfigurationError";
  } catch (const ConfigurationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("DATA_COLLECTOR_SHARED_KEY is not valid base64"), std::string::npos) << message;
    EXPECT_EQ(message.find(key.substr(0, 8)), std::string::npos) << message;
  }
}

TEST(DataCollectorSettings, ValidKeyLoads) {
  const Environment environment = {{"AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
                                   {"AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"},
                                   {"AZURE_CLIENT_SECRET", "s3cr3t-value"},
                                   {"LOG_ANALYTICS_WORKSPACE_ID", kWorkspaceId},
                                   {"INGESTION_API", "data-collector"},
                                   {"DATA_COLLECTOR_SHARED_KEY", kKey}};
  const Settings settings = LoadSettings(environment);
  EXPECT_EQ(settings.ingestion, IngestionKind::kDataCollector);
  EXPECT_EQ(settings.data_collector_endpoint, "https://97ce69d9-b4be-4241-8dbd-d265edcf06c4.ods.opinsights.azure.com");
}

}  // namespace
}  // namespace mt

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "errors.hpp"
#include "http_fake.hpp"
#include "reporting_source.hpp"
#include "window_plan.hpp"

namespace mt {
namespace {

namespace json = boost::json;

using testing::ManualClock;
using testing::ReadCase;
using testing::Reply;
using testing::ScriptedTransport;

const Instant kNow = *ParseIso8601("2026-11-29T18:00:00Z");
const std::map<std::string, std::string> kLightJson = {
    {"content-type", "application/json;odata=minimalmetadata;streaming=true;charset=utf-8"}};
const std::map<std::string, std::string> kVerboseJson = {{"content-type", "application/json;odata=verbose;charset=utf-8"}};
constexpr const char* kEndpoint = "https://127.0.0.1:9003";
constexpr const char* kTracePath = "/ecp/reportingwebservice/reporting.svc/MessageTrace";

Settings ReportingSettings() {
  Settings settings;
  settings.tenant_id = "fabrikam.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("test-secret");
  settings.authority_host = "https://127.0.0.1:9001";
  settings.source = SourceKind::kReporting;
  settings.reporting_endpoint = kEndpoint;
  return settings;
}

std::string TokenReply(const std::string& token = "rws-token-1") {
  return R"({"token_type":"Bearer","expires_in":3599,"access_token":")" + token + "\"}";
}

std::string LightPage(const std::string& rows, const std::string& next_link = "") {
  std::string body = R"({"odata.metadata":"x","value":[)" + rows + "]";
  if (!next_link.empty()) body += R"(,"odata.nextLink":")" + next_link + "\"";
  return body + "}";
}

std::string Row(const std::string& trace_id, const std::string& recipient, const std::string& received) {
  return R"({"MessageTraceId":")" + trace_id + R"(","RecipientAddress":")" + recipient + R"(","Received":")" + received +
         R"(","SenderAddress":"s@example.net","Status":"Delivered","Size":10,"Subject":"s","FromIP":null,"ToIP":null,"MessageId":null})";
}

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

// Decodes %XX escapes, to compare a sent target with the filter text.
std::string PercentDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += char(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct Fixture {
  Settings settings = ReportingSettings();
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
  TokenCache tokens{settings, std::make_unique<ClientSecretSource>(settings, transport)};
  ReportingTraceSource source{settings, transport, tokens};

  std::vector<std::vector<TraceRow>> pages;

  void Read(Instant start = *ParseIso8601("2026-11-27T17:08:26Z"), Instant end = *ParseIso8601("2026-11-29T17:08:26Z")) {
    source.Read(start, end, [this](std::vector<TraceRow>&& rows) {
      pages.push_back(std::move(rows));
      return true;
    }, context);
  }

  std::string ReadError() {
    try {
      Read();
    } catch (const CollectionError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a CollectionError";
    return {};
  }
};

TEST(ReportingSource, FilterTextIsWholeSecondsUtc) {
  EXPECT_EQ(ReportingFilter(*ParseIso8601("2026-04-19T00:00:00.9999999Z"), *ParseIso8601("2026-04-20T05:29:59+05:30")),
            "StartDate eq datetime'2026-04-19T00:00:00Z' and EndDate eq datetime'2026-04-19T23:59:59Z'");
}

TEST(ReportingSource, FirstPageUrlIsFullyEncoded) {
  Fixture f;
  EXPECT_EQ(f.source.FirstPageUrl(*ParseIso8601("2026-11-27T17:08:26Z"), *ParseIso8601("2026-11-29T17:08:26Z")),
            "https://127.0.0.1:9003/ecp/reportingwebservice/reporting.svc/MessageTrace?$filter="
            "StartDate%20eq%20datetime%272026-11-27T17%3A08%3A26Z%27%20and%20"
            "EndDate%20eq%20datetime%272026-11-29T17%3A08%3A26Z%27");
}

TEST(ReportingSource, SendsExactFilterAndHeaders) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(200, LightPage(""), kLightJson));
  f.Read();

  ASSERT_EQ(f.transport.requests.size(), 2u);
  EXPECT_NE(f.transport.requests[0].body.find("scope=https%3A%2F%2Foutlook.office365.com%2F.default"), std::string::npos)
      << f.transport.requests[0].body;
  const HttpRequest& page = f.transport.requests[1];
  EXPECT_EQ(page.method, "GET");
  EXPECT_EQ(page.url.Origin(), kEndpoint);
  const std::string prefix = std::string(kTracePath) + "?$filter=";
  ASSERT_EQ(page.url.target.substr(0, prefix.size()), prefix);
  // Every character outside the unreserved set is escaped, so no transport
  // re-encodes it and the service reads exactly this filter.
  const std::string encoded = page.url.target.substr(prefix.size());
  EXPECT_EQ(encoded.find_first_of(" ':+"), std::string::npos) << encoded;
  EXPECT_EQ(PercentDecode(encoded),
            "StartDate eq datetime'2026-11-27T17:08:26Z' and EndDate eq datetime'2026-11-29T17:08:26Z'");
  EXPECT_EQ(HeaderOf(page, "Accept"), "application/json");
  EXPECT_EQ(HeaderOf(page, "Authorization"), "Bearer rws-token-1");
}

TEST(ReportingSource, LightPageWithNullsAndRelativeNextLink) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(200, ReadCase("rws-light-nulls.json"), kLightJson));
  f.transport.Push(Reply(200, LightPage(""), kLightJson));
  f.Read();

  ASSERT_EQ(f.pages.size(), 1u);
  const auto& rows = f.pages[0];
  ASSERT_EQ(rows.size(), 3u);

  EXPECT_EQ(FormatIsoPrecise(rows[0].received), "2026-11-29T05:35:08.2652371Z");
  EXPECT_EQ(rows[0].trace_id, "aa1a3e28-5b6c-4d7e-8f90-1a2b3c4d5e6f");
  EXPECT_EQ(rows[0].recipient, "user1@fabrikam.com");
  EXPECT_EQ(rows[0].sender, "noreply@example.net");
  EXPECT_EQ(rows[0].subject, "Weekly digest");
  EXPECT_EQ(rows[0].status, "Delivered");
  EXPECT_EQ(rows[0].from_ip, "203.0.113.21");
  EXPECT_EQ(rows[0].to_ip, "");
  EXPECT_EQ(rows[0].size, 145153);
  EXPECT_EQ(rows[0].message_id, "<0a1b2c3d@mail.example.net>");

  EXPECT_EQ(FormatIsoPrecise(rows[1].received), "2026-11-29T05:35:07.7450561Z");
  EXPECT_EQ(rows[1].message_id, "");
  EXPECT_EQ(rows[1].subject, "");
  EXPECT_EQ(rows[1].from_ip, "");
  EXPECT_EQ(rows[1].to_ip, "198.51.100.7");
  EXPECT_EQ(rows[1].status, "Failed");
  EXPECT_EQ(rows[1].size, 0);

  EXPECT_EQ(rows[2].subject, "R\xC3\xA9union \xE2\x80\x93 compte rendu \xE2\x9C\x85");
  EXPECT_EQ(rows[2].status, "GettingStatus");

  // `../../` from /ecp/reportingwebservice/reporting.svc/MessageTrace is /ecp/.
  ASSERT_EQ(f.transport.requests.size(), 3u);
  EXPECT_EQ(f.transport.requests[2].url.ToString(),
            "https://127.0.0.1:9003/ecp/ReportingWebService/Reporting.svc/MessageTrace?$filter=StartDate%20eq%20"
            "datetime'2026-11-27T17:08:26Z'%20and%20EndDate%20eq%20datetime'2026-11-29T17:08:26Z'&$skiptoken=2");
  EXPECT_EQ(HeaderOf(f.transport.requests[2], "Authorization"), "Bearer rws-token-1");
  EXPECT_EQ(f.source.RequestCount(), 2);
}

TEST(ReportingSource, VerboseMatchesLightShape) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kVerboseJson));
  f.transport.Push(Reply(200, ReadCase("rws-verbose.json"), kVerboseJson));
  f.Read();

  ASSERT_EQ(f.pages.size(), 1u);
  ASSERT_EQ(f.pages[0].size(), 1u);
  const TraceRow& verbose = f.pages[0][0];
  EXPECT_EQ(FormatIsoPrecise(verbose.received), "2022-08-24T12:43:12.17Z");

  const std::string light_item =
      R"({"Organization":"fabrikam.onmicrosoft.com","MessageId":"<123456@mail.example.org>","Received":"2022-08-24T12:43:12.170",)"
      R"("SenderAddress":"support@example.org","RecipientAddress":"user@fabrikam.fr","Subject":null,"Status":"Delivered",)"
      R"("ToIP":null,"FromIP":null,"Size":0,"MessageTraceId":"1203cd7a-0b1c-4d2e-8f3a-4b5c6d7e8f90","Index":5})";
  const TraceRow light = ParseReportingRow(json::parse(light_item).as_object());
  EXPECT_EQ(verbose.received, light.received);
  EXPECT_EQ(verbose.trace_id, light.trace_id);
  EXPECT_EQ(verbose.recipient, light.recipient);
  EXPECT_EQ(verbose.sender, light.sender);
  EXPECT_EQ(verbose.subject, "");
  EXPECT_EQ(verbose.status, light.status);
  EXPECT_EQ(verbose.size, 0);
  EXPECT_EQ(verbose.message_id, light.message_id);
  EXPECT_EQ(verbose.from_ip, "");
  EXPECT_EQ(verbose.to_ip, "");
}

TEST(ReportingSource, VerboseNextLinkIsFollowed) {
  Fixture f;
  const std::string first = R"({"d":{"results":[)" + Row("11111111-1111-4111-8111-111111111111", "a@x.example", "/Date(1764399600000)/") +
                            R"(],"__next":"https://127.0.0.1:9003/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=1999"}})";
  const std::string second = R"({"d":{"results":[)" + Row("22222222-2222-4222-8222-222222222222", "b@x.example", "/Date(1764399500000)/") + "]}}";
  f.transport.Push(Reply(200, TokenReply(), kVerboseJson));
  f.transport.Push(Reply(200, first, kVerboseJson));
  f.transport.Push(Reply(200, second, kVerboseJson));
  f.Read();
  ASSERT_EQ(f.pages.size(), 2u);
  EXPECT_EQ(f.pages[1][0].recipient, "b@x.example");
  EXPECT_EQ(f.transport.requests[2].url.target, "/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=1999");
}

TEST(ReportingSource, ReceivedFormsAreAllUtc) {
  const std::pair<const char*, const char*> forms[] = {
      {"2026-11-29T05:35:08", "2026-11-29T05:35:08Z"},
      {"2026-11-29T05:35:08.5", "2026-11-29T05:35:08.5Z"},
      {"2026-11-29T05:35:08.123", "2026-11-29T05:35:08.123Z"},
      {"2026-11-29T05:35:08.2652371", "2026-11-29T05:35:08.2652371Z"},
      {"2026-11-29T05:35:08.2652371Z", "2026-11-29T05:35:08.2652371Z"},
      {"/Date(1661344992170)/", "2022-08-24T12:43:12.17Z"},
  };
  for (const auto& [text, expected] : forms) {
    const std::string item = Row("11111111-1111-4111-8111-111111111111", "a@x.example", text);
    EXPECT_EQ(FormatIsoPrecise(ParseReportingRow(json::parse(item).as_object()).received), expected) << text;
  }
}

TEST(ReportingSource, RowWithoutRequiredFieldsIsAnError) {
  EXPECT_THROW(ParseReportingRow(json::parse(R"({"RecipientAddress":"a@x.example","Received":"2026-11-29T05:35:08"})").as_object()),
               CollectionError);
  EXPECT_THROW(ParseReportingRow(json::parse(R"({"MessageTraceId":"1","RecipientAddress":"a@x.example","Received":null})").as_object()),
               CollectionError);
  EXPECT_THROW(ParseReportingRow(json::parse(R"({"MessageTraceId":"1","RecipientAddress":"a@x.example","Received":"yesterday"})").as_object()),
               CollectionError);
  EXPECT_THROW(ParseReportingRow(json::parse(R"({"MessageTraceId":"1","RecipientAddress":"a@x.example","Received":"2026-11-29T05:35:08","Size":"big"})").as_object()),
               CollectionError);
}

TEST(ReportingSource, AbsoluteNextLinkFollowed) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(200, LightPage(Row("11111111-1111-4111-8111-111111111111", "a@x.example", "2026-11-29T05:00:00"),
                                        "https://127.0.0.1:9003/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2000"),
                         kLightJson));
  f.transport.Push(Reply(200, LightPage(Row("22222222-2222-4222-8222-222222222222", "b@x.example", "2026-11-29T04:00:00")), kLightJson));
  f.Read();
  ASSERT_EQ(f.pages.size(), 2u);
  EXPECT_EQ(f.transport.requests[2].url.target, "/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2000");
}

TEST(ReportingSource, NextLinkToAnotherHostIsRefused) {
  for (const char* link : {"https://reports.example.net/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2",
                           "https://127.0.0.1:9004/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2",
                           "http://127.0.0.1:9003/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2",
                           "//reports.example.net/ecp/MessageTrace?$skiptoken=2"}) {
    Fixture f;
    f.transport.Push(Reply(200, TokenReply(), kLightJson));
    f.transport.Push(Reply(200, LightPage(Row("11111111-1111-4111-8111-111111111111", "a@x.example", "2026-11-29T05:00:00"), link),
                           kLightJson));
    const std::string message = f.ReadError();
    EXPECT_NE(message.find("next link to another host"), std::string::npos) << link << ": " << message;
    // The token request and the first page only: the token went nowhere else.
    EXPECT_EQ(f.transport.requests.size(), 2u) << link;
  }
}

TEST(ReportingSource, EmptyPageEndsRange) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(200, LightPage("", "../../ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2"), kLightJson));
  f.Read();
  EXPECT_TRUE(f.pages.empty());
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(ReportingSource, RepeatedNextLinkIsAnError) {
  Fixture f;
  const std::string link = "https://127.0.0.1:9003/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=2";
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  for (int i = 0; i < 2; ++i) {
    f.transport.Push(Reply(200, LightPage(Row("11111111-1111-4111-8111-111111111111", "a@x.example", "2026-11-29T05:00:00"), link),
                           kLightJson));
  }
  EXPECT_NE(f.ReadError().find("already read"), std::string::npos);
  EXPECT_EQ(f.transport.requests.size(), 3u);
}

TEST(ReportingSource, HtmlPageWithStatus200IsAFailedPage) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  for (int i = 0; i < 3; ++i) f.transport.Push(Reply(200, ReadCase("rws-200-html.html"), {{"content-type", "text/html"}}));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("instead of JSON"), std::string::npos) << message;
  EXPECT_TRUE(f.pages.empty());
  EXPECT_EQ(f.transport.requests.size(), 4u);
}

TEST(ReportingSource, HtmlPageOnceIsAskedForAgain) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(200, ReadCase("rws-200-html.html"), {{"content-type", "text/html; charset=utf-8"}}));
  f.transport.Push(Reply(200, LightPage(Row("11111111-1111-4111-8111-111111111111", "a@x.example", "2026-11-29T05:00:00")), kLightJson));
  f.Read();
  ASSERT_EQ(f.pages.size(), 1u);
  EXPECT_EQ(f.pages[0].size(), 1u);
}

TEST(ReportingSource, HtmlLabelledAsJsonIsAFailedPage) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  for (int i = 0; i < 3; ++i) f.transport.Push(Reply(200, ReadCase("rws-200-html.html"), kLightJson));
  EXPECT_NE(f.ReadError().find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(f.pages.empty());
}

TEST(ReportingSource, TruncatedJsonIsAFailedPage) {
  Fixture f;
  const std::string page = ReadCase("rws-light-nulls.json");
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  for (int i = 0; i < 3; ++i) f.transport.Push(Reply(200, page.substr(0, page.size() / 2), kLightJson));
  EXPECT_NE(f.ReadError().find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(f.pages.empty());
}

TEST(ReportingSource, SegmentNotFoundNamesPermissionAndRole) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(404, ReadCase("rws-404-segment.json"), kLightJson));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("Resource not found for the segment 'MessageTrace'"), std::string::npos) << message;
  EXPECT_NE(message.find("ReportingWebService.Read.All"), std::string::npos) << message;
  EXPECT_NE(message.find("Global Reader or Security Reader"), std::string::npos) << message;
  EXPECT_TRUE(f.pages.empty());
  // 404 is not retried.
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(ReportingSource, ForbiddenNamesTheRole) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(403, R"({"odata.error":{"code":"","message":{"lang":"en-US","value":"No permission to access the report for the organization."}}})", kLightJson));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("(403): No permission to access the report"), std::string::npos) << message;
  EXPECT_NE(message.find("Global Reader or Security Reader"), std::string::npos) << message;
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(ReportingSource, UnauthorizedRefreshesTokenOnce) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(401, "", {}));
  f.transport.Push(Reply(200, TokenReply("rws-token-2"), kLightJson));
  f.transport.Push(Reply(401, "", {}));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("(401)"), std::string::npos) << message;
  EXPECT_NE(message.find("ReportingWebService.Read.All"), std::string::npos) << message;
  ASSERT_EQ(f.transport.requests.size(), 4u);
  EXPECT_EQ(HeaderOf(f.transport.requests[3], "Authorization"), "Bearer rws-token-2");
}

TEST(ReportingSource, InvalidQueryReportsTheFilterSent) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(400, ReadCase("rws-400-invalid-query.json"), kLightJson));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("InvalidQueryException: The query is invalid."), std::string::npos) << message;
  EXPECT_NE(message.find("Filter sent: StartDate eq datetime'2026-11-27T17:08:26Z' and EndDate eq "
                         "datetime'2026-11-29T17:08:26Z'"),
            std::string::npos)
      << message;
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(ReportingSource, StartTooOldIsExplained) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(400, R"({"odata.error":{"code":"","message":{"lang":"en-US","value":"Invalid StartDate value. The StartDate can't be older than 10 days from today."}}})", kLightJson));
  const std::string message = f.ReadError();
  EXPECT_NE(message.find("10 days"), std::string::npos) << message;
  EXPECT_NE(message.find("MESSAGE_TRACE_SOURCE=graph"), std::string::npos) << message;
}

TEST(ReportingSource, ThrottlingIsRetried) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kLightJson));
  f.transport.Push(Reply(503, "", {{"retry-after", "3"}}));
  f.transport.Push(Reply(200, LightPage(Row("11111111-1111-4111-8111-111111111111", "a@x.example", "2026-11-29T05:00:00")), kLightJson));
  f.Read();
  ASSERT_EQ(f.pages.size(), 1u);
  ASSERT_EQ(f.clock.sleeps.size(), 1u);
  EXPECT_EQ(f.clock.sleeps[0], Ticks{std::chrono::seconds{3}});
}

TEST(ReportingSource, TenDayLookBackIsClampedWithAdvice) {
  Fixture f;
  const SourceLimits limits = f.source.Limits();
  EXPECT_EQ(limits.max_look_back, Ticks{std::chrono::days{10}});
  const Instant old_start = kNow - std::chrono::days{30};
  const RangePlan plan = PlanRange(std::nullopt, old_start, kNow, limits);
  ASSERT_TRUE(plan.lost_from.has_value());
  EXPECT_EQ(*plan.lost_from, old_start);
  EXPECT_EQ(plan.origin, "MESSAGE_TRACE_START");
  EXPECT_GE(plan.start, kNow - std::chrono::days{10});

  const std::string advice = f.source.LookBackAdvice();
  EXPECT_NE(advice.find("MESSAGE_TRACE_START"), std::string::npos) << advice;
  EXPECT_NE(advice.find("10 days"), std::string::npos) << advice;
  EXPECT_NE(advice.find("MESSAGE_TRACE_SOURCE=graph"), std::string::npos) << advice;
}

TEST(ReportingNextLink, ResolvesAsRfc3986) {
  const Url page = *Url::Parse("https://reports.example.com/ecp/reportingwebservice/reporting.svc/MessageTrace?$filter=x");
  const std::pair<const char*, const char*> cases[] = {
      {"../../ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2",
       "https://reports.example.com/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2"},
      {"MessageTrace?$skiptoken=3", "https://reports.example.com/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=3"},
      {"./MessageTrace?$skiptoken=4", "https://reports.example.com/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=4"},
      {"/ecp/x/../MessageTrace?$skiptoken=5", "https://reports.example.com/ecp/MessageTrace?$skiptoken=5"},
      {"?$skiptoken=6", "https://reports.example.com/ecp/reportingwebservice/reporting.svc/MessageTrace?$skiptoken=6"},
      {"../../../../../x?a=../b", "https://reports.example.com/x?a=../b"},
      {"https://reports.example.com/ecp/MessageTrace?$skiptoken=7", "https://reports.example.com/ecp/MessageTrace?$skiptoken=7"},
  };
  for (const auto& [link, expected] : cases) {
    const auto resolved = ResolveNextLink(page, link);
    ASSERT_TRUE(resolved.has_value()) << link;
    EXPECT_EQ(resolved->ToString(), expected) << link;
  }
  EXPECT_FALSE(ResolveNextLink(page, "").has_value());
  EXPECT_FALSE(ResolveNextLink(page, "ftp://reports.example.com/x").has_value());
}

}  // namespace
}  // namespace mt

#include <gtest/gtest.h>

#include "errors.hpp"
#include "graph_source.hpp"
#include "http_fake.hpp"

namespace mt {
namespace {

using testing::ManualClock;
using testing::ReadCase;
using testing::Reply;
using testing::ScriptedTransport;

const Instant kNow = *ParseIso8601("2026-12-04T12:00:00Z");
const std::map<std::string, std::string> kJson = {{"content-type", "application/json"}};

Settings GraphSettings() {
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("test-secret");
  settings.authority_host = "https://127.0.0.1:9001";
  settings.graph_endpoint = "https://127.0.0.1:9002";
  return settings;
}

std::string TokenReply() { return R"({"token_type":"Bearer","expires_in":3599,"access_token":"token-1"})"; }

std::string Page(const std::string& next_link) {
  std::string body = R"({"value":[{"id":"b7c1f4d2-9a6e-4c3b-8f2d-1e0a6c5b4d3f","recipientAddress":"r@contoso.example",)"
                     R"("receivedDateTime":"2026-12-04T11:00:00Z","status":"delivered"}])";
  if (!next_link.empty()) body += R"(,"@odata.nextLink":")" + next_link + "\"";
  return body + "}";
}

struct Fixture {
  Settings settings = GraphSettings();
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
  TokenCache tokens{settings, std::make_unique<ClientSecretSource>(settings, transport)};
  GraphTraceSource source{settings, transport, tokens};
};

TEST(GraphSource, FirstPageUrlHasBothBoundsAndTop) {
  Fixture f;
  EXPECT_EQ(f.source.FirstPageUrl(*ParseIso8601("2026-11-20T00:00:00.5Z"), *ParseIso8601("2026-11-22T00:00:00Z")),
            "https://127.0.0.1:9002/v1.0/admin/exchange/tracing/messageTraces?$filter="
            "receivedDateTime%20ge%202026-11-20T00%3A00%3A00Z%20and%20receivedDateTime%20le%202026-11-22T00%3A00%3A00Z"
            "&$top=5000");
}

TEST(GraphSource, FollowsNextLinksOnTheConfiguredHost) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  f.transport.Push(Reply(200, Page("https://127.0.0.1:9002/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=abc"), kJson));
  f.transport.Push(Reply(200, Page(""), kJson));
  int pages = 0;
  f.source.Read(kNow - std::chrono::hours{2}, kNow, [&](std::vector<TraceRow>&& rows) {
    ++pages;
    EXPECT_EQ(rows.size(), 1u);
    return true;
  }, f.context);
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(f.transport.requests.size(), 3u);
  EXPECT_EQ(f.transport.requests[2].url.target, "/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=abc");
  EXPECT_EQ(f.source.RequestCount(), 2);
  bool has_bearer = false;
  for (const auto& [name, value] : f.transport.requests[1].headers) has_bearer |= name == "Authorization" && value == "Bearer token-1";
  EXPECT_TRUE(has_bearer);
}

TEST(GraphSource, NextLinkToAnotherHostIsRefused) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  f.transport.Push(Reply(200, Page("https://127.0.0.2:9002/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=abc"), kJson));
  EXPECT_THROW(f.source.Read(kNow - std::chrono::hours{2}, kNow, [](std::vector<TraceRow>&&) { return true; }, f.context),
               CollectionError);
  // The token request and the first page only: nothing went to 127.0.0.2.
  ASSERT_EQ(f.transport.requests.size(), 2u);
  EXPECT_EQ(f.transport.requests[1].url.host, "127.0.0.1");
}

TEST(GraphSource, PoisonedNextLinkIsReportedForReplanning) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  f.transport.Push(Reply(200, Page("https://127.0.0.1:9002/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=bad"), kJson));
  f.transport.Push(Reply(400, R"({"error":{"code":"BadRequest","message":"Cannot process argument transformation on parameter 'StartDate'."}})", kJson));
  EXPECT_THROW(f.source.Read(kNow - std::chrono::hours{2}, kNow, [](std::vector<TraceRow>&&) { return true; }, f.context),
               PoisonedContinuation);
}

TEST(GraphSource, MissingServicePrincipalSaysWhatToCreate) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  f.transport.Push(Reply(401, ReadCase("graph-401-no-service-principal.json"), kJson));
  try {
    f.source.Read(kNow - std::chrono::hours{2}, kNow, [](std::vector<TraceRow>&&) { return true; }, f.context);
    FAIL() << "expected a CollectionError";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"), std::string::npos);
    EXPECT_NE(message.find("az ad sp create --id 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"), std::string::npos);
  }
  // No second token was fetched: a new token cannot fix a missing principal.
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(GraphSource, UnauthorizedRefreshesTheTokenOnce) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  f.transport.Push(Reply(401, R"({"error":{"code":"InvalidAuthenticationToken","message":"expired"}})", kJson));
  f.transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"token-2"})", kJson));
  f.transport.Push(Reply(200, Page(""), kJson));
  f.source.Read(kNow - std::chrono::hours{2}, kNow, [](std::vector<TraceRow>&&) { return true; }, f.context);
  ASSERT_EQ(f.transport.requests.size(), 4u);
  bool second_token = false;
  for (const auto& [name, value] : f.transport.requests[3].headers) second_token |= value == "Bearer token-2";
  EXPECT_TRUE(second_token);
}

TEST(GraphSource, HtmlPageIsAskedForAgainThenFails) {
  Fixture f;
  f.transport.Push(Reply(200, TokenReply(), kJson));
  for (int i = 0; i < 3; ++i) f.transport.Push(Reply(200, ReadCase("rws-200-html.html"), {{"content-type", "text/html"}}));
  int pages = 0;
  EXPECT_THROW(f.source.Read(kNow - std::chrono::hours{2}, kNow, [&](std::vector<TraceRow>&&) { return ++pages, true; }, f.context),
               CollectionError);
  EXPECT_EQ(pages, 0);
  EXPECT_EQ(f.transport.requests.size(), 4u);
}

}  // namespace
}  // namespace mt

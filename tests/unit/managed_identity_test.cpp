#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "errors.hpp"
#include "http_fake.hpp"
#include "managed_identity.hpp"

namespace mt {
namespace {

using testing::ManualClock;
using testing::Reply;
using testing::ScriptedTransport;

const Instant kNow = *ParseIso8601("2026-12-04T12:00:00Z");
const std::string kUserAssigned = "5f3b6b0e-7a61-4b7a-9c1e-2d9f0f3e8a11";

// The reply App Service sends: expires_on as epoch seconds in a string.
std::string IdentityReply(const std::string& token = "mi-token-1") {
  return R"({"access_token":")" + token +
         R"(","expires_on":"1796472000","resource":"https://monitor.azure.com","token_type":"Bearer",)"
         R"("client_id":"00000000-0000-0000-0000-00000000000a"})";
}

struct Fixture {
  Fixture() {
    settings.identity_endpoint = "http://127.0.0.1:41741/msi/token";
    settings.identity_header = Secret("configured-header-0001");
  }

  AccessToken Acquire(const std::string& uri = "https://monitor.azure.com") {
    ManagedIdentitySource source(settings, transport, [this] { return header; });
    return source.Acquire(uri, context);
  }

  std::string ErrorFor(int status, const std::string& body) {
    for (int i = 0; i < 5; ++i) transport.Push(Reply(status, body));
    try {
      Acquire();
    } catch (const CollectionError& error) {
      return error.what();
    }
    return {};
  }

  Settings settings;
  std::string header = "rotating-header-0001";
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}};
};

TEST(ManagedIdentity, SystemAssignedRequest) {
  Fixture f;
  f.transport.Push(Reply(200, IdentityReply()));
  const AccessToken token = f.Acquire();
  EXPECT_EQ(token.value.Reveal(), "mi-token-1");
  EXPECT_EQ(token.expires_on, kNow + std::chrono::hours{24});

  ASSERT_EQ(f.transport.requests.size(), 1u);
  const HttpRequest& request = f.transport.requests[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url.ToString(),
            "http://127.0.0.1:41741/msi/token?resource=https%3A%2F%2Fmonitor.azure.com&api-version=2019-08-01");
  EXPECT_EQ(request.body, "");
  const auto header =
      std::ranges::find_if(request.headers, [](const auto& pair) { return pair.first == "X-IDENTITY-HEADER"; });
  ASSERT_NE(header, request.headers.end());
  EXPECT_EQ(header->second, "rotating-header-0001");
}

TEST(ManagedIdentity, UserAssignedAddsClientId) {
  Fixture f;
  f.settings.client_id = kUserAssigned;
  f.transport.Push(Reply(200, IdentityReply()));
  f.Acquire("https://graph.microsoft.com");
  ASSERT_EQ(f.transport.requests.size(), 1u);
  EXPECT_EQ(f.transport.requests[0].url.target,
            "/msi/token?resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2019-08-01&client_id=" + kUserAssigned);
}

TEST(ManagedIdentity, HeaderIsReadFromTheEnvironmentEveryTime) {
  Fixture f;
  ManagedIdentitySource source(f.settings, f.transport);
  f.transport.Push(Reply(200, IdentityReply()));
  f.transport.Push(Reply(200, IdentityReply()));
  f.transport.Push(Reply(200, IdentityReply()));

  ::unsetenv("IDENTITY_HEADER");
  source.Acquire("https://monitor.azure.com", f.context);
  ::setenv("IDENTITY_HEADER", "environment-header-0001", 1);
  source.Acquire("https://monitor.azure.com", f.context);
  ::setenv("IDENTITY_HEADER", "environment-header-0002", 1);
  source.Acquire("https://monitor.azure.com", f.context);
  ::unsetenv("IDENTITY_HEADER");

  std::vector<std::string> sent;
  for (const HttpRequest& request : f.transport.requests) {
    for (const auto& [name, value] : request.headers) {
      if (name == "X-IDENTITY-HEADER") sent.push_back(value);
    }
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"configured-header-0001", "environment-header-0001",
                                            "environment-header-0002"}));
  EXPECT_EQ(ScrubSecrets("header environment-header-0002"), "header **REDACTED**");
}

TEST(ManagedIdentity, WrongClientIdSaysWhatToFix) {
  Fixture f;
  f.settings.client_id = kUserAssigned;
  const std::string error =
      f.ErrorFor(400, R"({"statusCode":400,"message":"Unable to load the proper Managed Identity.",)"
                      R"("correlationId":"c0ffee00-1111-2222-3333-444455556666"})");
  EXPECT_NE(error.find("the managed identity endpoint rejected the token request for https://monitor.azure.com for "
                       "the user-assigned managed identity with client id " + kUserAssigned +
                       " with HTTP 400: Unable to load the proper Managed Identity. (correlation id "
                       "c0ffee00-1111-2222-3333-444455556666)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("add the user-assigned identity under Identity > User assigned"), std::string::npos);
  EXPECT_EQ(f.transport.requests.size(), 1u);
}

TEST(ManagedIdentity, MissingSystemIdentitySaysWhatToFix) {
  Fixture f;
  const std::string error =
      f.ErrorFor(400, R"({"statusCode":400,"message":"Unable to load the proper Managed Identity."})");
  EXPECT_NE(error.find("for the system-assigned managed identity"), std::string::npos) << error;
  EXPECT_NE(error.find("Turn on the system-assigned identity"), std::string::npos) << error;
}

TEST(ManagedIdentity, RejectedHeaderSaysRestart) {
  Fixture f;
  const std::string error = f.ErrorFor(401, R"({"statusCode":401,"message":"Unauthorized"})");
  EXPECT_NE(error.find("rejected X-IDENTITY-HEADER"), std::string::npos) << error;
  EXPECT_NE(error.find("restart the Function App"), std::string::npos) << error;
  EXPECT_EQ(error.find("rotating-header-0001"), std::string::npos) << error;
}

TEST(ManagedIdentity, ServerErrorsAreRetriedThenExplained) {
  Fixture f;
  const std::string error =
      f.ErrorFor(500, R"({"statusCode":500,"message":"An unexpected error occured while fetching the AAD Token.",)"
                      R"("correlationId":"8997f3a2-4774-4406-bcc2-14da6f7c387a"})");
  EXPECT_EQ(f.transport.requests.size(), 5u);
  EXPECT_NE(error.find("HTTP 500: An unexpected error occured while fetching the AAD Token. (correlation id "
                       "8997f3a2-4774-4406-bcc2-14da6f7c387a)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("This is often temporary"), std::string::npos) << error;
}

TEST(ManagedIdentity, EntraErrorsPassedThroughAreShown) {
  Fixture f;
  const std::string error = f.ErrorFor(400, R"({"error":"invalid_resource","error_description":"AADSTS500011: )"
                                            R"(The resource principal named https://monitor.azure.com was not found.)"
                                            R"(\r\nTrace ID: x"})");
  EXPECT_NE(error.find("HTTP 400: invalid_resource: AADSTS500011: The resource principal named "
                       "https://monitor.azure.com was not found."),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("Trace ID"), std::string::npos);
}

TEST(ManagedIdentity, UnreachableEndpoint) {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    f.transport.Push(testing::TransportFailure("could not connect to http://127.0.0.1:41741"));
  }
  try {
    f.Acquire();
    FAIL() << "no error";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("the managed identity endpoint could not be reached for "
                                             "https://monitor.azure.com: could not connect"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace mt

#include <gtest/gtest.h>

#include <sstream>

#include "http_client.hpp"
#include "run_log.hpp"
#include "secret.hpp"

namespace mt {
namespace {

TEST(Secret, FormatsAsRedacted) {
  const Secret secret("never-print-this-value");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "**REDACTED**");
  EXPECT_EQ(to_string(secret), "**REDACTED**");
  EXPECT_EQ(secret.Reveal(), "never-print-this-value");
}

TEST(SecretScrubber, RawAndEchoedForms) {
  SecretScrubber scrubber;
  scrubber.Add("fake~a+b/c=d");
  EXPECT_EQ(scrubber.Scrub("secret fake~a+b/c=d end"), "secret **REDACTED** end");
  EXPECT_EQ(scrubber.Scrub("client_secret=fake~a%2Bb%2Fc%3Dd&grant_type=x"),
            "client_secret=**REDACTED**&grant_type=x");
  EXPECT_EQ(scrubber.Scrub("client_secret=fake~a%2bb%2fc%3dd"), "client_secret=**REDACTED**");
  EXPECT_EQ(scrubber.Scrub(R"({"echo":"fake~a+b\/c=d"})"), R"({"echo":"**REDACTED**"})");
  EXPECT_EQ(scrubber.Scrub("twice fake~a+b/c=d fake~a+b/c=d"), "twice **REDACTED** **REDACTED**");
  EXPECT_EQ(scrubber.Scrub("a prefix fake~a+b/c is not the value"), "a prefix fake~a+b/c is not the value");
}

TEST(SecretScrubber, ShortValuesAreIgnored) {
  SecretScrubber scrubber;
  scrubber.Add("");
  scrubber.Add("1234567");
  EXPECT_EQ(scrubber.Scrub("1234567 stays"), "1234567 stays");
  scrubber.Add("12345678");
  EXPECT_EQ(scrubber.Scrub("12345678 goes"), "**REDACTED** goes");
}

TEST(SecretScrubber, LongerValuesFirst) {
  SecretScrubber scrubber;
  scrubber.Add("abcdefgh");
  scrubber.Add("abcdefgh-and-more");
  EXPECT_EQ(scrubber.Scrub("x abcdefgh-and-more y"), "x **REDACTED** y");
}

TEST(SecretScrubber, NewestValuesSurviveEviction) {
  SecretScrubber scrubber;
  scrubber.Add("the-oldest-value");
  for (std::size_t i = 0; i < SecretScrubber::kMaxValues; ++i) scrubber.Add("filler-value-" + std::to_string(i));
  EXPECT_EQ(scrubber.Scrub("the-oldest-value"), "the-oldest-value");
  EXPECT_EQ(scrubber.Scrub("filler-value-511"), "**REDACTED**");
}

TEST(SecretScrubber, ConnectionStringParts) {
  const std::string key = "Zm9vYmFyYmF6cXV4K3NlY3JldC9rZXk9PWFjY291bnRrZXl2YWx1ZQ==";
  AddConnectionStringSecrets("DefaultEndpointsProtocol=https;AccountName=mtstate;AccountKey=" + key +
                             ";EndpointSuffix=core.windows.net");
  EXPECT_EQ(ScrubSecrets("key " + key), "key **REDACTED**");

  AddConnectionStringSecrets("BlobEndpoint=https://mtstate.blob.core.windows.net/;"
                             "SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rwdlac&sig=c2lnbmF0dXJlLXZhbHVl%3D");
  EXPECT_EQ(ScrubSecrets("sig=c2lnbmF0dXJlLXZhbHVl%3D"), "sig=**REDACTED**");
}

TEST(SecretScrubber, SettingsFromTheEnvironment) {
  AddSecretSettings({{"AZURE_CLIENT_SECRET", "client-secret-from-env"},
                     {"IDENTITY_HEADER", "identity-header-from-env"},
                     {"DATA_COLLECTOR_SHARED_KEY", "shared-key-from-env=="},
                     {"MY_CHECKPOINT_STORAGE", "AccountName=a;AccountKey=account-key-from-env=="},
                     {"AZURE_TENANT_ID", "tenant-id-is-not-secret"}});
  EXPECT_EQ(ScrubSecrets("client-secret-from-env identity-header-from-env shared-key-from-env== "
                         "account-key-from-env== tenant-id-is-not-secret"),
            "**REDACTED** **REDACTED** **REDACTED** **REDACTED** tenant-id-is-not-secret");
}

TEST(SecretScrubber, RunLogLinesAreScrubbed) {
  SecretScrubber::Global().Add("token-in-a-log-line");
  RunLog log("", false);
  log.Error("Graph said: Bearer token-in-a-log-line is not valid");
  ASSERT_EQ(log.Lines().size(), 1u);
  EXPECT_EQ(log.Lines()[0], "error: Graph said: Bearer **REDACTED** is not valid");
}

TEST(SecretScrubber, ShortenBodyScrubsBeforeCutting) {
  const std::string token(64, 't');
  SecretScrubber::Global().Add(token);
  // The token straddles the 1 KiB cut: no prefix of it may survive.
  const std::string body = std::string(1000, 'x') + token + std::string(500, 'y');
  const std::string shortened = ShortenBody(body);
  EXPECT_EQ(shortened.find("tttttttt"), std::string::npos);
  EXPECT_NE(shortened.find("**REDACTED**"), std::string::npos);
}

}  // namespace
}  // namespace mt

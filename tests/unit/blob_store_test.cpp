#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "blob_shared_key.hpp"
#include "blob_store.hpp"
#include "errors.hpp"
#include "http_fake.hpp"
#include "identity.hpp"

namespace mt {
namespace {

using testing::ManualClock;
using testing::Reply;
using testing::ScriptedTransport;
using testing::TransportFailure;

const Instant kNow = *ParseIso8601("2026-12-04T12:00:00Z");
constexpr const char* kDate = "Fri, 04 Dec 2026 12:00:00 GMT";
constexpr const char* kContainer = "message-trace-handler";
constexpr const char* kCheckpoint = "EmailEvents_CL/checkpoint.json";
constexpr const char* kLease = "EmailEvents_CL/lease";
constexpr const char* kLeaseId = "8a1f3c52-0d4e-4b7a-9c21-5e6f7a8b9c0d";
constexpr const char* kCheckpointUrl =
    "http://127.0.0.1:10000/devstoreaccount1/message-trace-handler/EmailEvents_CL/checkpoint.json";
constexpr const char* kLeaseUrl = "http://127.0.0.1:10000/devstoreaccount1/message-trace-handler/EmailEvents_CL/lease";

StorageAccount Azurite() { return ParseStorageConnectionString("UseDevelopmentStorage=true", "core.windows.net"); }

RetryPolicy NoJitter() {
  RetryPolicy policy;
  policy.jitter = false;
  return policy;
}

// The value of a request header (any case), or nothing when it is absent.
std::optional<std::string> HeaderOf(const HttpRequest& request, const std::string& name) {
  auto lower = [](std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  for (const auto& [key, value] : request.headers) {
    if (lower(key) == lower(name)) return value;
  }
  return std::nullopt;
}

// An error reply as the Blob service sends it: the code in a header and in
// the XML body, whose Message carries RequestId and Time lines.
HttpOutcome ServiceError(int status, const std::string& code, const std::string& message = "Service message.") {
  return Reply(status,
               "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" +
                   message + "\nRequestId:5c1e0a4e-001e-0041-7a2b-000000000000\nTime:2026-12-04T12:00:00.1234567Z"
                             "</Message></Error>",
               {{"x-ms-error-code", code}, {"x-ms-request-id", "5c1e0a4e-001e-0041-7a2b-000000000000"}});
}

HttpOutcome Created(const std::string& etag) { return Reply(201, "", {{"etag", etag}}); }

struct Fixture {
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}, {}};
  BlobStore store{Azurite(), transport, nullptr, NoJitter()};
};

// The Authorization header must be the signature of the request exactly as
// sent, so a header added after signing makes this fail.
void ExpectSignedAsSent(const HttpRequest& sent) {
  HttpRequest unsigned_copy = sent;
  std::erase_if(unsigned_copy.headers, [](const auto& header) { return header.first == "Authorization"; });
  EXPECT_EQ(HeaderOf(sent, "Authorization"),
            SignBlobRequest(unsigned_copy, "devstoreaccount1", Azurite().account_key));
}

HttpRequest PinnedPut() {
  HttpRequest request;
  request.method = "PUT";
  request.url = *Url::Parse(kCheckpointUrl);
  request.headers = {{"x-ms-version", "2021-12-02"},
                     {"x-ms-date", kDate},
                     {"x-ms-blob-type", "BlockBlob"},
                     {"If-Match", "\"0x8DCB1A2B3C4D5E6\""},
                     {"x-ms-lease-id", kLeaseId},
                     {"Content-Type", "application/json"}};
  request.body = R"({"frontier":"2026-12-04T11:45:00Z"})";
  return request;
}

HttpRequest PinnedListing() {
  HttpRequest request;
  request.method = "GET";
  request.url = *Url::Parse("https://contosostorage.blob.core.windows.net/message-trace-handler"
                            "?restype=container&comp=list&include=snapshots&prefix=EmailEvents_CL%2F&include=metadata");
  request.headers = {{"X-MS-Version", "2021-12-02"}, {"x-ms-date", kDate}};
  return request;
}

// The expected strings and signatures below were computed outside this
// code: the bytes written by hand, the HMAC with
// `openssl dgst -sha256 -mac HMAC -macopt hexkey:<development key as hex>`.
TEST(BlobSharedKey, PutStringToSignIsPinned) {
  const std::string expected =
      "PUT\n"
      "\n"                       // Content-Encoding
      "\n"                       // Content-Language
      "35\n"                     // Content-Length
      "\n"                       // Content-MD5
      "application/json\n"       // Content-Type
      "\n"                       // Date, empty because x-ms-date is sent
      "\n"                       // If-Modified-Since
      "\"0x8DCB1A2B3C4D5E6\"\n"  // If-Match
      "\n"                       // If-None-Match
      "\n"                       // If-Unmodified-Since
      "\n"                       // Range
      "x-ms-blob-type:BlockBlob\n"
      "x-ms-date:Fri, 04 Dec 2026 12:00:00 GMT\n"
      "x-ms-lease-id:8a1f3c52-0d4e-4b7a-9c21-5e6f7a8b9c0d\n"
      "x-ms-version:2021-12-02\n"
      "/devstoreaccount1/devstoreaccount1/message-trace-handler/EmailEvents_CL/checkpoint.json";
  EXPECT_EQ(BlobStringToSign(PinnedPut(), "devstoreaccount1"), expected);
}

TEST(BlobSharedKey, PutSignatureKnownAnswer) {
  EXPECT_EQ(SignBlobRequest(PinnedPut(), "devstoreaccount1", Azurite().account_key),
            "SharedKey devstoreaccount1:nbRRSAaIc9w9jNWI88JGzEDvzfsvLDgy0OrTM7rAavw=");
}

TEST(BlobSharedKey, GetWithQueryStringToSignIsPinned) {
  const std::string expected =
      "GET\n\n\n\n\n\n\n\n\n\n\n\n"
      "x-ms-date:Fri, 04 Dec 2026 12:00:00 GMT\n"
      "x-ms-version:2021-12-02\n"
      "/contosostorage/message-trace-handler\n"
      "comp:list\n"
      "include:metadata,snapshots\n"
      "prefix:EmailEvents_CL/\n"
      "restype:container";
  EXPECT_EQ(BlobStringToSign(PinnedListing(), "contosostorage"), expected);
}

TEST(BlobSharedKey, GetSignatureKnownAnswer) {
  EXPECT_EQ(SignBlobRequest(PinnedListing(), "contosostorage", Azurite().account_key),
            "SharedKey contosostorage:+8L6ciiM+PIhLauAxu8TN9V4+dl7LYVskr7yPEX+DKI=");
}

TEST(BlobSharedKey, HeadersLowerCasedSortedAndUnfolded) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = *Url::Parse("https://contosostorage.blob.core.windows.net/c1/b");
  request.headers = {{"X-MS-Meta-Zeta", "  two \t  words "}, {"x-ms-meta-alpha", "a"}, {"Accept", "*/*"}};
  const std::string text = BlobStringToSign(request, "contosostorage");
  EXPECT_TRUE(text.ends_with("\nx-ms-meta-alpha:a\nx-ms-meta-zeta:two words\n/contosostorage/c1/b")) << text;
  EXPECT_EQ(text.find("Accept"), std::string::npos) << text;
}

TEST(BlobSharedKey, EmptyBodySignsEmptyLength) {
  HttpRequest request;
  request.method = "PUT";
  request.url = *Url::Parse("https://contosostorage.blob.core.windows.net/c1?restype=container");
  EXPECT_EQ(BlobStringToSign(request, "contosostorage"),
            "PUT\n\n\n\n\n\n\n\n\n\n\n\n/contosostorage/c1\nrestype:container");
}

TEST(BlobSharedKey, RootPathResource) {
  EXPECT_EQ(BlobCanonicalizedResource(*Url::Parse("https://contosostorage.blob.core.windows.net/?comp=list"),
                                      "contosostorage"),
            "/contosostorage/\ncomp:list");
}

TEST(BlobStore, CreateContainerRequest) {
  Fixture f;
  f.transport.Push(Reply(201, ""));
  f.store.CreateContainerIfNotExists(kContainer, f.context);

  ASSERT_EQ(f.transport.requests.size(), 1u);
  const HttpRequest& sent = f.transport.requests[0];
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.url.ToString(), "http://127.0.0.1:10000/devstoreaccount1/message-trace-handler?restype=container");
  EXPECT_EQ(HeaderOf(sent, "x-ms-version"), "2021-12-02");
  EXPECT_EQ(HeaderOf(sent, "x-ms-date"), kDate);
  EXPECT_EQ(HeaderOf(sent, "Content-Type"), std::nullopt);
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, CreateContainerThatExists) {
  Fixture f;
  f.transport.Push(ServiceError(409, "ContainerAlreadyExists"));
  EXPECT_NO_THROW(f.store.CreateContainerIfNotExists(kContainer, f.context));
}

TEST(BlobStore, CreateContainerBeingDeleted) {
  Fixture f;
  f.transport.Push(ServiceError(409, "ContainerBeingDeleted"));
  EXPECT_THROW(f.store.CreateContainerIfNotExists(kContainer, f.context), BlobConflict);
}

TEST(BlobStore, InvalidNamesAreRejectedBeforeSending) {
  Fixture f;
  EXPECT_THROW(f.store.CreateContainerIfNotExists("Message_Trace", f.context), std::invalid_argument);
  EXPECT_THROW(f.store.Get("ab", "x", f.context), std::invalid_argument);
  EXPECT_THROW(f.store.Get("a--b", "x", f.context), std::invalid_argument);
  EXPECT_THROW(f.store.Get(kContainer, "", f.context), std::invalid_argument);
  EXPECT_TRUE(f.transport.requests.empty());
}

TEST(BlobStore, BlobUrlEncodesSegments) {
  Fixture f;
  EXPECT_EQ(f.store.BlobUrl(kContainer, "EmailEvents_CL/check point#1.json"),
            "http://127.0.0.1:10000/devstoreaccount1/message-trace-handler/EmailEvents_CL/check%20point%231.json");
}

TEST(BlobStore, GetReturnsContentAndEtag) {
  Fixture f;
  f.transport.Push(Reply(200, R"({"version":1})", {{"etag", "\"0x8DCB1A2B3C4D5E6\""}}));
  const auto blob = f.store.Get(kContainer, kCheckpoint, f.context);

  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(blob->content, R"({"version":1})");
  EXPECT_EQ(blob->etag, "\"0x8DCB1A2B3C4D5E6\"");
  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.url.ToString(), kCheckpointUrl);
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, GetMissingBlobOrContainer) {
  Fixture f;
  f.transport.Push(ServiceError(404, "BlobNotFound"));
  EXPECT_FALSE(f.store.Get(kContainer, kCheckpoint, f.context).has_value());

  // The code only in the XML body, as some proxies strip x-ms- headers.
  f.transport.Push(Reply(404, "<?xml version=\"1.0\"?><Error><Code>ContainerNotFound</Code></Error>"));
  EXPECT_FALSE(f.store.Get(kContainer, kCheckpoint, f.context).has_value());
}

TEST(BlobStore, GetNotFoundWithoutCodeFails) {
  Fixture f;
  f.transport.Push(Reply(404, ""));
  try {
    f.store.Get(kContainer, kCheckpoint, f.context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("HTTP 404"), std::string::npos) << message;
    EXPECT_NE(message.find("check the Blob service URL http://127.0.0.1:10000/devstoreaccount1"), std::string::npos)
        << message;
  }
}

TEST(BlobStore, ForbiddenWithAccountKeyNamesTheKeySetting) {
  Fixture f;
  f.transport.Push(ServiceError(403, "AuthorizationFailure", "This request is not authorized to perform this operation."));
  try {
    f.store.Get(kContainer, kCheckpoint, f.context);
    FAIL() << "expected CollectionError";
  } catch (const BlobConflict&) {
    FAIL() << "a 403 is not a conflict";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("reading blob 'message-trace-handler/EmailEvents_CL/checkpoint.json' in account "
                           "'devstoreaccount1' failed with HTTP 403 AuthorizationFailure "
                           "(This request is not authorized to perform this operation.)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("check the AccountKey in AzureWebJobsStorage"), std::string::npos) << message;
    EXPECT_NE(message.find("[request id 5c1e0a4e-001e-0041-7a2b-000000000000]"), std::string::npos) << message;
    EXPECT_EQ(message.find("RequestId:"), std::string::npos) << message;
  }
}

TEST(BlobStore, SignatureMismatchHint) {
  Fixture f;
  f.transport.Push(ServiceError(403, "AuthenticationFailed", "Server failed to authenticate the request."));
  try {
    f.store.Get(kContainer, kCheckpoint, f.context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("the Shared Key signature was rejected"), std::string::npos) << error.what();
  }
}

TEST(BlobStore, PutCreateOnlyHeaders) {
  Fixture f;
  f.transport.Push(Created("\"0x1\""));
  const std::string etag =
      f.store.Put(kContainer, kCheckpoint, R"({"v":1})", BlobWriteCondition::CreateOnly(), f.context, "application/json");

  EXPECT_EQ(etag, "\"0x1\"");
  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.url.ToString(), kCheckpointUrl);
  EXPECT_EQ(sent.body, R"({"v":1})");
  EXPECT_EQ(HeaderOf(sent, "x-ms-blob-type"), "BlockBlob");
  EXPECT_EQ(HeaderOf(sent, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(sent, "If-None-Match"), "*");
  EXPECT_EQ(HeaderOf(sent, "If-Match"), std::nullopt);
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-id"), std::nullopt);
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, PutIfMatchWithLeaseHeaders) {
  Fixture f;
  f.transport.Push(Created("\"0x2\""));
  f.store.Put(kContainer, kCheckpoint, "{}", BlobWriteCondition::IfMatch("\"0x1\"").WithLease(kLeaseId), f.context);

  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(HeaderOf(sent, "If-Match"), "\"0x1\"");
  EXPECT_EQ(HeaderOf(sent, "If-None-Match"), std::nullopt);
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-id"), kLeaseId);
  EXPECT_EQ(HeaderOf(sent, "Content-Type"), "application/octet-stream");
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, PutUnconditional) {
  Fixture f;
  f.transport.Push(Created("\"0x3\""));
  f.store.Put(kContainer, kCheckpoint, "{}", BlobWriteCondition::Always(), f.context);
  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(HeaderOf(sent, "If-Match"), std::nullopt);
  EXPECT_EQ(HeaderOf(sent, "If-None-Match"), std::nullopt);
}

TEST(BlobStore, PutConflictsRaiseBlobConflict) {
  const std::vector<std::pair<int, std::string>> cases = {
      {412, "ConditionNotMet"}, {409, "BlobAlreadyExists"}, {412, "LeaseIdMissing"}, {412, "LeaseIdMismatchWithBlobOperation"}};
  for (const auto& [status, code] : cases) {
    Fixture f;
    f.transport.Push(ServiceError(status, code));
    try {
      f.store.Put(kContainer, kCheckpoint, "{}", BlobWriteCondition::IfMatch("\"0x1\""), f.context);
      ADD_FAILURE() << "expected BlobConflict for " << code;
    } catch (const BlobConflict& conflict) {
      EXPECT_EQ(conflict.status(), status);
      EXPECT_EQ(conflict.error_code(), code);
      EXPECT_NE(std::string(conflict.what()).find(std::to_string(status) + " " + code), std::string::npos);
    }
    EXPECT_EQ(f.transport.requests.size(), 1u) << code;
  }
}

TEST(BlobStore, RetryIsSignedAfresh) {
  Fixture f;
  f.transport.Push(ServiceError(503, "ServerBusy"));
  f.transport.Push(Created("\"0x4\""));
  EXPECT_EQ(f.store.Put(kContainer, kCheckpoint, "{}", BlobWriteCondition::Always(), f.context), "\"0x4\"");

  ASSERT_EQ(f.transport.requests.size(), 2u);
  EXPECT_EQ(HeaderOf(f.transport.requests[0], "x-ms-date"), kDate);
  EXPECT_EQ(HeaderOf(f.transport.requests[1], "x-ms-date"), "Fri, 04 Dec 2026 12:00:01 GMT");
  EXPECT_NE(HeaderOf(f.transport.requests[0], "Authorization"), HeaderOf(f.transport.requests[1], "Authorization"));
  ExpectSignedAsSent(f.transport.requests[1]);
}

TEST(BlobStore, RetriedWriteThatLandedIsNotAConflict) {
  Fixture f;
  f.transport.Push(TransportFailure("reading the reply from http://127.0.0.1:10000 failed or timed out"));
  f.transport.Push(ServiceError(412, "ConditionNotMet"));
  f.transport.Push(Reply(200, R"({"v":2})", {{"etag", "\"0x5\""}}));
  EXPECT_EQ(f.store.Put(kContainer, kCheckpoint, R"({"v":2})", BlobWriteCondition::IfMatch("\"0x4\""), f.context),
            "\"0x5\"");
  ASSERT_EQ(f.transport.requests.size(), 3u);
  EXPECT_EQ(f.transport.requests[2].method, "GET");
  const auto lines = f.log.Lines();
  EXPECT_TRUE(std::ranges::any_of(lines, [](const std::string& line) {
    return line.find("an earlier attempt was applied") != std::string::npos;
  }));
}

TEST(BlobStore, RetriedWriteThatLostIsAConflict) {
  Fixture f;
  f.transport.Push(TransportFailure("reading the reply from http://127.0.0.1:10000 failed or timed out"));
  f.transport.Push(ServiceError(412, "ConditionNotMet"));
  f.transport.Push(Reply(200, R"({"v":"other writer"})", {{"etag", "\"0x6\""}}));
  EXPECT_THROW(f.store.Put(kContainer, kCheckpoint, R"({"v":2})", BlobWriteCondition::IfMatch("\"0x4\""), f.context),
               BlobConflict);
}

TEST(BlobStore, UnreachableServiceNamesTheSetting) {
  Fixture f;
  RetryPolicy once = NoJitter();
  once.max_attempts = 1;
  BlobStore store(Azurite(), f.transport, nullptr, once);
  f.transport.Push(TransportFailure("could not connect to http://127.0.0.1:10000"));
  try {
    store.Get(kContainer, kCheckpoint, f.context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("Blob storage at http://127.0.0.1:10000 could not be reached while reading blob"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("check AzureWebJobsStorage"), std::string::npos) << message;
  }
}

TEST(BlobStore, DeleteExistingAndMissing) {
  Fixture f;
  f.transport.Push(Reply(202, ""));
  f.transport.Push(ServiceError(404, "BlobNotFound"));
  EXPECT_TRUE(f.store.Delete(kContainer, kCheckpoint, f.context));
  EXPECT_FALSE(f.store.Delete(kContainer, kCheckpoint, f.context, kLeaseId));

  EXPECT_EQ(f.transport.requests[0].method, "DELETE");
  EXPECT_EQ(HeaderOf(f.transport.requests[0], "x-ms-lease-id"), std::nullopt);
  EXPECT_EQ(HeaderOf(f.transport.requests[1], "x-ms-lease-id"), kLeaseId);
  ExpectSignedAsSent(f.transport.requests[0]);
}

TEST(BlobStore, AcquireLeaseHeaders) {
  Fixture f;
  f.transport.Push(Reply(201, "", {{"x-ms-lease-id", kLeaseId}}));
  EXPECT_EQ(f.store.AcquireLease(kContainer, kLease, 60, kLeaseId, f.context), kLeaseId);

  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.url.ToString(), std::string(kLeaseUrl) + "?comp=lease");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-action"), "acquire");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-duration"), "60");
  EXPECT_EQ(HeaderOf(sent, "x-ms-proposed-lease-id"), kLeaseId);
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, AcquireLeaseHeldByAnother) {
  Fixture f;
  f.transport.Push(ServiceError(409, "LeaseAlreadyPresent"));
  EXPECT_EQ(f.store.AcquireLease(kContainer, kLease, 15, kLeaseId, f.context), std::nullopt);
}

TEST(BlobStore, AcquireLeaseProposesARandomId) {
  Fixture f;
  f.transport.Push([](const HttpRequest& request) {
    return Reply(201, "", {{"x-ms-lease-id", HeaderOf(request, "x-ms-proposed-lease-id").value_or("")}});
  });
  const auto lease = f.store.AcquireLease(kContainer, kLease, BlobStore::kInfiniteLease, "", f.context);
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE(std::regex_match(*lease, std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")))
      << *lease;
  EXPECT_EQ(HeaderOf(f.transport.requests.at(0), "x-ms-lease-duration"), "-1");
}

TEST(BlobStore, AcquireLeaseCreatesAMissingBlob) {
  Fixture f;
  f.transport.Push(ServiceError(404, "BlobNotFound"));
  f.transport.Push(Created("\"0x7\""));
  f.transport.Push(Reply(201, "", {{"x-ms-lease-id", kLeaseId}}));
  EXPECT_EQ(f.store.AcquireLease(kContainer, kLease, 60, kLeaseId, f.context), kLeaseId);

  ASSERT_EQ(f.transport.requests.size(), 3u);
  const HttpRequest& create = f.transport.requests[1];
  EXPECT_EQ(create.url.ToString(), kLeaseUrl);
  EXPECT_EQ(create.body, "");
  EXPECT_EQ(HeaderOf(create, "If-None-Match"), "*");
  EXPECT_EQ(HeaderOf(f.transport.requests[2], "x-ms-lease-action"), "acquire");
}

TEST(BlobStore, AcquireLeaseWhenAnotherCreatedTheBlob) {
  Fixture f;
  f.transport.Push(ServiceError(404, "BlobNotFound"));
  f.transport.Push(ServiceError(409, "BlobAlreadyExists"));
  f.transport.Push(ServiceError(409, "LeaseAlreadyPresent"));
  EXPECT_EQ(f.store.AcquireLease(kContainer, kLease, 60, kLeaseId, f.context), std::nullopt);
  EXPECT_EQ(f.transport.requests.size(), 3u);
}

TEST(BlobStore, AcquireLeaseInMissingContainer) {
  Fixture f;
  f.transport.Push(ServiceError(404, "ContainerNotFound"));
  try {
    f.store.AcquireLease(kContainer, kLease, 60, kLeaseId, f.context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("ContainerNotFound"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("create it first"), std::string::npos) << error.what();
  }
}

TEST(BlobStore, AcquireLeaseDurationRange) {
  Fixture f;
  EXPECT_THROW(f.store.AcquireLease(kContainer, kLease, 14, kLeaseId, f.context), std::invalid_argument);
  EXPECT_THROW(f.store.AcquireLease(kContainer, kLease, 61, kLeaseId, f.context), std::invalid_argument);
  EXPECT_THROW(f.store.AcquireLease(kContainer, kLease, 0, kLeaseId, f.context), std::invalid_argument);
  EXPECT_TRUE(f.transport.requests.empty());
}

TEST(BlobStore, RenewLeaseHeaders) {
  Fixture f;
  f.transport.Push(Reply(200, "", {{"x-ms-lease-id", kLeaseId}}));
  f.store.RenewLease(kContainer, kLease, kLeaseId, f.context);
  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(sent.url.ToString(), std::string(kLeaseUrl) + "?comp=lease");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-action"), "renew");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-id"), kLeaseId);
  ExpectSignedAsSent(sent);
}

TEST(BlobStore, RenewLostLeaseIsAConflict) {
  Fixture f;
  f.transport.Push(ServiceError(409, "LeaseIdMismatchWithLeaseOperation"));
  EXPECT_THROW(f.store.RenewLease(kContainer, kLease, kLeaseId, f.context), BlobConflict);
  f.transport.Push(ServiceError(404, "BlobNotFound"));
  EXPECT_THROW(f.store.RenewLease(kContainer, kLease, kLeaseId, f.context), BlobConflict);
}

TEST(BlobStore, ReleaseLease) {
  Fixture f;
  f.transport.Push(Reply(200, ""));
  f.store.ReleaseLease(kContainer, kLease, kLeaseId, f.context);
  EXPECT_EQ(HeaderOf(f.transport.requests.at(0), "x-ms-lease-action"), "release");
  EXPECT_EQ(HeaderOf(f.transport.requests.at(0), "x-ms-lease-id"), kLeaseId);

  f.transport.Push(ServiceError(409, "LeaseNotPresentWithLeaseOperation"));
  EXPECT_NO_THROW(f.store.ReleaseLease(kContainer, kLease, kLeaseId, f.context));

  f.transport.Push(ServiceError(409, "LeaseIdMismatchWithLeaseOperation"));
  EXPECT_THROW(f.store.ReleaseLease(kContainer, kLease, kLeaseId, f.context), BlobConflict);
}

TEST(BlobStore, RetriedReleaseThatLanded) {
  Fixture f;
  f.transport.Push(TransportFailure("reading the reply from http://127.0.0.1:10000 failed or timed out"));
  f.transport.Push(ServiceError(409, "LeaseIdMismatchWithLeaseOperation"));
  EXPECT_NO_THROW(f.store.ReleaseLease(kContainer, kLease, kLeaseId, f.context));
  EXPECT_EQ(f.transport.requests.size(), 2u);
}

TEST(BlobStore, BreakLease) {
  Fixture f;
  f.transport.Push(Reply(202, "", {{"x-ms-lease-time", "0"}}));
  f.store.BreakLease(kContainer, kLease, f.context);
  const HttpRequest& sent = f.transport.requests.at(0);
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-action"), "break");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-break-period"), "0");
  EXPECT_EQ(HeaderOf(sent, "x-ms-lease-id"), std::nullopt);

  f.transport.Push(ServiceError(409, "LeaseNotPresentWithLeaseOperation"));
  EXPECT_NO_THROW(f.store.BreakLease(kContainer, kLease, f.context));
}

Settings TokenSettings() {
  Settings settings;
  settings.tenant_id = "contoso.onmicrosoft.com";
  settings.client_id = "00000000-0000-0000-0000-000000000001";
  settings.client_secret = Secret("test-secret");
  settings.authority_host = "https://127.0.0.1:9001";
  return settings;
}

StorageAccount IdentityAccount() {
  return *ReadStorageAccount({{"AzureWebJobsStorage__accountName", "contosostorage"}}, "core.windows.net");
}

TEST(BlobStoreToken, BearerTokenAndRefreshOn401) {
  const Settings settings = TokenSettings();
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}, {}};
  TokenCache tokens{settings, std::make_unique<ClientSecretSource>(settings, transport)};
  BlobStore store{IdentityAccount(), transport, &tokens, NoJitter()};

  transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"token-1"})"));
  transport.Push(ServiceError(401, "InvalidAuthenticationInfo"));
  transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"token-2"})"));
  transport.Push(Reply(200, "{}", {{"etag", "\"0x8\""}}));
  ASSERT_TRUE(store.Get(kContainer, kCheckpoint, context).has_value());

  ASSERT_EQ(transport.requests.size(), 4u);
  EXPECT_NE(transport.requests[0].body.find("scope=https%3A%2F%2Fstorage.azure.com%2F.default"), std::string::npos)
      << transport.requests[0].body;
  EXPECT_EQ(transport.requests[1].url.ToString(),
            "https://contosostorage.blob.core.windows.net/message-trace-handler/EmailEvents_CL/checkpoint.json");
  EXPECT_EQ(HeaderOf(transport.requests[1], "Authorization"), "Bearer token-1");
  EXPECT_EQ(HeaderOf(transport.requests[3], "Authorization"), "Bearer token-2");
  EXPECT_EQ(HeaderOf(transport.requests[3], "x-ms-version"), "2021-12-02");
}

TEST(BlobStoreToken, ForbiddenNamesTheRole) {
  const Settings settings = TokenSettings();
  ScriptedTransport transport;
  ManualClock clock{kNow};
  RunLog log{"", false};
  RetryContext context{clock, log, kNow + std::chrono::minutes{8}, {}};
  TokenCache tokens{settings, std::make_unique<ClientSecretSource>(settings, transport)};
  BlobStore store{IdentityAccount(), transport, &tokens, NoJitter()};

  transport.Push(Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"token-1"})"));
  transport.Push(ServiceError(403, "AuthorizationPermissionMismatch",
                              "This request is not authorized to perform this operation using this permission."));
  try {
    store.Put(kContainer, kCheckpoint, "{}", BlobWriteCondition::Always(), context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("Storage Blob Data Contributor role"), std::string::npos) << error.what();
  }
}

TEST(BlobStoreToken, NeedsATokenSource) {
  ScriptedTransport transport;
  EXPECT_THROW(BlobStore(IdentityAccount(), transport, nullptr), ConfigurationError);
}

TEST(BlobStoreToken, KeyBasedAuthenticationNotPermitted) {
  Fixture f;
  f.transport.Push(ServiceError(403, "KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on this storage account."));
  try {
    f.store.Get(kContainer, kCheckpoint, f.context);
    FAIL() << "expected CollectionError";
  } catch (const CollectionError& error) {
    EXPECT_NE(std::string(error.what()).find("use an identity-based connection (AzureWebJobsStorage__accountName)"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace mt

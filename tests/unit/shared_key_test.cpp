#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "http_fake.hpp"
#include "shared_key.hpp"

namespace mt {
namespace {

// Keys from Vector's azure_monitor_logs unit tests: a 64-byte binary key and
// an ASCII one. The expected signatures below were computed with Python's
// hmac module and checked with `openssl dgst -sha256 -mac HMAC`; Microsoft
// publishes no test vectors for this API.
constexpr const char* kBinaryKey =
    "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==";
constexpr const char* kAsciiKey = "ZnNkO2Zhc2RrbGZqYXNkaixmaG5tZXF3dWlsamtmYXNjZmouYXNkbmZrbHFhc2ZtYXNrbA==";
constexpr const char* kWorkspaceId = "97ce69d9-b4be-4241-8dbd-d265edcf06c4";
constexpr const char* kDate = "Mon, 04 Apr 2016 08:00:00 GMT";

std::string Key(const char* base64) {
  auto key = DecodeBase64(base64);
  EXPECT_TRUE(key.has_value()) << base64;
  return key.value_or("");
}

std::string Signature(const char* key, std::size_t length, std::string_view content_type = kDataCollectorContentType) {
  const std::string header = SignDataCollectorRequest(Key(key), kWorkspaceId, kDate, length, content_type);
  const std::string prefix = std::string("SharedKey ") + kWorkspaceId + ":";
  EXPECT_EQ(header.substr(0, prefix.size()), prefix);
  return header.substr(prefix.size());
}

struct KnownAnswer {
  const char* label;
  const char* key;
  std::size_t length;
  const char* content_type;
  const char* signature;
};

TEST(SharedKey, KnownAnswers) {
  const KnownAnswer cases[] = {
      {"S1 binary key, 1024 bytes", kBinaryKey, 1024, "application/json", "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik="},
      {"S2 binary key, empty body", kBinaryKey, 0, "application/json", "Meq7fPlB39ce0VIz9I3GPhZZqWAn9pN62vJCVC8lQak="},
      {"S3 binary key, body []", kBinaryKey, 2, "application/json", "67pjr+bgEfQgabF1dXiMy55q0o7fgPmgzTyHaiG14EY="},
      {"S4 ASCII key, 1024 bytes", kAsciiKey, 1024, "application/json", "3B51zI7JNyfre2ML6F7kXoSbRm7hKSqUm48ZCd2hswo="},
      {"S5 ASCII key, empty body", kAsciiKey, 0, "application/json", "mhYA830vRQfgnnNuPjltjTWZvOCv71QzcYfpIWa3CaA="},
      {"S6 ASCII key, body []", kAsciiKey, 2, "application/json", "TZcb+n3zc4cQe3MkqIfB5dRMQN6rASNnZ7ayJG8pH3g="},
      {"S7 non-ASCII body, 26 bytes", kBinaryKey, 26, "application/json", "d0mnxxDkYWJ7bb8cR027C0EiB7ztu7IL1MrledEfxiU="},
  };
  for (const KnownAnswer& known : cases) {
    EXPECT_EQ(Signature(known.key, known.length, known.content_type), known.signature) << known.label;
  }
}

TEST(SharedKey, FullHeaderForS1) {
  EXPECT_EQ(SignDataCollectorRequest(Key(kBinaryKey), kWorkspaceId, kDate, 1024, kDataCollectorContentType),
            "SharedKey 97ce69d9-b4be-4241-8dbd-d265edcf06c4:9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik=");
}

TEST(SharedKey, CharacterCountGivesTheRejectedSignature) {
  // S8: signing 23 (characters) instead of 26 (bytes) yields the signature
  // the service rejects with 403; the correct one must differ from it.
  const std::string wrong = "KEMLK/LcHMpLBjLL2EPCO8xi46dCDGtTXrmKyBd5w+8=";
  EXPECT_EQ(Signature(kBinaryKey, 23), wrong);
  EXPECT_NE(Signature(kBinaryKey, 26), wrong);
}

TEST(SharedKey, CharsetInContentTypeChangesTheSignature) {
  // S9: the content type is signed byte for byte, so `; charset=utf-8`
  // yields a signature that does not match the plain `application/json` one.
  const std::string with_charset = "+uqowYdzlfuOw9Z82YW7T6go4D501EhaABy3mY6ABaY=";
  EXPECT_EQ(Signature(kBinaryKey, 1024, "application/json; charset=utf-8"), with_charset);
  EXPECT_NE(Signature(kBinaryKey, 1024), with_charset);
  EXPECT_EQ(kDataCollectorContentType, "application/json");
}

TEST(SharedKey, NonAsciiCaseFile) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(testing::ReadCase("datacollector-nonascii.txt"));
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    fields[line.substr(0, colon)] = value;
  }
  const std::string body = fields.at("body (UTF-8)");
  ASSERT_EQ(body, "[{\"message\":\"h\xC3\xA9llo \xE2\x82\xAC\"}]");
  ASSERT_EQ(body.size(), 26u);

  const auto key = DecodeBase64(fields.at("shared key"));
  ASSERT_TRUE(key.has_value());
  const std::string header =
      SignDataCollectorRequest(*key, fields.at("workspace id"), fields.at("x-ms-date"), body.size(), kDataCollectorContentType);
  EXPECT_EQ(header, "SharedKey " + fields.at("workspace id") + ":" + fields.at("signature over the byte length (26), accepted"));
  EXPECT_NE(header.substr(header.find(':') + 1), fields.at("signature over the character count (23), 403"));
}

TEST(SharedKey, StringToSignBytes) {
  EXPECT_EQ(DataCollectorStringToSign(1024, "application/json", kDate),
            "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs");
  EXPECT_EQ(DataCollectorStringToSign(0, "application/json", kDate),
            "POST\n0\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs");
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(EncodeBase64(plain), encoded) << plain;
    if (*plain != '\0') {
      EXPECT_EQ(DecodeBase64(encoded), std::optional<std::string>(plain)) << encoded;
    }
  }
}

TEST(Base64, DecodesTheAsciiKey) {
  EXPECT_EQ(DecodeBase64(kAsciiKey), std::optional<std::string>("fsd;fasdklfjasdj,fhnmeqwuiljkfascfj.asdnfklqasfmaskl"));
  const auto binary = DecodeBase64(kBinaryKey);
  ASSERT_TRUE(binary.has_value());
  EXPECT_EQ(binary->size(), 64u);
  EXPECT_EQ(EncodeBase64(*binary), kBinaryKey);
}

TEST(Base64, RejectsMalformedText) {
  const char* invalid[] = {
      "",                 // empty
      "Zm9",              // length not a multiple of 4
      "Zm9v YmFy",        // inner space
      "Zm9v\nYmFy",       // line break from a wrapped copy
      "Zm9vYmFy\n",       // trailing line break
      "Zm9-YmFy",         // base64url alphabet
      "Zm=vYmFy",         // padding in the middle
      "Zg=",              // short padding
      "Zh==",             // non-zero bits after the last byte
      "\"Zm9vYmFy\"",     // quoted
      "====",             // padding only
  };
  for (const char* text : invalid) EXPECT_FALSE(DecodeBase64(text).has_value()) << "'" << text << "'";
}

}  // namespace
}  // namespace mt

#include "blob_shared_key.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <vector>

#include "errors.hpp"
#include "shared_key.hpp"

namespace mt {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a `%` that starts no valid escape is kept as it is.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += char(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Trims the value and replaces each run of spaces and tabs with one space,
// as the canonicalized-headers rule requires.
std::string UnfoldHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// The value of a header, matched case-insensitively; empty when absent.
std::string HeaderValue(const HttpRequest& request, std::string_view lower_case_name) {
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) == lower_case_name) return value;
  }
  return {};
}

std::string CanonicalizedHeaders(const HttpRequest& request) {
  std::map<std::string, std::vector<std::string>> headers;  // sorted by lower-case name
  for (const auto& [name, value] : request.headers) {
    const std::string lower = Lower(name);
    if (lower.starts_with("x-ms-")) headers[lower].push_back(UnfoldHeaderValue(value));
  }
  std::string out;
  for (const auto& [name, values] : headers) {
    out += name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ",") + values[i];
    out += '\n';
  }
  return out;
}

}  // namespace

std::string BlobCanonicalizedResource(const Url& url, std::string_view account_name) {
  const std::string_view target = url.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);

  std::string out = "/" + std::string(account_name) + std::string(path.empty() ? "/" : path);
  if (question == std::string_view::npos) return out;

  std::map<std::string, std::vector<std::string>> parameters;  // sorted by lower-case name
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    const std::string name = Lower(PercentDecode(pair.substr(0, equals)));
    const std::string value = equals == std::string_view::npos ? std::string() : PercentDecode(pair.substr(equals + 1));
    parameters[name].push_back(value);
  }
  for (auto& [name, values] : parameters) {
    std::ranges::sort(values);
    out += "\n" + name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ",") + values[i];
  }
  return out;
}

std::string BlobStringToSign(const HttpRequest& request, std::string_view account_name) {
  std::string text = request.method + "\n";
  text += HeaderValue(request, "content-encoding") + "\n";
  text += HeaderValue(request, "content-language") + "\n";
  // Since service version 2015-02-21 a zero length is signed as empty.
  text += (request.body.empty() ? std::string() : std::to_string(request.body.size())) + "\n";
  text += HeaderValue(request, "content-md5") + "\n";
  text += HeaderValue(request, "content-type") + "\n";
  text += HeaderValue(request, "date") + "\n";
  text += HeaderValue(request, "if-modified-since") + "\n";
  text += HeaderValue(request, "if-match") + "\n";
  text += HeaderValue(request, "if-none-match") + "\n";
  text += HeaderValue(request, "if-unmodified-since") + "\n";
  text += HeaderValue(request, "range") + "\n";
  text += CanonicalizedHeaders(request);
  text += BlobCanonicalizedResource(request.url, account_name);
  return text;
}

std::string SignBlobRequest(const HttpRequest& request, std::string_view account_name, const Secret& account_key) {
  const std::string message = BlobStringToSign(request, account_name);
  const std::string& key = account_key.Reveal();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), digest.data(), &digest_length);
  if (result == nullptr) throw CollectionError("HMAC-SHA256 failed in OpenSSL while signing a Blob storage request");
  const std::string signature = EncodeBase64(std::string_view(reinterpret_cast<const char*>(digest.data()), digest_length));
  return "SharedKey " + std::string(account_name) + ":" + signature;
}

}  // namespace mt

#include "shared_key.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

#include "errors.hpp"

namespace mt {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of a base64 character, or -1.
int SextetOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;

  std::string out;
  out.reserve(text.size() / 4 * 3);
  const std::size_t data_length = text.size() - padding;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_length; ++i) {
    const int sextet = SextetOf(text[i]);
    if (sextet < 0) return std::nullopt;
    buffer = (buffer << 6) | std::uint32_t(sextet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xFF);
    }
  }
  // Bits left over after the last whole byte must be zero in canonical
  // base64; anything else means the text was cut or altered.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                                (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t group = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string DataCollectorStringToSign(std::size_t body_bytes, std::string_view content_type, std::string_view date) {
  std::string text = "POST\n";
  text += std::to_string(body_bytes);
  text += '\n';
  text += content_type;
  text += "\nx-ms-date:";
  text += date;
  text += "\n/api/logs";
  return text;
}

std::string SignDataCollectorRequest(std::string_view key_bytes, std::string_view workspace_id, std::string_view date,
                                     std::size_t body_bytes, std::string_view content_type) {
  const std::string message = DataCollectorStringToSign(body_bytes, content_type, date);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key_bytes.data(), int(key_bytes.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), digest.data(), &digest_length);
  if (result == nullptr) throw CollectionError("HMAC-SHA256 failed in OpenSSL while signing a Data Collector request");
  const std::string signature =
      EncodeBase64(std::string_view(reinterpret_cast<const char*>(digest.data()), digest_length));
  return "SharedKey " + std::string(workspace_id) + ":" + signature;
}

}  // namespace mt

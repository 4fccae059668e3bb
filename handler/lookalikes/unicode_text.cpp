#include "unicode_text.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace lookalikes {

std::u32string DecodeUtf8(std::string_view utf8) {
  std::u32string text;
  text.reserve(utf8.size());

  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  int32_t offset = 0;
  while (offset < length) {
    UChar32 code_point = 0;
    U8_NEXT(bytes, offset, length, code_point);
    if (code_point < 0) {
      throw std::invalid_argument("ill-formed UTF-8 at byte " + std::to_string(offset - 1));
    }
    text.push_back(static_cast<char32_t>(code_point));
  }
  return text;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string utf8;
  utf8.reserve(text.size());

  for (char32_t code_point : text) {
    uint8_t buffer[U8_MAX_LENGTH];
    int32_t length = 0;
    UBool error = false;
    U8_APPEND(buffer, length, U8_MAX_LENGTH, static_cast<UChar32>(code_point), error);
    if (error) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code_point));
      throw std::invalid_argument(std::string("code point ") + name +
                                  " cannot be encoded as UTF-8");
    }
    utf8.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
  }
  return utf8;
}

bool IsAscii(std::u32string_view text) {
  return std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0x80; });
}

}  // namespace lookalikes

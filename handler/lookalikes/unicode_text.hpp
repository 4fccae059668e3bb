// UTF-8 and code-point conversions. Fuzzers work on code points so that an
// IDN label such as "bücher" is mutated one character at a time, as
// dnstwist does on Python strings.
#pragma once

#include <string>
#include <string_view>

namespace lookalikes {

// Decodes UTF-8 into code points. Throws std::invalid_argument on ill-formed
// input.
std::u32string DecodeUtf8(std::string_view utf8);

// Encodes code points as UTF-8. Throws std::invalid_argument on a surrogate or
// a value above U+10FFFF.
std::string EncodeUtf8(std::u32string_view text);

bool IsAscii(std::u32string_view text);

}  // namespace lookalikes

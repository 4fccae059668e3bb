// Look-alike character data for the homoglyph and cyrillic fuzzers.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lookalikes {

// Maps a character (or a two-character sequence such as "rn") to the strings
// that can stand in for it. Contains ASCII look-alikes ("0" for "o", "rn" for
// "m") and Unicode ones (accented Latin letters, IPA symbols, small capitals).
// Registry rules decide later which Unicode results can be registered.
struct GlyphTable {
  std::unordered_map<char32_t, std::vector<std::u32string>> single;
  std::unordered_map<std::u32string, std::vector<std::u32string>> pairs;
};

const GlyphTable& Glyphs();

// Returns the Cyrillic letter that looks like Latin `letter`, or 0 when there
// is none.
char32_t CyrillicTwin(char32_t letter);

}  // namespace lookalikes

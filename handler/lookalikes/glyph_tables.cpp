#include "glyph_tables.hpp"

namespace lookalikes {
namespace {

struct GlyphRow {
  std::u32string_view key;
  // Look-alikes separated by single spaces.
  std::u32string_view lookalikes;
};

// The union of dnstwist 20221213's glyph table and of dnstwist 20250130's
// ASCII, Unicode and per-TLD tables, so that the homoglyph fuzzer covers what
// either release generates.
constexpr GlyphRow kGlyphRows[] = {
    {U"0", U"o"},
    {U"1", U"l i"},
    {U"2", U"ƻ"},
    {U"3", U"8 ʒ"},
    {U"5", U"ƽ"},
    {U"6", U"9"},
    {U"8", U"3"},
    {U"9", U"6"},
    {U"a", U"à á â ã ä å ɑ ạ ǎ ă ȧ ą ə ā"},
    {U"b", U"d lb ʙ ɓ ḃ ḅ ḇ ƅ"},
    {U"c", U"e ƈ ċ ć ç č ĉ ᴄ"},
    {U"d", U"b cl dl ɗ đ ď ɖ ḑ ḋ ḍ ḏ ḓ"},
    {U"e", U"c é è ê ë ē ĕ ě ė ẹ ę ȩ ɇ ḛ"},
    {U"f", U"ƒ ḟ"},
    {U"g", U"q ɢ ɡ ġ ğ ǵ ģ ĝ ǧ ǥ"},
    {U"h", U"lh ĥ ȟ ħ ɦ ḧ ḩ ⱨ ḣ ḥ ḫ ẖ"},
    {U"i", U"1 l í ì ï ı ɩ ǐ ĭ ỉ ị ɨ ȋ ī ɪ ĩ î į"},
    {U"j", U"ʝ ǰ ɉ ĵ"},
    {U"k", U"lk ik lc ḳ ḵ ⱪ ķ ᴋ ĸ ǩ"},
    {U"l", U"1 i ɫ ł ĺ ļ ľ"},
    {U"m", U"n nn rn rr ṁ ṃ ᴍ ɱ ḿ"},
    {U"n", U"m r ń ṅ ṇ ṉ ñ ņ ǹ ň ꞑ ŋ"},
    {U"o", U"0 ȯ ọ ỏ ơ ó ö ᴏ ô ō ò ŏ ő õ ø"},
    {U"p", U"ƿ ƥ ṕ ṗ"},
    {U"q", U"g ʠ"},
    {U"r", U"ʀ ɼ ɽ ŕ ŗ ř ɍ ɾ ȓ ȑ ṙ ṛ ṟ"},
    {U"s", U"ʂ ś ṣ ṡ ș ŝ š ꜱ ş"},
    {U"t", U"ţ ŧ ṫ ṭ ț ƫ ť"},
    {U"u", U"ᴜ ǔ ŭ ü ʉ ù ú û ũ ū ų ư ů ű ȕ ȗ ụ v"},
    {U"v", U"ṿ ⱱ ᶌ ṽ ⱴ ᴠ u"},
    {U"w", U"vv ŵ ẁ ẃ ẅ ⱳ ẇ ẉ ẘ ᴡ"},
    {U"x", U"ẋ ẍ"},
    {U"y", U"ʏ ý ÿ ŷ ƴ ȳ ɏ ỿ ẏ ỵ"},
    {U"z", U"ʐ ż ź ᴢ ƶ ẓ ẕ ⱬ ž"},
    {U"ae", U"æ"},
    {U"cl", U"d"},
    {U"oe", U"œ"},
    {U"rn", U"m"},
};

struct CyrillicPair {
  char32_t latin;
  char32_t cyrillic;
};

// Latin letters with a Cyrillic letter of the same shape; the same pairs as
// dnstwist's latin_to_cyrillic map. Letters such as f, n, r, u and z have no
// twin, so labels containing them get no cyrillic permutation.
constexpr CyrillicPair kCyrillicPairs[] = {
    {U'a', U'а'}, {U'b', U'ь'}, {U'c', U'с'}, {U'd', U'ԁ'}, {U'e', U'е'}, {U'g', U'ԍ'},
    {U'h', U'һ'}, {U'i', U'і'}, {U'j', U'ј'}, {U'k', U'к'}, {U'l', U'ӏ'}, {U'm', U'м'},
    {U'o', U'о'}, {U'p', U'р'}, {U'q', U'ԛ'}, {U's', U'ѕ'}, {U't', U'т'}, {U'v', U'ѵ'},
    {U'w', U'ԝ'}, {U'x', U'х'}, {U'y', U'у'},
};

std::vector<std::u32string> SplitOnSpaces(std::u32string_view text) {
  std::vector<std::u32string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t space = text.find(U' ', start);
    const std::size_t end = space == std::u32string_view::npos ? text.size() : space;
    if (end > start) parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

GlyphTable BuildGlyphTable() {
  GlyphTable table;
  for (const GlyphRow& row : kGlyphRows) {
    std::vector<std::u32string> lookalikes = SplitOnSpaces(row.lookalikes);
    if (row.key.size() == 1) {
      table.single.emplace(row.key.front(), std::move(lookalikes));
    } else {
      table.pairs.emplace(std::u32string(row.key), std::move(lookalikes));
    }
  }
  return table;
}

}  // namespace

const GlyphTable& Glyphs() {
  static const GlyphTable table = BuildGlyphTable();
  return table;
}

char32_t CyrillicTwin(char32_t letter) {
  for (const CyrillicPair& pair : kCyrillicPairs) {
    if (pair.latin == letter) return pair.cyrillic;
  }
  return 0;
}

}  // namespace lookalikes

#include "idn_rules.hpp"

#include <unicode/uscript.h>

#include <algorithm>
#include <string>

namespace lookalikes {
namespace {

struct TldRule {
  std::string_view tld;
  IdnRule rule;
};

// Look-alike characters each registry accepts, as listed by dnstwist 20250130
// in Fuzzer.glyphs_idn_by_tld (flattened from "letter -> look-alikes" to the
// set of look-alikes), plus "ß" for .de, which DENIC accepts. A TLD listed
// with no characters accepts no IDN at all; a TLD missing from the table is
// treated as accepting every valid IDN label.
//
// NOTE: the sets hold only characters that the homoglyph fuzzer can produce,
// not each registry's full IDN table, and Cyrillic is accepted only for .eu
// (EURid registers Latin, Greek and Cyrillic). Check the registry's own table
// before relying on a row for another TLD.
constexpr std::u32string_view kWesternEuropean = U"àáâãäåæçèéêëìíîïñòóôõöùúûüýÿœ";
constexpr std::u32string_view kCentralEuropean =
    U"àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĵķĸĺļľłńņňōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżž";
constexpr std::u32string_view kGerman =
    U"àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĵķĸĺļľłńņňōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżžß";

constexpr IdnRule kAsciiOnly{IdnPolicy::kAsciiOnly, U"", false};

constexpr IdnRule Permitted(std::u32string_view characters, bool cyrillic = false) {
  return IdnRule{IdnPolicy::kPermittedCharacters, characters, cyrillic};
}

constexpr TldRule kTldRules[] = {
    // Registries that register no IDN labels, or (jp, cn, tw) only labels in
    // their own scripts, which the fuzzers never produce.
    {"ad", kAsciiOnly},
    {"cn", kAsciiOnly},
    {"cz", kAsciiOnly},
    {"edu", kAsciiOnly},
    {"jp", kAsciiOnly},
    {"nl", kAsciiOnly},
    {"sk", kAsciiOnly},
    {"tw", kAsciiOnly},
    {"uk", kAsciiOnly},
    {"us", kAsciiOnly},

    {"be", Permitted(kWesternEuropean)},
    {"br", Permitted(U"àáâãçéêíóôõúüýÿ")},
    {"ca", Permitted(U"àâæçèéêëîïôùûüÿœ")},
    {"ch", Permitted(kWesternEuropean)},
    {"de", Permitted(kGerman)},
    {"dk", Permitted(U"äåæéöøü")},
    {"eu", Permitted(kCentralEuropean, true)},
    {"fi", Permitted(U"áâäåõöčđŋšŧžǥǧǩʒ")},
    {"fr", Permitted(kWesternEuropean)},
    {"info", Permitted(U"áäåæéíñóöøúüąćčėęįłńőśšūűųźżž")},
    {"li", Permitted(kWesternEuropean)},
    {"no", Permitted(U"àáäåæçèéêïñòóôöøüčńŋšŧž")},
    {"pl", Permitted(kCentralEuropean)},
    {"pm", Permitted(kWesternEuropean)},
    {"re", Permitted(kWesternEuropean)},
    {"tf", Permitted(kWesternEuropean)},
    {"wf", Permitted(kWesternEuropean)},
    {"yt", Permitted(kWesternEuropean)},
};

constexpr IdnRule kUnrestricted{};

bool IsCyrillic(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(c), &status) == USCRIPT_CYRILLIC && U_SUCCESS(status);
}

bool Contains(std::u32string_view text, char32_t c) { return text.find(c) != std::u32string_view::npos; }

}  // namespace

const IdnRule& IdnRuleForSuffix(std::string_view suffix) {
  const std::size_t last_dot = suffix.rfind('.');
  const std::string_view tld = last_dot == std::string_view::npos ? suffix : suffix.substr(last_dot + 1);
  const auto found = std::find_if(std::begin(kTldRules), std::end(kTldRules),
                                  [tld](const TldRule& entry) { return entry.tld == tld; });
  return found == std::end(kTldRules) ? kUnrestricted : found->rule;
}

bool IsAcceptedByRegistry(const IdnRule& rule, std::u32string_view host, std::u32string_view original_host,
                          bool same_suffix) {
  if (rule.policy == IdnPolicy::kAnyScript) return true;

  const bool original_accepted = same_suffix || rule.policy != IdnPolicy::kAsciiOnly;
  for (char32_t c : host) {
    if (c < 0x80) continue;
    if (original_accepted && Contains(original_host, c)) continue;
    if (rule.policy == IdnPolicy::kPermittedCharacters && Contains(rule.permitted, c)) continue;
    if (rule.cyrillic && IsCyrillic(c)) continue;
    return false;
  }
  return true;
}

}  // namespace lookalikes

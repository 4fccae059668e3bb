// Fuzzers that swap characters for look-alike characters.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "fuzzers.hpp"
#include "glyph_tables.hpp"

namespace lookalikes {
namespace {

using LabelSet = std::unordered_set<std::u32string>;

// Adds every label that one homoglyph step makes from `label`.
//
// A step picks a character c and replaces a run of its occurrences by one
// look-alike. dnstwist 20221213 replaces every occurrence of c inside a window
// of 1 to len-1 characters. That amounts to any run of consecutive occurrences
// that fits in len-1 characters. dnstwist 20250130 replaces single characters,
// both characters of a doubled pair, and two-character sequences such as "rn".
// This step does all of them.
void AddHomoglyphStep(const std::u32string& label, const GlyphTable& glyphs, LabelSet& out) {
  const std::size_t length = label.size();

  std::map<char32_t, std::vector<std::size_t>> positions;
  for (std::size_t i = 0; i < length; ++i) {
    if (glyphs.single.contains(label[i])) positions[label[i]].push_back(i);
  }

  for (const auto& [character, at] : positions) {
    const std::vector<std::u32string>& lookalikes = glyphs.single.at(character);
    for (std::size_t first = 0; first < at.size(); ++first) {
      for (std::size_t last = first; last < at.size(); ++last) {
        const std::size_t span = at[last] - at[first] + 1;
        const bool fits = first == last || span == 2 || span + 1 <= length;
        if (!fits) break;

        for (const std::u32string& lookalike : lookalikes) {
          std::u32string mutated = label;
          // Right to left, so that a multi-character look-alike does not
          // shift the positions still to be replaced.
          for (std::size_t k = last + 1; k-- > first;) {
            mutated.replace(at[k], 1, lookalike);
          }
          out.insert(std::move(mutated));
        }
      }
    }
  }

  for (std::size_t i = 0; i + 1 < length; ++i) {
    const auto found = glyphs.pairs.find(label.substr(i, 2));
    if (found == glyphs.pairs.end()) continue;
    for (const std::u32string& lookalike : found->second) {
      std::u32string mutated = label;
      mutated.replace(i, 2, lookalike);
      out.insert(std::move(mutated));
    }
  }
}

bool IsAsciiDigitOrHyphen(char32_t c) { return (c >= U'0' && c <= U'9') || c == U'-'; }

}  // namespace

std::vector<Candidate> FuzzHomoglyph(const FuzzInput& input) {
  // Two rounds, as in dnstwist: every one-step result, and every result of a
  // second step applied to those.
  const GlyphTable& glyphs = Glyphs();
  LabelSet first_round;
  AddHomoglyphStep(input.domain.label, glyphs, first_round);

  LabelSet labels = first_round;
  for (const std::u32string& label : first_round) {
    AddHomoglyphStep(label, glyphs, labels);
  }

  std::vector<Candidate> candidates;
  candidates.reserve(labels.size());
  for (const std::u32string& label : labels) {
    candidates.push_back(WithLabel(input, label));
  }
  return candidates;
}

std::vector<Candidate> FuzzCyrillic(const FuzzInput& input) {
  // Registries refuse labels that mix scripts, so only a label whose letters
  // all have a Cyrillic twin yields a candidate. Digits and hyphens may stay,
  // as they are allowed with Cyrillic; dnstwist gives up on them instead.
  std::u32string converted;
  bool has_letter = false;
  for (char32_t c : input.domain.label) {
    if (const char32_t twin = CyrillicTwin(c); twin != 0) {
      converted += twin;
      has_letter = true;
    } else if (IsAsciiDigitOrHyphen(c)) {
      converted += c;
    } else {
      return {};
    }
  }
  if (!has_letter) return {};
  return {WithLabel(input, std::move(converted))};
}

}  // namespace lookalikes

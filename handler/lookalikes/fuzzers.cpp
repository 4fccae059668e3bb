#include "fuzzers.hpp"

#include <algorithm>
#include <array>

namespace lookalikes {
namespace {

constexpr std::array kFuzzers = {
    Fuzzer{"addition", &FuzzAddition, "a letter or digit appended to the label, or put before a hyphen"},
    Fuzzer{"bitsquatting", &FuzzBitsquatting, "one bit of one character flipped"},
    Fuzzer{"cyrillic", &FuzzCyrillic, "every Latin letter replaced by its Cyrillic twin"},
    Fuzzer{"homoglyph", &FuzzHomoglyph, "up to two rounds of look-alike character substitutions"},
    Fuzzer{"hyphenation", &FuzzHyphenation, "a hyphen inserted"},
    Fuzzer{"insertion", &FuzzInsertion, "a neighbouring key pressed together with a letter"},
    Fuzzer{"omission", &FuzzOmission, "one character left out"},
    Fuzzer{"plural", &FuzzPlural, "'s' or 'es' inserted after a letter"},
    Fuzzer{"repetition", &FuzzRepetition, "one character doubled"},
    Fuzzer{"replacement", &FuzzReplacement, "one character replaced by a neighbouring key"},
    Fuzzer{"subdomain", &FuzzSubdomain, "a dot inserted, turning part of the label into a subdomain"},
    Fuzzer{"transposition", &FuzzTransposition, "two adjacent characters swapped"},
    Fuzzer{"vowel-swap", &FuzzVowelSwap, "one vowel replaced by another"},
    Fuzzer{"various", &FuzzVarious, "the suffix glued into the label, e.g. contosocom.com"},
    Fuzzer{"tld-swap", &FuzzTldSwap, "the same label under another public suffix"},
};

}  // namespace

std::span<const Fuzzer> AllFuzzers() { return kFuzzers; }

const Fuzzer* FindFuzzer(std::string_view name) {
  const auto found = std::find_if(kFuzzers.begin(), kFuzzers.end(),
                                  [name](const Fuzzer& fuzzer) { return fuzzer.name == name; });
  return found == kFuzzers.end() ? nullptr : &*found;
}

Candidate WithLabel(const FuzzInput& input, std::u32string label) {
  const DomainName& domain = input.domain;
  std::u32string host = domain.subdomain.empty() ? std::move(label) : domain.subdomain + U'.' + label;
  return Candidate{std::move(host), domain.suffix};
}

}  // namespace lookalikes

// Fuzzers that insert, drop, double, swap or flip characters of the label.
#include <string_view>

#include "fuzzers.hpp"

namespace lookalikes {
namespace {

// Characters a host-name label may contain (RFC 952 / RFC 1123), which
// addition and bitsquatting restrict themselves to.
constexpr std::u32string_view kHostNameCharacters = U"abcdefghijklmnopqrstuvwxyz0123456789-";
constexpr std::u32string_view kLettersAndDigits = U"0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::u32string_view kVowels = U"aeiou";

bool Contains(std::u32string_view text, char32_t c) { return text.find(c) != std::u32string_view::npos; }

}  // namespace

std::vector<Candidate> FuzzAddition(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (char32_t c : kLettersAndDigits) {
    candidates.push_back(WithLabel(input, label + c));
    // dnstwist 20250130 also adds the character at the end of each
    // hyphen-separated part but the last: "contoso-365" -> "contosox-365".
    for (std::size_t hyphen = label.find(U'-'); hyphen != std::u32string::npos;
         hyphen = label.find(U'-', hyphen + 1)) {
      std::u32string added = label;
      added.insert(hyphen, 1, c);
      candidates.push_back(WithLabel(input, std::move(added)));
    }
  }
  return candidates;
}

std::vector<Candidate> FuzzBitsquatting(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < label.size(); ++i) {
    for (char32_t mask = 1; mask <= 0x80; mask <<= 1) {
      const char32_t flipped = label[i] ^ mask;
      if (!Contains(kHostNameCharacters, flipped)) continue;
      std::u32string squatted = label;
      squatted[i] = flipped;
      candidates.push_back(WithLabel(input, std::move(squatted)));
    }
  }
  return candidates;
}

std::vector<Candidate> FuzzHyphenation(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 1; i < label.size(); ++i) {
    std::u32string hyphenated = label;
    hyphenated.insert(i, 1, U'-');
    candidates.push_back(WithLabel(input, std::move(hyphenated)));
  }
  return candidates;
}

std::vector<Candidate> FuzzOmission(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < label.size(); ++i) {
    std::u32string shortened = label;
    shortened.erase(i, 1);
    candidates.push_back(WithLabel(input, std::move(shortened)));
  }
  return candidates;
}

std::vector<Candidate> FuzzPlural(const FuzzInput& input) {
  // As dnstwist 20250130: after each character from the third to the third
  // from last, "es" after s, x or z and "s" after anything else.
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 2; i + 2 < label.size(); ++i) {
    const std::u32string_view ending = Contains(U"sxz", label[i]) ? U"es" : U"s";
    std::u32string plural = label;
    plural.insert(i + 1, ending);
    candidates.push_back(WithLabel(input, std::move(plural)));
  }
  return candidates;
}

std::vector<Candidate> FuzzRepetition(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < label.size(); ++i) {
    std::u32string repeated = label;
    repeated.insert(i, 1, label[i]);
    candidates.push_back(WithLabel(input, std::move(repeated)));
  }
  return candidates;
}

std::vector<Candidate> FuzzSubdomain(const FuzzInput& input) {
  // A dot between two characters, neither of which is a hyphen, so that both
  // new labels stay valid.
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 1; i + 1 < label.size(); ++i) {
    if (label[i] == U'-' || label[i - 1] == U'-') continue;
    std::u32string split = label;
    split.insert(i, 1, U'.');
    candidates.push_back(WithLabel(input, std::move(split)));
  }
  return candidates;
}

std::vector<Candidate> FuzzTransposition(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i + 1 < label.size(); ++i) {
    if (label[i] == label[i + 1]) continue;
    std::u32string swapped = label;
    std::swap(swapped[i], swapped[i + 1]);
    candidates.push_back(WithLabel(input, std::move(swapped)));
  }
  return candidates;
}

std::vector<Candidate> FuzzVowelSwap(const FuzzInput& input) {
  const std::u32string& label = input.domain.label;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (!Contains(kVowels, label[i])) continue;
    for (char32_t vowel : kVowels) {
      if (vowel == label[i]) continue;
      std::u32string swapped = label;
      swapped[i] = vowel;
      candidates.push_back(WithLabel(input, std::move(swapped)));
    }
  }
  return candidates;
}

}  // namespace lookalikes

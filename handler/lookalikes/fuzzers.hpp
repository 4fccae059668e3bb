// The permutation algorithms ("fuzzers") of dnstwist, reimplemented on code
// points. Each fuzzer returns raw candidates; PermutationGenerator validates
// them (IDNA, host-name syntax, registry IDN rules) and removes duplicates.
//
// Where dnstwist's Debian release (20221213) and its latest release
// (20250130) differ, a fuzzer produces the union of both, so that its output
// contains what either release produces for the same input.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain_name.hpp"

namespace lookalikes {

// A look-alike name before validation. `host` contains every label left of
// the public suffix.
struct Candidate {
  std::u32string host;  // U"mail.c0ntoso"
  std::string suffix;   // "co.uk"
};

struct FuzzInput {
  const DomainName& domain;
  // Suffixes for tld-swap, lower-case U-labels.
  std::span<const std::string> swap_suffixes;
};

using FuzzerFunction = std::vector<Candidate> (*)(const FuzzInput&);

struct Fuzzer {
  std::string_view name;  // dnstwist's name for the algorithm
  FuzzerFunction generate;
  std::string_view description;
};

// Every fuzzer, in dnstwist's order. dnstwist's "dictionary" fuzzer is not
// included because it needs a word list.
std::span<const Fuzzer> AllFuzzers();

// Returns the fuzzer called `name`, or nullptr.
const Fuzzer* FindFuzzer(std::string_view name);

// Label edits (edit_fuzzers.cpp).
std::vector<Candidate> FuzzAddition(const FuzzInput& input);
std::vector<Candidate> FuzzBitsquatting(const FuzzInput& input);
std::vector<Candidate> FuzzHyphenation(const FuzzInput& input);
std::vector<Candidate> FuzzOmission(const FuzzInput& input);
std::vector<Candidate> FuzzPlural(const FuzzInput& input);
std::vector<Candidate> FuzzRepetition(const FuzzInput& input);
std::vector<Candidate> FuzzSubdomain(const FuzzInput& input);
std::vector<Candidate> FuzzTransposition(const FuzzInput& input);
std::vector<Candidate> FuzzVowelSwap(const FuzzInput& input);

// Keyboard typos (keyboard_fuzzers.cpp).
std::vector<Candidate> FuzzInsertion(const FuzzInput& input);
std::vector<Candidate> FuzzReplacement(const FuzzInput& input);

// Look-alike characters (glyph_fuzzers.cpp).
std::vector<Candidate> FuzzCyrillic(const FuzzInput& input);
std::vector<Candidate> FuzzHomoglyph(const FuzzInput& input);

// Suffix changes (suffix_fuzzers.cpp).
std::vector<Candidate> FuzzTldSwap(const FuzzInput& input);
std::vector<Candidate> FuzzVarious(const FuzzInput& input);

// Returns a candidate that keeps the input's subdomain and suffix but has
// `label` as its registrable label.
Candidate WithLabel(const FuzzInput& input, std::u32string label);

}  // namespace lookalikes

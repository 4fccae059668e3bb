// Runs the fuzzers on one protected domain and keeps the permutations that
// can exist: valid IDNA names, valid host-name syntax, and accepted by the
// registry of their suffix.
#pragma once

#include <string>
#include <vector>

#include "domain_name.hpp"
#include "fuzzers.hpp"

namespace lookalikes {

struct GeneratorOptions {
  // Fuzzers to run; empty runs every fuzzer.
  std::vector<const Fuzzer*> fuzzers;
  // Suffixes for tld-swap, lower-case U-labels.
  std::vector<std::string> swap_suffixes;
  // Keep Unicode permutations even where the suffix's registry refuses them
  // (see idn_rules.hpp).
  bool ignore_registry_idn_rules = false;
};

struct Permutation {
  std::string domain;          // A-label form: "xn--cntoso-9ua.com"
  std::string unicode_domain;  // U-label form: "cöntoso.com"
  std::string_view fuzzer;     // name of the fuzzer that produced it
  // Whether the permutation has the same UTS #39 skeleton as the original,
  // i.e. renders indistinguishably from it in most fonts.
  bool confusable = false;
};

// Returns each distinct permutation once per fuzzer that produces it, never
// the original domain itself, sorted by fuzzer order and then by domain.
std::vector<Permutation> GeneratePermutations(const DomainName& original, const GeneratorOptions& options);

}  // namespace lookalikes

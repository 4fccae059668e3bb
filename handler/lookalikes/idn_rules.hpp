// Registry rules for internationalised labels under each top-level domain. A
// permutation that the registry rejects can never be registered, so it is left
// out of the watchlist.
#pragma once

#include <string_view>

namespace lookalikes {

enum class IdnPolicy {
  kAnyScript,            // no restriction known: every valid IDN label is kept
  kAsciiOnly,            // the registry accepts no IDN labels
  kPermittedCharacters,  // only the listed non-ASCII characters
};

struct IdnRule {
  IdnPolicy policy = IdnPolicy::kAnyScript;
  // For kPermittedCharacters: the non-ASCII look-alike characters the registry
  // accepts.
  std::u32string_view permitted;
  // Whether labels written entirely in Cyrillic (with digits and hyphens) are
  // accepted.
  bool cyrillic = true;
};

// Returns the rule for a public suffix ("co.uk", "de"), chosen by its
// top-level label; kAnyScript for a TLD without an entry.
const IdnRule& IdnRuleForSuffix(std::string_view suffix);

// Whether a registry with `rule` accepts `host` (the labels left of the
// suffix). Characters of `original_host` count as accepted because the
// original domain is registered with them. Under another suffix they count
// only when that registry accepts IDN labels at all.
bool IsAcceptedByRegistry(const IdnRule& rule, std::u32string_view host, std::u32string_view original_host,
                          bool same_suffix);

}  // namespace lookalikes

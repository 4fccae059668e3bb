// The Public Suffix List (https://publicsuffix.org/list/): which trailing
// labels of a name are a suffix under which anyone can register, so that
// "contoso.co.uk" splits into the registrable label "contoso" and the suffix
// "co.uk". Both the ICANN and the private sections are used, as the Python
// `tld` package that dnstwist relies on does.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

namespace lookalikes {

class PublicSuffixList {
 public:
  // Parses the list's file format: one rule per line, "//" comments, "*."
  // wildcard rules and "!" exception rules. Rules are expected in lower-case
  // Unicode (U-label) form, as the published list writes them.
  static PublicSuffixList Parse(std::string_view text);

  // The copy compiled into the library (see LOOKALIKES_PUBLIC_SUFFIX_LIST in
  // CMakeLists.txt).
  static const PublicSuffixList& Bundled();

  // Returns how many of the trailing `labels` (lower-case U-labels, left to
  // right) form the public suffix. An unlisted top-level label counts as a
  // suffix of one label, the list's implicit "*" rule.
  std::size_t SuffixLabelCount(std::span<const std::string> labels) const;

  std::size_t rule_count() const { return rules_.size() + wildcard_parents_.size() + exceptions_.size(); }

 private:
  std::unordered_set<std::string> rules_;
  // For a rule "*.ck" this set contains "ck".
  std::unordered_set<std::string> wildcard_parents_;
  // For a rule "!www.ck" this set contains "www.ck".
  std::unordered_set<std::string> exceptions_;
};

}  // namespace lookalikes

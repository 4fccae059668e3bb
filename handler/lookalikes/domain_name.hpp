// Parsing and validation of the protected domains given on the command line.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "public_suffix_list.hpp"

namespace lookalikes {

// A protected domain split the way dnstwist splits it: fuzzers mutate only
// `label`, and keep `subdomain` and `suffix`.
struct DomainName {
  std::string ascii;         // A-label form, lower case: "xn--bcher-kva.de"
  std::string unicode;       // U-label form: "bücher.de"
  std::u32string subdomain;  // labels left of the registrable label, "" when none
  std::u32string label;      // registrable label: U"bücher"
  std::string suffix;        // public suffix in U-label form: "de", "co.uk"

  // Subdomain and label joined, the part that fuzzers rewrite: U"mail.contoso".
  std::u32string host() const;
};

// Thrown for a value that is not a usable domain name; what() names the value,
// the reason and the fix.
class InvalidDomainError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses a domain such as "contoso.com", "Mail.Contoso.co.uk." or "bücher.de":
// lower-cases and normalises it with UTS #46, drops one trailing dot and finds
// the public suffix. Throws InvalidDomainError.
DomainName ParseDomainName(std::string_view input, const PublicSuffixList& suffixes);

}  // namespace lookalikes

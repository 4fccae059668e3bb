// Domain-name conversions between Unicode (U-label) and ASCII (A-label,
// "xn--" Punycode) forms, using ICU's UTS #46 implementation. It applies the
// checks that registries apply: STD3 host-name characters, hyphen placement,
// Bidi and CONTEXTJ/CONTEXTO rules. Processing is nontransitional, so "ß"
// stays "ß", as IDNA 2008 requires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lookalikes {

struct IdnaResult {
  std::string name;
  // UIDNA_ERROR_* bits from <unicode/uidna.h>; 0 when the conversion passed
  // every check.
  uint32_t errors = 0;

  bool ok() const { return errors == 0; }
};

// Converts a domain name to its ASCII form, lower-casing and normalising it.
IdnaResult ToAsciiDomain(std::string_view domain);

// Converts a domain name to its Unicode form.
IdnaResult ToUnicodeDomain(std::string_view domain);

// Describes UIDNA_ERROR_* bits in words, e.g. "a label starts with a hyphen".
std::string DescribeIdnaErrors(uint32_t errors);

}  // namespace lookalikes

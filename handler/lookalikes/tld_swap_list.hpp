// The public suffixes that the tld-swap fuzzer tries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lookalikes {

// Parses a suffix list: one suffix per line ("com", "co.uk", "рф"), blank
// lines and '#' comments ignored. Returns the suffixes in lower-case U-label
// form, without duplicates. Throws std::invalid_argument naming `source` and
// the line of an invalid entry.
std::vector<std::string> ParseSuffixList(std::string_view text, std::string_view source);

// The list compiled in from data/tld-swap.txt.
const std::vector<std::string>& BundledTldSwapList();

}  // namespace lookalikes

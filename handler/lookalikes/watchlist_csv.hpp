// The LookalikeDomains watchlist file that Microsoft Sentinel imports.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lookalikes {

// Column names of the watchlist, in order. "Domain" is the search key.
inline constexpr std::string_view kWatchlistHeader = "Domain,UnicodeDomain,Fuzzer,OriginalDomain,Confusable";

// Separates several fuzzers or original domains within one field.
inline constexpr char kListSeparator = ';';

// One look-alike domain, merged over every fuzzer and protected domain that
// produced it.
struct WatchlistRow {
  std::string domain;          // A-label form, the watchlist's search key
  std::string unicode_domain;  // U-label form; equal to `domain` for ASCII names
  std::vector<std::string> fuzzers;
  std::vector<std::string> original_domains;  // A-label form
  bool confusable = false;
};

// Writes the header and one line per row, as RFC 4180 CSV with CRLF line
// ends. Fields that contain a comma, quote or line break are quoted.
void WriteWatchlistCsv(std::ostream& out, std::span<const WatchlistRow> rows);

// Quotes a field when RFC 4180 requires it.
std::string CsvField(std::string_view value);

}  // namespace lookalikes

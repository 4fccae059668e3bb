#include "watchlist_csv.hpp"

namespace lookalikes {
namespace {

std::string JoinList(const std::vector<std::string>& values) {
  std::string joined;
  for (const std::string& value : values) {
    if (!joined.empty()) joined += kListSeparator;
    joined += value;
  }
  return joined;
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);

  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void WriteWatchlistCsv(std::ostream& out, std::span<const WatchlistRow> rows) {
  out << kWatchlistHeader << "\r\n";
  for (const WatchlistRow& row : rows) {
    out << CsvField(row.domain) << ',' << CsvField(row.unicode_domain) << ','
        << CsvField(JoinList(row.fuzzers)) << ',' << CsvField(JoinList(row.original_domains)) << ','
        << (row.confusable ? "true" : "false") << "\r\n";
  }
}

}  // namespace lookalikes

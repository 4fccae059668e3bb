#include "tld_swap_list.hpp"

#include <algorithm>
#include <stdexcept>

#include "idna.hpp"

namespace lookalikes {

extern const std::string_view kBundledTldSwapList;

std::vector<std::string> ParseSuffixList(std::string_view text, std::string_view source) {
  std::vector<std::string> suffixes;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end_of_line = text.find('\n');
    std::string_view line = text.substr(0, end_of_line);
    text.remove_prefix(end_of_line == std::string_view::npos ? text.size() : end_of_line + 1);

    line = line.substr(0, line.find('#'));
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);

    const IdnaResult ascii = ToAsciiDomain(line);
    const IdnaResult unicode = ascii.ok() ? ToUnicodeDomain(ascii.name) : ascii;
    if (!ascii.ok() || !unicode.ok() || line.starts_with('.') || line.ends_with('.')) {
      const std::string reason = ascii.ok() && unicode.ok() ? "a suffix has no leading or trailing dot"
                                                            : DescribeIdnaErrors(ascii.errors | unicode.errors);
      throw std::invalid_argument(std::string(source) + ":" + std::to_string(line_number) +
                                  ": invalid suffix '" + std::string(line) + "': " + reason +
                                  ". Write one suffix per line, such as com or co.uk.");
    }
    if (std::find(suffixes.begin(), suffixes.end(), unicode.name) == suffixes.end()) {
      suffixes.push_back(unicode.name);
    }
  }
  return suffixes;
}

const std::vector<std::string>& BundledTldSwapList() {
  static const std::vector<std::string> suffixes = ParseSuffixList(kBundledTldSwapList, "data/tld-swap.txt");
  return suffixes;
}

}  // namespace lookalikes

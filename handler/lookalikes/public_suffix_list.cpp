#include "public_suffix_list.hpp"

#include <algorithm>

namespace lookalikes {

extern const std::string_view kBundledPublicSuffixList;

namespace {

std::string JoinTrailingLabels(std::span<const std::string> labels, std::size_t count) {
  std::string joined;
  for (std::size_t i = labels.size() - count; i < labels.size(); ++i) {
    if (!joined.empty()) joined += '.';
    joined += labels[i];
  }
  return joined;
}

}  // namespace

PublicSuffixList PublicSuffixList::Parse(std::string_view text) {
  PublicSuffixList list;
  while (!text.empty()) {
    const std::size_t end_of_line = text.find('\n');
    std::string_view line = text.substr(0, end_of_line);
    text.remove_prefix(end_of_line == std::string_view::npos ? text.size() : end_of_line + 1);

    // A rule is the first whitespace-delimited word of its line.
    const std::size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) continue;
    line.remove_prefix(start);
    line = line.substr(0, line.find_first_of(" \t\r"));
    if (line.starts_with("//")) continue;

    if (line.starts_with('!')) {
      list.exceptions_.emplace(line.substr(1));
    } else if (line.starts_with("*.")) {
      list.wildcard_parents_.emplace(line.substr(2));
    } else {
      list.rules_.emplace(line);
    }
  }
  return list;
}

const PublicSuffixList& PublicSuffixList::Bundled() {
  static const PublicSuffixList list = Parse(kBundledPublicSuffixList);
  return list;
}

std::size_t PublicSuffixList::SuffixLabelCount(std::span<const std::string> labels) const {
  // Every rule that matches is considered; the longest wins, except that an
  // exception rule always wins and makes its parent the suffix.
  std::size_t longest = labels.empty() ? 0 : 1;
  for (std::size_t count = 1; count <= labels.size(); ++count) {
    const std::string candidate = JoinTrailingLabels(labels, count);
    if (exceptions_.contains(candidate)) {
      return count - 1;
    }
    if (rules_.contains(candidate)) {
      longest = std::max(longest, count);
    }
    if (count >= 2 && wildcard_parents_.contains(JoinTrailingLabels(labels, count - 1))) {
      longest = std::max(longest, count);
    }
  }
  return longest;
}

}  // namespace lookalikes

#include "domain_name.hpp"

#include <vector>

#include "idna.hpp"
#include "unicode_text.hpp"

namespace lookalikes {
namespace {

std::vector<std::string> SplitLabels(std::string_view name) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    labels.emplace_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels;
}

std::string JoinLabels(const std::vector<std::string>& labels, std::size_t first, std::size_t last) {
  std::string joined;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) joined += '.';
    joined += labels[i];
  }
  return joined;
}

[[noreturn]] void Reject(std::string_view input, std::string_view reason, std::string_view fix) {
  throw InvalidDomainError("invalid domain '" + std::string(input) + "': " + std::string(reason) +
                           ". " + std::string(fix));
}

constexpr std::string_view kBareDomainFix = "Pass a bare domain name such as contoso.com.";

}  // namespace

std::u32string DomainName::host() const {
  return subdomain.empty() ? label : subdomain + U'.' + label;
}

DomainName ParseDomainName(std::string_view input, const PublicSuffixList& suffixes) {
  if (input.empty()) {
    Reject(input, "the name is empty", kBareDomainFix);
  }
  if (input.find('@') != std::string_view::npos) {
    Reject(input, "it is an e-mail address", "Pass only the part after '@'.");
  }
  if (input.find("://") != std::string_view::npos || input.find('/') != std::string_view::npos) {
    Reject(input, "it is a URL, not a domain name", kBareDomainFix);
  }

  std::string_view name = input;
  if (name.ends_with('.')) name.remove_suffix(1);

  const IdnaResult ascii = ToAsciiDomain(name);
  if (!ascii.ok()) {
    Reject(input, DescribeIdnaErrors(ascii.errors), kBareDomainFix);
  }
  const IdnaResult unicode = ToUnicodeDomain(ascii.name);
  if (!unicode.ok()) {
    Reject(input, DescribeIdnaErrors(unicode.errors), kBareDomainFix);
  }

  const std::vector<std::string> labels = SplitLabels(unicode.name);
  if (labels.size() < 2) {
    Reject(input, "it has a single label", "Pass a registered domain with its suffix, such as contoso.com.");
  }
  if (labels.back().find_first_not_of("0123456789") == std::string::npos) {
    Reject(input, "it is an IP address or ends in a numeric label", kBareDomainFix);
  }
  const std::size_t suffix_labels = suffixes.SuffixLabelCount(labels);
  if (suffix_labels >= labels.size()) {
    Reject(input, "it is a public suffix, under which others register domains",
           "Pass a domain registered under it, such as contoso." + unicode.name + ".");
  }

  DomainName domain;
  domain.ascii = ascii.name;
  domain.unicode = unicode.name;
  const std::size_t label_index = labels.size() - suffix_labels - 1;
  domain.subdomain = DecodeUtf8(JoinLabels(labels, 0, label_index));
  domain.label = DecodeUtf8(labels[label_index]);
  domain.suffix = JoinLabels(labels, label_index + 1, labels.size());
  return domain;
}

}  // namespace lookalikes

// Fuzzers that change the public suffix or glue it into the label.
#include <algorithm>

#include "fuzzers.hpp"
#include "unicode_text.hpp"

namespace lookalikes {
namespace {

std::u32string WithoutDots(std::u32string_view text) {
  std::u32string result(text);
  std::erase(result, U'.');
  return result;
}

std::u32string DotsToHyphens(std::u32string_view text) {
  std::u32string result(text);
  std::replace(result.begin(), result.end(), U'.', U'-');
  return result;
}

}  // namespace

std::vector<Candidate> FuzzTldSwap(const FuzzInput& input) {
  const DomainName& domain = input.domain;
  std::vector<Candidate> candidates;
  for (const std::string& suffix : input.swap_suffixes) {
    if (suffix == domain.suffix) continue;
    candidates.push_back(Candidate{domain.host(), suffix});
  }
  return candidates;
}

std::vector<Candidate> FuzzVarious(const FuzzInput& input) {
  // The cases of dnstwist 20250130's "various" fuzzer, which include those of
  // 20221213. For contoso.co.uk: contoso.uk and contosoco.uk. For contoso.de:
  // contosode.de, contoso-de.com and contosode.com. For contoso.com:
  // contosocom.com. With a subdomain (mail.contoso.com) also mailcontoso.com
  // and mail-contoso.com.
  const DomainName& domain = input.domain;
  const std::u32string suffix = DecodeUtf8(domain.suffix);
  const std::u32string& label = domain.label;
  const std::u32string& subdomain = domain.subdomain;
  const auto prefixed = [&subdomain](std::u32string host) {
    return subdomain.empty() ? host : subdomain + U'.' + host;
  };

  std::vector<Candidate> candidates;
  const std::size_t first_dot = suffix.find(U'.');
  if (first_dot != std::u32string::npos) {
    const std::size_t last_dot = suffix.rfind(U'.');
    candidates.push_back({prefixed(label), EncodeUtf8(suffix.substr(last_dot + 1))});
    candidates.push_back({prefixed(label + suffix.substr(0, first_dot)),
                          EncodeUtf8(suffix.substr(first_dot + 1))});
  } else {
    candidates.push_back({prefixed(label + suffix), domain.suffix});
    if (domain.suffix != "com") {
      candidates.push_back({prefixed(label + U'-' + suffix), "com"});
      candidates.push_back({prefixed(label + suffix), "com"});
    }
  }

  if (!subdomain.empty()) {
    candidates.push_back({subdomain + label, domain.suffix});
    candidates.push_back({WithoutDots(subdomain) + label, domain.suffix});
    candidates.push_back({subdomain + U'-' + label, domain.suffix});
    candidates.push_back({DotsToHyphens(subdomain) + U'-' + label, domain.suffix});
  }
  return candidates;
}

}  // namespace lookalikes

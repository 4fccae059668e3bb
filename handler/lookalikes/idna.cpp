#include "idna.hpp"

#include <unicode/uidna.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lookalikes {
namespace {

struct UidnaCloser {
  void operator()(UIDNA* idna) const { uidna_close(idna); }
};

// The UTS #46 object is immutable once opened, so one instance serves every
// call, from any thread.
const UIDNA& Uts46() {
  static const std::unique_ptr<UIDNA, UidnaCloser> instance = [] {
    constexpr uint32_t kOptions = UIDNA_USE_STD3_RULES | UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
                                  UIDNA_CHECK_CONTEXTO | UIDNA_NONTRANSITIONAL_TO_ASCII |
                                  UIDNA_NONTRANSITIONAL_TO_UNICODE;
    UErrorCode status = U_ZERO_ERROR;
    UIDNA* opened = uidna_openUTS46(kOptions, &status);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU uidna_openUTS46 failed: ") + u_errorName(status));
    }
    return std::unique_ptr<UIDNA, UidnaCloser>(opened);
  }();
  return *instance;
}

using Uts46Function = int32_t (*)(const UIDNA*, const char*, int32_t, char*, int32_t, UIDNAInfo*,
                                  UErrorCode*);

IdnaResult Convert(Uts46Function convert, std::string_view domain) {
  // Converted names grow at most a few times the input; one retry covers the
  // rare longer case that ICU reports as U_BUFFER_OVERFLOW_ERROR.
  std::vector<char> buffer(domain.size() * 4 + 64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = convert(&Uts46(), domain.data(), static_cast<int32_t>(domain.size()),
                                   buffer.data(), static_cast<int32_t>(buffer.size()), &info, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      buffer.resize(static_cast<std::size_t>(length) + 1);
      continue;
    }
    if (U_FAILURE(status)) {
      // Only ill-formed UTF-8 or an internal ICU failure ends up here; report
      // it as a disallowed character, which is what the caller can fix.
      return {std::string(domain), UIDNA_ERROR_DISALLOWED};
    }
    return {std::string(buffer.data(), static_cast<std::size_t>(length)), info.errors};
  }
  return {std::string(domain), UIDNA_ERROR_DOMAIN_NAME_TOO_LONG};
}

}  // namespace

IdnaResult ToAsciiDomain(std::string_view domain) {
  return Convert(&uidna_nameToASCII_UTF8, domain);
}

IdnaResult ToUnicodeDomain(std::string_view domain) {
  return Convert(&uidna_nameToUnicodeUTF8, domain);
}

std::string DescribeIdnaErrors(uint32_t errors) {
  static const std::pair<uint32_t, const char*> kDescriptions[] = {
      {UIDNA_ERROR_EMPTY_LABEL, "a label is empty (two dots in a row, or a leading dot)"},
      {UIDNA_ERROR_LABEL_TOO_LONG, "a label is longer than 63 bytes"},
      {UIDNA_ERROR_DOMAIN_NAME_TOO_LONG, "the name is longer than 253 bytes"},
      {UIDNA_ERROR_LEADING_HYPHEN, "a label starts with a hyphen"},
      {UIDNA_ERROR_TRAILING_HYPHEN, "a label ends with a hyphen"},
      {UIDNA_ERROR_HYPHEN_3_4,
       "a label has hyphens in the third and fourth positions, which are reserved for "
       "encodings such as xn--"},
      {UIDNA_ERROR_LEADING_COMBINING_MARK, "a label starts with a combining mark"},
      {UIDNA_ERROR_DISALLOWED,
       "it contains a character that is not allowed in a host name (letters, digits and "
       "hyphens only)"},
      {UIDNA_ERROR_PUNYCODE, "an xn-- label is not valid Punycode"},
      {UIDNA_ERROR_LABEL_HAS_DOT, "a label contains a dot"},
      {UIDNA_ERROR_INVALID_ACE_LABEL, "an xn-- label does not decode to a valid IDN label"},
      {UIDNA_ERROR_BIDI, "a label breaks the IDNA Bidi rule"},
      {UIDNA_ERROR_CONTEXTJ, "a zero-width joiner or non-joiner is used out of context"},
      {UIDNA_ERROR_CONTEXTO_PUNCTUATION, "a punctuation character is used out of context"},
      {UIDNA_ERROR_CONTEXTO_DIGITS, "it mixes Arabic-Indic and extended Arabic-Indic digits"},
  };

  std::string text;
  for (const auto& [bit, description] : kDescriptions) {
    if ((errors & bit) == 0) continue;
    if (!text.empty()) text += "; ";
    text += description;
  }
  return text.empty() ? "it is not a valid internationalised domain name" : text;
}

}  // namespace lookalikes

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain_name.hpp"
#include "idna.hpp"
#include "public_suffix_list.hpp"
#include "unicode_text.hpp"

namespace lookalikes {
namespace {

std::string ParseError(std::string_view input) {
  try {
    ParseDomainName(input, PublicSuffixList::Bundled());
  } catch (const InvalidDomainError& error) {
    return error.what();
  }
  return "";
}

TEST(Idna, PunycodeOfGermanIdns) {
  // Expected A-labels (RFC 3492 Punycode), as the .de registry lists them.
  EXPECT_EQ(ToAsciiDomain("bücher.de").name, "xn--bcher-kva.de");
  EXPECT_EQ(ToAsciiDomain("münchen.de").name, "xn--mnchen-3ya.de");
  EXPECT_EQ(ToUnicodeDomain("xn--mnchen-3ya.de").name, "münchen.de");
}

TEST(Idna, KeepsSharpSNontransitional) {
  // IDNA 2008 keeps "ß"; the IDNA 2003 mapping would give "strasse.de".
  EXPECT_EQ(ToAsciiDomain("straße.de").name, "xn--strae-oqa.de");
}

TEST(Idna, RejectsUnderscoreAndLeadingHyphen) {
  EXPECT_FALSE(ToAsciiDomain("con_toso.com").ok());
  EXPECT_FALSE(ToAsciiDomain("-contoso.com").ok());
  EXPECT_FALSE(ToAsciiDomain("co--ntoso.com").ok());
}

TEST(ParseDomainName, SplitsSubdomainLabelAndSuffix) {
  const DomainName domain = ParseDomainName("Mail.Contoso.CO.UK.", PublicSuffixList::Bundled());
  EXPECT_EQ(domain.ascii, "mail.contoso.co.uk");
  EXPECT_EQ(domain.unicode, "mail.contoso.co.uk");
  EXPECT_EQ(domain.subdomain, U"mail");
  EXPECT_EQ(domain.label, U"contoso");
  EXPECT_EQ(domain.suffix, "co.uk");
  EXPECT_EQ(domain.host(), U"mail.contoso");
}

TEST(ParseDomainName, DecodesIdnLabel) {
  const DomainName domain = ParseDomainName("xn--bcher-kva.de", PublicSuffixList::Bundled());
  EXPECT_EQ(domain.ascii, "xn--bcher-kva.de");
  EXPECT_EQ(domain.unicode, "bücher.de");
  EXPECT_EQ(domain.label, U"bücher");
  EXPECT_EQ(domain.suffix, "de");
}

TEST(ParseDomainName, RejectsSpaceNamingValueAndFix) {
  const std::string message = ParseError("exa mple.com");
  EXPECT_NE(message.find("invalid domain 'exa mple.com'"), std::string::npos) << message;
  EXPECT_NE(message.find("not allowed in a host name"), std::string::npos) << message;
  EXPECT_NE(message.find("such as contoso.com"), std::string::npos) << message;
}

TEST(ParseDomainName, RejectsPublicSuffix) {
  const std::string message = ParseError("co.uk");
  EXPECT_NE(message.find("public suffix"), std::string::npos) << message;
  EXPECT_NE(message.find("contoso.co.uk"), std::string::npos) << message;
}

TEST(ParseDomainName, RejectsOtherInvalidInput) {
  EXPECT_NE(ParseError("").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("user@contoso.com").find("after '@'"), std::string::npos);
  EXPECT_NE(ParseError("https://contoso.com/").find("URL"), std::string::npos);
  EXPECT_NE(ParseError("localhost").find("single label"), std::string::npos);
  EXPECT_NE(ParseError("10.0.0.1").find("IP address"), std::string::npos);
  EXPECT_NE(ParseError("-contoso.com").find("starts with a hyphen"), std::string::npos);
}

TEST(PublicSuffixList, AppliesWildcardAndExceptionRules) {
  const PublicSuffixList list = PublicSuffixList::Parse(
      "// comment\n"
      "uk\n"
      "co.uk\n"
      "*.ck\n"
      "!www.ck\n");
  const auto count = [&list](std::vector<std::string> labels) { return list.SuffixLabelCount(labels); };
  EXPECT_EQ(count({"contoso", "co", "uk"}), 2U);
  EXPECT_EQ(count({"contoso", "uk"}), 1U);
  EXPECT_EQ(count({"contoso", "gov", "ck"}), 2U);
  EXPECT_EQ(count({"www", "ck"}), 1U);
  EXPECT_EQ(count({"contoso", "example"}), 1U);
}

TEST(PublicSuffixList, BundledListKnowsCommonSuffixes) {
  const PublicSuffixList& list = PublicSuffixList::Bundled();
  EXPECT_GT(list.rule_count(), 5000U);
  EXPECT_EQ(list.SuffixLabelCount(std::vector<std::string>{"contoso", "com", "au"}), 2U);
  EXPECT_EQ(list.SuffixLabelCount(std::vector<std::string>{"contoso", "de"}), 1U);
}

}  // namespace
}  // namespace lookalikes

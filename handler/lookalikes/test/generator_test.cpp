#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "domain_name.hpp"
#include "permutation_generator.hpp"
#include "public_suffix_list.hpp"

namespace lookalikes {
namespace {

std::vector<Permutation> Generate(std::string_view domain, std::string_view fuzzer,
                                  bool ignore_registry_idn_rules = false) {
  GeneratorOptions options;
  options.fuzzers = {FindFuzzer(fuzzer)};
  options.swap_suffixes = {"com", "de", "co.uk", "fi"};
  options.ignore_registry_idn_rules = ignore_registry_idn_rules;
  return GeneratePermutations(ParseDomainName(domain, PublicSuffixList::Bundled()), options);
}

std::size_t CountIdn(const std::vector<Permutation>& permutations) {
  return static_cast<std::size_t>(std::count_if(permutations.begin(), permutations.end(), [](const Permutation& p) {
    return p.domain.find("xn--") != std::string::npos;
  }));
}

const Permutation* Find(const std::vector<Permutation>& permutations, std::string_view domain) {
  const auto found = std::find_if(permutations.begin(), permutations.end(),
                                  [domain](const Permutation& p) { return p.domain == domain; });
  return found == permutations.end() ? nullptr : &*found;
}

TEST(IdnRules, CoUkGetsNoIdnHomoglyphs) {
  const std::vector<Permutation> permutations = Generate("contoso.co.uk", "homoglyph");
  EXPECT_FALSE(permutations.empty());
  EXPECT_EQ(CountIdn(permutations), 0U);
  EXPECT_NE(Find(permutations, "c0ntoso.co.uk"), nullptr);

  EXPECT_GT(CountIdn(Generate("contoso.co.uk", "homoglyph", true)), 1000U);
}

TEST(IdnRules, DeKeepsOnlyDenicCharacters) {
  const std::vector<Permutation> permutations = Generate("contoso.de", "homoglyph");
  EXPECT_NE(Find(permutations, "xn--cntoso-wxa.de"), nullptr);  // cöntoso.de
  for (const Permutation& permutation : permutations) {
    EXPECT_EQ(permutation.unicode_domain.find("ᴏ"), std::string::npos) << permutation.unicode_domain;
  }
  const std::vector<Permutation> unrestricted = Generate("contoso.com", "homoglyph");
  EXPECT_NE(Find(unrestricted, "xn--cntoso-i15b.com"), nullptr);  // cᴏntoso.com
}

TEST(IdnRules, TldSwapKeepsIdnLabelOnlyWhereAccepted) {
  const std::vector<Permutation> permutations = Generate("bücher.de", "tld-swap");
  EXPECT_NE(Find(permutations, "xn--bcher-kva.com"), nullptr);
  EXPECT_NE(Find(permutations, "xn--bcher-kva.fi"), nullptr);
  EXPECT_EQ(Find(permutations, "xn--bcher-kva.co.uk"), nullptr);
}

TEST(Generator, ReturnsBothFormsAndNeverTheOriginal) {
  const std::vector<Permutation> permutations = Generate("bücher.de", "omission");
  const Permutation* dropped = Find(permutations, "xn--bcer-0ra.de");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->unicode_domain, "bücer.de");
  EXPECT_EQ(dropped->fuzzer, "omission");
  EXPECT_EQ(Find(permutations, "xn--bcher-kva.de"), nullptr);
  EXPECT_NE(Find(permutations, "bcher.de"), nullptr);
}

TEST(Generator, DropsInvalidHostNames) {
  // m (0x6d) flips to '-' (0x2d), and a label may not start or end with a
  // hyphen.
  for (const Permutation& permutation : Generate("mb.com", "bitsquatting")) {
    EXPECT_FALSE(permutation.domain.starts_with('-')) << permutation.domain;
    EXPECT_EQ(permutation.domain.find("-."), std::string::npos) << permutation.domain;
  }
}

TEST(Generator, SortsAndDeduplicates) {
  const std::vector<Permutation> permutations = Generate("contoso.com", "homoglyph");
  EXPECT_TRUE(std::is_sorted(permutations.begin(), permutations.end(),
                             [](const Permutation& a, const Permutation& b) { return a.domain < b.domain; }));
  EXPECT_EQ(std::adjacent_find(permutations.begin(), permutations.end(),
                               [](const Permutation& a, const Permutation& b) { return a.domain == b.domain; }),
            permutations.end());
}

TEST(Confusables, MarksSkeletonEqualPermutations) {
  const std::vector<Permutation> cyrillic = Generate("cocoa.com", "cyrillic");
  ASSERT_EQ(cyrillic.size(), 1U);
  EXPECT_EQ(cyrillic.front().unicode_domain, "сосоа.com");
  EXPECT_TRUE(cyrillic.front().confusable);

  const std::vector<Permutation> homoglyphs = Generate("microsoft.com", "homoglyph");
  const Permutation* rn = Find(homoglyphs, "rnicrosoft.com");
  ASSERT_NE(rn, nullptr);
  EXPECT_TRUE(rn->confusable);

  const std::vector<Permutation> omissions = Generate("cocoa.com", "omission");
  const Permutation* typo = Find(omissions, "coca.com");
  ASSERT_NE(typo, nullptr);
  EXPECT_FALSE(typo->confusable);
}

}  // namespace
}  // namespace lookalikes

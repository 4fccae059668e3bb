#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "domain_name.hpp"
#include "fuzzers.hpp"
#include "public_suffix_list.hpp"
#include "unicode_text.hpp"

namespace lookalikes {
namespace {

// Runs one fuzzer and returns its raw candidates as "host.suffix" strings.
std::set<std::string> Fuzz(FuzzerFunction fuzzer, std::string_view domain,
                           std::vector<std::string> swap_suffixes = {}) {
  const DomainName parsed = ParseDomainName(domain, PublicSuffixList::Bundled());
  const FuzzInput input{parsed, swap_suffixes};
  std::set<std::string> names;
  for (const Candidate& candidate : fuzzer(input)) {
    names.insert(EncodeUtf8(candidate.host) + "." + candidate.suffix);
  }
  return names;
}

using Names = std::set<std::string>;

TEST(Bitsquatting, FlipsEachBitOfShortLabel) {
  // a = 0x61 flips to c, e, i, q; b = 0x62 flips to c, f, j, r. Other flips
  // leave [a-z0-9-].
  EXPECT_EQ(Fuzz(&FuzzBitsquatting, "ab.com"),
            (Names{"cb.com", "eb.com", "ib.com", "qb.com", "ac.com", "af.com", "aj.com", "ar.com"}));
}

TEST(Addition, AppendsAndInsertsBeforeHyphen) {
  const Names names = Fuzz(&FuzzAddition, "ab-c.com");
  EXPECT_EQ(names.size(), 72U);
  EXPECT_TRUE(names.contains("ab-c7.com"));
  EXPECT_TRUE(names.contains("abx-c.com"));
}

TEST(Omission, DropsEachCharacter) {
  EXPECT_EQ(Fuzz(&FuzzOmission, "abc.com"), (Names{"bc.com", "ac.com", "ab.com"}));
}

TEST(Transposition, SwapsAdjacentPairs) {
  EXPECT_EQ(Fuzz(&FuzzTransposition, "abc.com"), (Names{"bac.com", "acb.com"}));
}

TEST(Repetition, DoublesEachCharacter) {
  EXPECT_EQ(Fuzz(&FuzzRepetition, "ab.com"), (Names{"aab.com", "abb.com"}));
}

TEST(Hyphenation, InsertsInnerHyphens) {
  EXPECT_EQ(Fuzz(&FuzzHyphenation, "abc.com"), (Names{"a-bc.com", "ab-c.com"}));
}

TEST(Subdomain, InsertsDotsAwayFromHyphens) {
  EXPECT_EQ(Fuzz(&FuzzSubdomain, "abcd.com"), (Names{"a.bcd.com", "ab.cd.com"}));
  EXPECT_EQ(Fuzz(&FuzzSubdomain, "ab-cd.com"), (Names{"a.b-cd.com"}));
}

TEST(VowelSwap, ReplacesVowelsWithOtherVowels) {
  EXPECT_EQ(Fuzz(&FuzzVowelSwap, "bad.com"), (Names{"bed.com", "bid.com", "bod.com", "bud.com"}));
}

TEST(Plural, InsertsSOrEsInside) {
  EXPECT_EQ(Fuzz(&FuzzPlural, "contoso.com"), (Names{"constoso.com", "contsoso.com", "contosso.com"}));
  EXPECT_EQ(Fuzz(&FuzzPlural, "boxes.com"), (Names{"boxeses.com"}));
}

TEST(Insertion, IncludesFirstCharacterNeighbours) {
  const Names names = Fuzz(&FuzzInsertion, "ab.com");
  EXPECT_TRUE(names.contains("qab.com"));  // q is next to a on QWERTY
  EXPECT_TRUE(names.contains("aqb.com"));
  EXPECT_FALSE(names.contains("abg.com"));  // nothing after the last character
}

TEST(Replacement, UsesAllThreeLayouts) {
  const Names names = Fuzz(&FuzzReplacement, "y.com");
  EXPECT_TRUE(names.contains("t.com"));  // QWERTY neighbour
  EXPECT_TRUE(names.contains("a.com"));  // QWERTZ: y is next to a
}

TEST(Cyrillic, ConvertsWholeLabelOrNothing) {
  EXPECT_EQ(Fuzz(&FuzzCyrillic, "ok-1.com"), (Names{"ок-1.com"}));
  EXPECT_TRUE(Fuzz(&FuzzCyrillic, "contoso.com").empty());  // n has no twin
}

TEST(Homoglyph, CoversSinglePairAndTwoRounds) {
  const Names names = Fuzz(&FuzzHomoglyph, "modern.com");
  EXPECT_TRUE(names.contains("rnodern.com"));  // m -> rn
  EXPECT_TRUE(names.contains("modem.com"));    // rn -> m
  EXPECT_TRUE(names.contains("m0dern.com"));   // one substitution
  EXPECT_TRUE(names.contains("m0dcrn.com"));   // two substitutions
  EXPECT_TRUE(names.contains("mödern.com"));   // Unicode look-alike
}

TEST(Homoglyph, ReplacesRunsOfRepeatedCharacter) {
  // dnstwist 20221213 replaces every o inside a window in one step, so two
  // steps can reach three changed characters.
  const Names names = Fuzz(&FuzzHomoglyph, "gooogle.com");
  EXPECT_TRUE(names.contains("g000gle.com"));
}

TEST(TldSwap, SkipsOwnSuffix) {
  EXPECT_EQ(Fuzz(&FuzzTldSwap, "mail.contoso.com", {"com", "net", "co.uk"}),
            (Names{"mail.contoso.net", "mail.contoso.co.uk"}));
}

TEST(Various, GluesSuffixIntoLabel) {
  EXPECT_EQ(Fuzz(&FuzzVarious, "contoso.com"), (Names{"contosocom.com"}));
  EXPECT_EQ(Fuzz(&FuzzVarious, "contoso.de"), (Names{"contosode.de", "contoso-de.com", "contosode.com"}));
  EXPECT_EQ(Fuzz(&FuzzVarious, "contoso.co.uk"), (Names{"contoso.uk", "contosoco.uk"}));
  EXPECT_EQ(Fuzz(&FuzzVarious, "a.b.contoso.com"),
            (Names{"a.b.contosocom.com", "a.bcontoso.com", "abcontoso.com", "a.b-contoso.com", "a-b-contoso.com"}));
}

TEST(FuzzerRegistry, FindsEveryFuzzerByName) {
  for (const Fuzzer& fuzzer : AllFuzzers()) {
    EXPECT_EQ(FindFuzzer(fuzzer.name), &fuzzer);
  }
  EXPECT_EQ(AllFuzzers().size(), 15U);
  EXPECT_EQ(FindFuzzer("dictionary"), nullptr);
}

}  // namespace
}  // namespace lookalikes

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lookalikes_command.hpp"
#include "tld_swap_list.hpp"

namespace lookalikes {
namespace {

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

CommandResult RunCommand(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code = RunLookalikesCommand(args, out, err);
  return {exit_code, out.str(), err.str()};
}

std::filesystem::path TempPath(std::string_view name) {
  return std::filesystem::temp_directory_path() /
         (std::string("lookalikes_test_") + std::to_string(::getpid()) + "_" + std::string(name));
}

TEST(LookalikesCommand, MissingDomainIsUsageError) {
  const CommandResult result = RunCommand({});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("missing DOMAIN"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST(LookalikesCommand, HelpListsOptions) {
  const CommandResult result = RunCommand({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("Usage: handler lookalikes"), std::string::npos);
  EXPECT_NE(result.out.find("--fuzzers LIST"), std::string::npos);
  EXPECT_NE(result.out.find("tld-swap"), std::string::npos);
}

TEST(LookalikesCommand, InvalidDomainNamesEachValue) {
  const CommandResult result = RunCommand({"contoso.com", "exa mple.com", "co.uk"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'exa mple.com'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'co.uk'"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST(LookalikesCommand, UnknownFuzzerListsChoices) {
  const CommandResult result = RunCommand({"--fuzzers", "bitsquatting,typo", "contoso.com"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown fuzzer 'typo'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("vowel-swap"), std::string::npos) << result.err;
}

TEST(LookalikesCommand, UnknownOptionIsUsageError) {
  const CommandResult result = RunCommand({"--format", "json", "contoso.com"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown option '--format'"), std::string::npos) << result.err;
}

TEST(LookalikesCommand, WritesWatchlistCsv) {
  const CommandResult result = RunCommand({"--fuzzers=bitsquatting,replacement", "ab.com"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.starts_with("Domain,UnicodeDomain,Fuzzer,OriginalDomain,Confusable\r\n"));
  // q is a bit flip of a and its neighbour on QWERTY: one row, both fuzzers.
  EXPECT_NE(result.out.find("\r\nqb.com,qb.com,bitsquatting;replacement,ab.com,false\r\n"), std::string::npos)
      << result.out;
  EXPECT_NE(result.err.find("wrote"), std::string::npos);
}

TEST(LookalikesCommand, LeavesOutOtherProtectedDomains) {
  const CommandResult result = RunCommand({"--fuzzers", "tld-swap", "contoso.com", "contoso.de"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find("\r\ncontoso.de,"), std::string::npos);
  EXPECT_EQ(result.out.find("\r\ncontoso.com,"), std::string::npos);
  EXPECT_NE(result.out.find("\r\ncontoso.net,contoso.net,tld-swap,contoso.com;contoso.de,false\r\n"),
            std::string::npos);
}

TEST(LookalikesCommand, WritesOutputFile) {
  const std::filesystem::path path = TempPath("out.csv");
  const CommandResult result = RunCommand({"--output", path.string(), "--fuzzers", "omission", "abc.com"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.empty());

  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(),
            "Domain,UnicodeDomain,Fuzzer,OriginalDomain,Confusable\r\n"
            "ab.com,ab.com,omission,abc.com,false\r\n"
            "ac.com,ac.com,omission,abc.com,false\r\n"
            "bc.com,bc.com,omission,abc.com,false\r\n");
  std::filesystem::remove(path);
}

TEST(LookalikesCommand, ReadsTldListAndRejectsBadLine) {
  const std::filesystem::path path = TempPath("tlds.txt");
  {
    std::ofstream file(path);
    file << "# test list\nnet\nco.uk\n";
  }
  const CommandResult good = RunCommand({"--tld-list", path.string(), "--fuzzers", "tld-swap", "contoso.com"});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("\r\ncontoso.co.uk,"), std::string::npos);
  EXPECT_EQ(good.out.find("\r\ncontoso.de,"), std::string::npos);

  {
    std::ofstream file(path);
    file << "net\nbad tld\n";
  }
  const CommandResult bad = RunCommand({"--tld-list", path.string(), "contoso.com"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(":2: invalid suffix 'bad tld'"), std::string::npos) << bad.err;
  std::filesystem::remove(path);
}

TEST(LookalikesCommand, MissingTldListIsFileError) {
  const CommandResult result = RunCommand({"--tld-list", "/nonexistent/tlds.txt", "contoso.com"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot read TLD list '/nonexistent/tlds.txt'"), std::string::npos) << result.err;
}

TEST(TldSwapList, BundledListIsParsed) {
  const std::vector<std::string>& suffixes = BundledTldSwapList();
  EXPECT_EQ(suffixes.size(), 55U);
  EXPECT_NE(std::find(suffixes.begin(), suffixes.end(), "com"), suffixes.end());
  EXPECT_NE(std::find(suffixes.begin(), suffixes.end(), "co.uk"), suffixes.end());
}

TEST(TldSwapList, NormalisesAndDeduplicates) {
  EXPECT_EQ(ParseSuffixList("COM\n com # again\n\nXN--P1AI\n", "test"), (std::vector<std::string>{"com", "рф"}));
  EXPECT_THROW(ParseSuffixList(".com\n", "test"), std::invalid_argument);
}

}  // namespace
}  // namespace lookalikes

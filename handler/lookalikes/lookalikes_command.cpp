#include "lookalikes_command.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "domain_name.hpp"
#include "fuzzers.hpp"
#include "permutation_generator.hpp"
#include "public_suffix_list.hpp"
#include "tld_swap_list.hpp"
#include "watchlist_csv.hpp"

namespace lookalikes {
namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFileError = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kPrefix = "lookalikes: ";

struct CommandOptions {
  std::vector<std::string> domains;
  std::optional<std::string> output_path;
  std::optional<std::string> fuzzer_list;
  std::optional<std::string> tld_list_path;
  std::optional<std::string> public_suffix_list_path;
  bool ignore_registry_idn_rules = false;
  bool help = false;
};

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Microsoft Sentinel creates a watchlist from inline CSV content (rawContent)
// only below 3.8 MB, read here as 3,800,000 bytes. Larger files go through an
// Azure Storage SAS URI, up to 500 MB (Azure CLI reference for
// `az sentinel watchlist create`).
constexpr std::size_t kWatchlistInlineLimitBytes = 3'800'000;

std::string FuzzerNames() {
  std::string names;
  for (const Fuzzer& fuzzer : AllFuzzers()) {
    if (!names.empty()) names += ',';
    names += fuzzer.name;
  }
  return names;
}

// Lists the fuzzer names, comma-separated, on lines of at most `width`
// characters that start with `indent`.
std::string WrappedFuzzerNames(std::string_view indent, std::size_t width) {
  std::string text;
  std::string line(indent);
  for (const Fuzzer& fuzzer : AllFuzzers()) {
    const bool first_on_line = line.size() == indent.size();
    if (!first_on_line && line.size() + 1 + fuzzer.name.size() + 1 > width) {
      text += line + ",\n";
      line = indent;
    } else if (!first_on_line) {
      line += ',';
    }
    line += fuzzer.name;
  }
  return text + line + "\n";
}

void PrintHelp(std::ostream& out) {
  out << "Usage: handler lookalikes [OPTIONS] DOMAIN...\n"
         "\n"
         "Writes look-alike permutations of each DOMAIN (typos, look-alike characters,\n"
         "other suffixes) as a CSV file for the Microsoft Sentinel watchlist\n"
         "LookalikeDomains. Columns: " << kWatchlistHeader << ".\n"
         "Domain is the A-label (xn--) form and the search key; UnicodeDomain is the\n"
         "U-label form; Fuzzer and OriginalDomain list, separated by '" << kListSeparator << "', every\n"
         "algorithm and protected domain that produced the row; Confusable is true when\n"
         "the row has the same Unicode UTS #39 skeleton as its original.\n"
         "\n"
         "Options:\n"
         "  -o, --output FILE            write the CSV to FILE instead of standard output\n"
         "      --fuzzers LIST           comma-separated algorithms to run (default: all):\n"
      << WrappedFuzzerNames("                               ", 80) <<
         "      --tld-list FILE          suffixes for tld-swap, one per line\n"
         "                               (default: the " << BundledTldSwapList().size() << " bundled suffixes)\n"
         "      --public-suffix-list FILE\n"
         "                               Public Suffix List used to find the registrable\n"
         "                               label (default: the copy compiled in)\n"
         "      --all-unicode-glyphs     keep Unicode permutations that the suffix's registry\n"
         "                               does not register (by default .co.uk gets none,\n"
         "                               .de only the characters DENIC accepts)\n"
         "  -h, --help                   show this help\n"
         "\n"
         "Example:\n"
         "  handler lookalikes contoso.com fabrikam.com > lookalikes.csv\n"
         "\n"
         "Exit status: 0 on success, 1 when a file cannot be read or written or ICU\n"
         "fails to load its data, 2 for invalid arguments or domains.\n";
}

// Reads the value of an option given as "--name VALUE" or "--name=VALUE".
std::string OptionValue(const std::vector<std::string>& args, std::size_t& index, std::string_view name) {
  const std::string& arg = args[index];
  if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
  if (index + 1 >= args.size()) {
    throw UsageError("option " + std::string(name) + " needs a value");
  }
  return args[++index];
}

bool IsOption(std::string_view arg, std::string_view name) {
  return arg == name || (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
}

CommandOptions ParseArguments(const std::vector<std::string>& args) {
  CommandOptions options;
  bool only_domains = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_domains || !arg.starts_with('-') || arg == "-") {
      options.domains.push_back(arg);
    } else if (arg == "--") {
      only_domains = true;
    } else if (arg == "-h" || arg == "--help") {
      options.help = true;
    } else if (arg == "-o" || IsOption(arg, "--output")) {
      options.output_path = OptionValue(args, i, arg == "-o" ? "-o" : "--output");
    } else if (IsOption(arg, "--fuzzers")) {
      options.fuzzer_list = OptionValue(args, i, "--fuzzers");
    } else if (IsOption(arg, "--tld-list")) {
      options.tld_list_path = OptionValue(args, i, "--tld-list");
    } else if (IsOption(arg, "--public-suffix-list")) {
      options.public_suffix_list_path = OptionValue(args, i, "--public-suffix-list");
    } else if (arg == "--all-unicode-glyphs") {
      options.ignore_registry_idn_rules = true;
    } else {
      throw UsageError("unknown option '" + arg + "'. Run 'handler lookalikes --help' for the options.");
    }
  }
  if (!options.help && options.domains.empty()) {
    throw UsageError("missing DOMAIN. Pass the tenant's accepted domains, e.g. "
                     "'handler lookalikes contoso.com fabrikam.com'.");
  }
  return options;
}

std::vector<const Fuzzer*> ParseFuzzerList(std::string_view list) {
  std::vector<const Fuzzer*> fuzzers;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string_view name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;

    const Fuzzer* fuzzer = FindFuzzer(name);
    if (fuzzer == nullptr) {
      throw UsageError("unknown fuzzer '" + std::string(name) + "' in --fuzzers. Choose from: " +
                       FuzzerNames() + ".");
    }
    if (std::find(fuzzers.begin(), fuzzers.end(), fuzzer) == fuzzers.end()) fuzzers.push_back(fuzzer);
  }
  if (fuzzers.empty()) {
    throw UsageError("--fuzzers is empty. Choose from: " + FuzzerNames() + ".");
  }
  return fuzzers;
}

std::string ReadFile(const std::string& path, std::string_view what) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw FileError("cannot read " + std::string(what) + " '" + path + "': " + std::strerror(errno) + ".");
  }
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

// Merges the permutations of every protected domain into one row per
// look-alike, in the order they were first produced. Permutations that are
// themselves protected domains are dropped.
std::vector<WatchlistRow> MergeRows(const std::vector<DomainName>& domains, const GeneratorOptions& options) {
  std::unordered_map<std::string, std::size_t> protected_domains;
  for (const DomainName& domain : domains) protected_domains.emplace(domain.ascii, 0);

  std::vector<WatchlistRow> rows;
  std::unordered_map<std::string, std::size_t> row_index;
  for (const DomainName& domain : domains) {
    for (const Permutation& permutation : GeneratePermutations(domain, options)) {
      if (protected_domains.contains(permutation.domain)) continue;

      const auto [found, inserted] = row_index.emplace(permutation.domain, rows.size());
      if (inserted) {
        rows.push_back(WatchlistRow{permutation.domain, permutation.unicode_domain, {}, {}, false});
      }
      WatchlistRow& row = rows[found->second];
      const std::string fuzzer(permutation.fuzzer);
      if (std::find(row.fuzzers.begin(), row.fuzzers.end(), fuzzer) == row.fuzzers.end()) {
        row.fuzzers.push_back(fuzzer);
      }
      if (std::find(row.original_domains.begin(), row.original_domains.end(), domain.ascii) ==
          row.original_domains.end()) {
        row.original_domains.push_back(domain.ascii);
      }
      row.confusable = row.confusable || permutation.confusable;
    }
  }
  return rows;
}

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const CommandOptions options = ParseArguments(args);
  if (options.help) {
    PrintHelp(out);
    return kExitSuccess;
  }

  GeneratorOptions generator;
  generator.ignore_registry_idn_rules = options.ignore_registry_idn_rules;
  if (options.fuzzer_list) generator.fuzzers = ParseFuzzerList(*options.fuzzer_list);
  generator.swap_suffixes = options.tld_list_path
                                ? ParseSuffixList(ReadFile(*options.tld_list_path, "TLD list"), *options.tld_list_path)
                                : BundledTldSwapList();

  std::optional<PublicSuffixList> loaded_suffixes;
  if (options.public_suffix_list_path) {
    loaded_suffixes = PublicSuffixList::Parse(ReadFile(*options.public_suffix_list_path, "Public Suffix List"));
  }
  const PublicSuffixList& suffixes = loaded_suffixes ? *loaded_suffixes : PublicSuffixList::Bundled();

  std::vector<DomainName> domains;
  bool all_valid = true;
  for (const std::string& input : options.domains) {
    try {
      DomainName domain = ParseDomainName(input, suffixes);
      const bool repeated = std::any_of(domains.begin(), domains.end(),
                                        [&domain](const DomainName& seen) { return seen.ascii == domain.ascii; });
      if (!repeated) domains.push_back(std::move(domain));
    } catch (const InvalidDomainError& error) {
      err << kPrefix << error.what() << '\n';
      all_valid = false;
    }
  }
  if (!all_valid) return kExitUsage;

  const std::vector<WatchlistRow> rows = MergeRows(domains, generator);

  std::ostringstream csv;
  WriteWatchlistCsv(csv, rows);
  const std::string text = std::move(csv).str();

  if (options.output_path) {
    std::ofstream file(*options.output_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      throw FileError("cannot open output file '" + *options.output_path + "': " + std::strerror(errno) + ".");
    }
    file << text;
    file.close();
    if (!file) {
      throw FileError("failed to write output file '" + *options.output_path + "'.");
    }
  } else {
    out << text;
    out.flush();
  }

  err << kPrefix << "wrote " << rows.size() << " look-alike domains (" << text.size() << " bytes) for "
      << domains.size() << (domains.size() == 1 ? " protected domain" : " protected domains") << " to "
      << (options.output_path ? *options.output_path : std::string("standard output")) << ".\n";
  if (text.size() >= kWatchlistInlineLimitBytes) {
    err << kPrefix << "warning: the CSV is larger than the 3.8 MB that Sentinel accepts as inline watchlist "
        << "content (the ARM template's lookalikeDomainsCsv). Upload it through an Azure Storage SAS URI "
        << "(up to 500 MB), or leave out homoglyph, the largest fuzzer, with --fuzzers.\n";
  }
  return kExitSuccess;
}

}  // namespace

int RunLookalikesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    return Run(args, out, err);
  } catch (const UsageError& error) {
    err << kPrefix << error.what() << '\n';
    return kExitUsage;
  } catch (const std::invalid_argument& error) {
    // An invalid --tld-list entry.
    err << kPrefix << error.what() << '\n';
    return kExitUsage;
  } catch (const FileError& error) {
    err << kPrefix << error.what() << '\n';
    return kExitFileError;
  } catch (const std::runtime_error& error) {
    // ICU failing to open its IDNA or spoof-checker data.
    err << kPrefix << "failed: " << error.what() << '\n';
    return kExitFileError;
  }
}

}  // namespace lookalikes

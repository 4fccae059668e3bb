#include "permutation_generator.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "confusables.hpp"
#include "idn_rules.hpp"
#include "idna.hpp"
#include "unicode_text.hpp"

namespace lookalikes {
namespace {

struct ValidName {
  std::string ascii;
  std::string unicode;
};

// Whether an A-label name has the shape dnstwist accepts: 4 to 253
// characters, and a top-level label of at least two characters. ICU has
// already checked labels for length, characters and hyphen placement.
bool HasHostNameShape(std::string_view ascii) {
  if (ascii.size() < 4 || ascii.size() > 253) return false;
  const std::size_t last_dot = ascii.rfind('.');
  return last_dot != std::string_view::npos && ascii.size() - last_dot - 1 >= 2;
}

// Validates a candidate as dnstwist does (IDNA 2008 encoding, then the
// host-name pattern), and additionally rejects names that UTS #46 would map to
// a different name, so that both forms in the watchlist name the same domain.
std::optional<ValidName> Validate(const Candidate& candidate) {
  const std::string unicode = EncodeUtf8(candidate.host) + "." + candidate.suffix;
  const IdnaResult ascii = ToAsciiDomain(unicode);
  if (!ascii.ok() || !HasHostNameShape(ascii.name)) return std::nullopt;

  const IdnaResult round_trip = ToUnicodeDomain(ascii.name);
  if (!round_trip.ok() || round_trip.name != unicode) return std::nullopt;
  return ValidName{ascii.name, unicode};
}

}  // namespace

std::vector<Permutation> GeneratePermutations(const DomainName& original, const GeneratorOptions& options) {
  std::vector<const Fuzzer*> fuzzers = options.fuzzers;
  if (fuzzers.empty()) {
    for (const Fuzzer& fuzzer : AllFuzzers()) fuzzers.push_back(&fuzzer);
  }

  const FuzzInput input{original, options.swap_suffixes};
  const std::u32string original_host = original.host();
  const std::string original_skeleton = ConfusableSkeleton(original.unicode);

  std::vector<Permutation> permutations;
  for (const Fuzzer* fuzzer : fuzzers) {
    std::unordered_set<std::string> seen;
    std::vector<Permutation> found;
    for (const Candidate& candidate : fuzzer->generate(input)) {
      const std::optional<ValidName> name = Validate(candidate);
      if (!name || name->ascii == original.ascii || !seen.insert(name->ascii).second) continue;

      if (!options.ignore_registry_idn_rules) {
        const bool same_suffix = candidate.suffix == original.suffix;
        if (!IsAcceptedByRegistry(IdnRuleForSuffix(candidate.suffix), candidate.host, original_host, same_suffix)) {
          continue;
        }
      }

      const bool confusable = ConfusableSkeleton(name->unicode) == original_skeleton;
      found.push_back(Permutation{name->ascii, name->unicode, fuzzer->name, confusable});
    }

    std::sort(found.begin(), found.end(),
              [](const Permutation& a, const Permutation& b) { return a.domain < b.domain; });
    permutations.insert(permutations.end(), found.begin(), found.end());
  }
  return permutations;
}

}  // namespace lookalikes

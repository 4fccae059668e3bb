// A value that must never reach a log, a reply or the run summary, and the
// process-wide scrubber that cuts known secret values out of any text that
// leaves the process.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mt {

// Holds a client secret, token, shared key or identity header. Every way of
// formatting it prints a redaction marker; the value itself is read only
// through Reveal(), at the point where it goes on the wire.
class Secret {
 public:
  static constexpr const char* kRedacted = "**REDACTED**";

  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend std::ostream& operator<<(std::ostream& out, const Secret&) { return out << kRedacted; }
  friend std::string to_string(const Secret&) { return kRedacted; }

 private:
  std::string value_;
};

// Secret values known to this process, replaced by Secret::kRedacted in
// every log line, shortened response body and run summary. A service may
// echo a credential back, e.g. a token endpoint quoting the form it received
// or a proxy reflecting the Authorization header. So the scrubber also
// matches the forms a value takes on the wire: percent-encoded with upper-
// or lower-case hex, and JSON-escaped. Thread-safe.
class SecretScrubber {
 public:
  // Values shorter than this are not scrubbed: they would match ordinary
  // words, and no credential Azure issues is that short.
  static constexpr std::size_t kMinLength = 8;
  // Tokens are added on every acquisition, so a long-running host process
  // keeps only the most recently added values. Settings are added again at
  // the start of every run, which keeps them in.
  static constexpr std::size_t kMaxValues = 512;

  static SecretScrubber& Global();

  void Add(std::string_view value);
  void Add(const Secret& secret) { Add(secret.Reveal()); }

  // Returns `text` with every known value replaced by Secret::kRedacted.
  std::string Scrub(std::string_view text) const;

 private:
  void AddOne(std::string value);

  mutable std::mutex mutex_;
  std::deque<std::string> values_;         // oldest first
  std::vector<std::string> longest_first_;  // the same values, for matching
};

// Scrubs `text` with the process-wide scrubber.
std::string ScrubSecrets(std::string_view text);

// Adds the secret-bearing settings of `environment` to the process-wide
// scrubber: AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PASSWORD,
// IDENTITY_HEADER, MSI_SECRET, DATA_COLLECTOR_SHARED_KEY, and from any value
// shaped like a storage connection string its AccountKey,
// SharedAccessSignature and `sig` parts.
void AddSecretSettings(const std::map<std::string, std::string>& environment);

// Adds the secret parts of one storage connection string, e.g.
// `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=<key>;...`.
void AddConnectionStringSecrets(std::string_view connection_string);

}  // namespace mt

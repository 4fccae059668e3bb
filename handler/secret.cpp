#include "secret.hpp"

#include <algorithm>
#include <array>

namespace mt {
namespace {

// Names whose whole value is a credential.
constexpr std::array kSecretSettings = {
    "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "IDENTITY_HEADER", "MSI_SECRET",
    "DATA_COLLECTOR_SHARED_KEY",
};

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string PercentEncoded(std::string_view text, const char* hex) {
  std::string out;
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

// The value as a JSON string body: quotes and backslashes escaped, and `/`
// as `\/`, which some serializers write.
std::string JsonEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '/') out += '\\';
    out += c;
  }
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

}  // namespace

SecretScrubber& SecretScrubber::Global() {
  static SecretScrubber scrubber;
  return scrubber;
}

void SecretScrubber::Add(std::string_view value) {
  if (value.size() < kMinLength) return;
  std::lock_guard lock(mutex_);
  AddOne(std::string(value));
  AddOne(PercentEncoded(value, "0123456789ABCDEF"));
  AddOne(PercentEncoded(value, "0123456789abcdef"));
  AddOne(JsonEscaped(value));

  longest_first_.assign(values_.begin(), values_.end());
  std::ranges::sort(longest_first_, [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void SecretScrubber::AddOne(std::string value) {
  // Adding a known value again makes it the newest, so that eviction takes
  // stale tokens before the settings every run adds again.
  if (auto it = std::ranges::find(values_, value); it != values_.end()) values_.erase(it);
  values_.push_back(std::move(value));
  while (values_.size() > kMaxValues) values_.pop_front();
}

std::string SecretScrubber::Scrub(std::string_view text) const {
  const std::string_view marker = Secret::kRedacted;
  std::string out(text);
  std::lock_guard lock(mutex_);
  for (const std::string& value : longest_first_) {
    for (auto at = out.find(value); at != std::string::npos; at = out.find(value, at + marker.size())) {
      out.replace(at, value.size(), marker);
    }
  }
  return out;
}

std::string ScrubSecrets(std::string_view text) { return SecretScrubber::Global().Scrub(text); }

void AddConnectionStringSecrets(std::string_view connection_string) {
  SecretScrubber& scrubber = SecretScrubber::Global();
  scrubber.Add(connection_string);

  std::size_t start = 0;
  while (start < connection_string.size()) {
    const std::size_t end = std::min(connection_string.find(';', start), connection_string.size());
    const std::string_view part = connection_string.substr(start, end - start);
    start = end + 1;

    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name = Lower(part.substr(0, equals));
    const std::string_view value = part.substr(equals + 1);
    if (name == "accountkey" || name == "sharedaccesskey" || name == "sharedaccesssignature") scrubber.Add(value);

    // A SAS token's signature is the part that grants access.
    if (name == "sharedaccesssignature") {
      for (std::size_t at = value.find("sig="); at != std::string_view::npos; at = value.find("sig=", at + 4)) {
        if (at != 0 && value[at - 1] != '&' && value[at - 1] != '?') continue;
        const std::size_t sig_end = std::min(value.find('&', at), value.size());
        scrubber.Add(value.substr(at + 4, sig_end - at - 4));
      }
    }
  }
}

void AddSecretSettings(const std::map<std::string, std::string>& environment) {
  for (const char* name : kSecretSettings) {
    if (auto it = environment.find(name); it != environment.end()) {
      // Settings are trimmed before use, so the value on the wire may lack
      // the whitespace around the configured one.
      SecretScrubber::Global().Add(it->second);
      const std::string& value = it->second;
      const auto first = value.find_first_not_of(" \t\r\n");
      if (first != std::string::npos) {
        SecretScrubber::Global().Add(value.substr(first, value.find_last_not_of(" \t\r\n") - first + 1));
      }
    }
  }
  for (const auto& [name, value] : environment) {
    const std::string lower = Lower(value);
    if (lower.find("accountkey=") != std::string::npos || lower.find("sharedaccesssignature=") != std::string::npos ||
        lower.find("sharedaccesskey=") != std::string::npos) {
      AddConnectionStringSecrets(value);
    }
  }
}

}  // namespace mt

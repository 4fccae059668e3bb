// A value that must never reach a log, a reply or the run summary.
#pragma once

#include <ostream>
#include <string>
#include <utility>

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

}  // namespace mt

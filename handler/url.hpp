// Absolute URLs of the services the handler calls, and the encoding rules
// for building their query strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mt {

struct Url {
  std::string scheme;  // `https`, or `http` for a loopback emulator
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string target;  // path and query, always starting with `/`

  // Parses `scheme://host[:port][/path][?query]`. Returns nothing for
  // relative references, user info, fragments or unknown schemes.
  static std::optional<Url> Parse(std::string_view text);

  // `scheme://host[:port]`, the port written only when it is not the
  // scheme's default.
  std::string Origin() const;
  std::string ToString() const { return Origin() + target; }

  bool IsLoopback() const;
  bool SameOrigin(const Url& other) const;
};

// Percent-encodes everything outside RFC 3986's unreserved set.
std::string PercentEncode(std::string_view text);

// Joins a base URL (which may carry a path) and a path starting with `/`.
std::string JoinPath(std::string_view base, std::string_view path);

}  // namespace mt

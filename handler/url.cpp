#include "url.hpp"

#include <algorithm>
#include <cctype>

namespace mt {
namespace {

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<Url> Url::Parse(std::string_view text) {
  // Spaces, control characters and placeholders such as <name> never belong
  // in a URL, and CR or LF would split the HTTP request.
  if (std::ranges::any_of(text, [](unsigned char c) { return c <= 0x20 || c == 0x7F || c == '<' || c == '>'; })) {
    return std::nullopt;
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Url url;
  url.scheme = Lower(text.substr(0, scheme_end));
  if (url.scheme != "https" && url.scheme != "http") return std::nullopt;

  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (target.find('#') != std::string_view::npos) return std::nullopt;

  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = Lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = Lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;

  url.port = DefaultPort(url.scheme);
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::ranges::all_of(port_text, [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    url.port = std::stoi(std::string(port_text));
    if (url.port < 1 || url.port > 65535) return std::nullopt;
  }

  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

std::string Url::Origin() const {
  std::string origin = scheme + "://";
  origin += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != DefaultPort(scheme)) origin += ":" + std::to_string(port);
  return origin;
}

bool Url::IsLoopback() const {
  if (host == "localhost" || host == "::1") return true;
  // Only a dotted-quad 127.x.y.z literal: a name such as 127.example.com
  // may resolve anywhere.
  int octets = 0;
  std::size_t pos = 0;
  while (pos <= host.size()) {
    const std::size_t dot = std::min(host.find('.', pos), host.size());
    const std::string_view part = std::string_view(host).substr(pos, dot - pos);
    if (part.empty() || part.size() > 3 || !std::ranges::all_of(part, [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    if (std::stoi(std::string(part)) > 255) return false;
    ++octets;
    pos = dot + 1;
  }
  return octets == 4 && host.starts_with("127.");
}

bool Url::SameOrigin(const Url& other) const {
  return scheme == other.scheme && host == other.host && port == other.port;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string JoinPath(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += path;
  return out;
}

}  // namespace mt

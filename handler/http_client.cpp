#include "http_client.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "secret.hpp"

namespace mt {
namespace {

constexpr std::size_t kLoggedBodyLimit = 1024;

// A Graph page of 5,000 rows is 2 to 4 MB; no reply the handler reads comes
// near this.
constexpr std::uint64_t kMaxReplyBytes = 64ull << 20;

std::string Lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

std::string DescribeError(httplib::Error error, const Url& url) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect to " + url.Origin();
    case httplib::Error::ConnectionTimeout:
      return "connecting to " + url.Origin() + " timed out";
    case httplib::Error::Read:
      return "reading the reply from " + url.Origin() + " failed or timed out";
    case httplib::Error::Write:
      return "sending the request to " + url.Origin() + " failed";
    case httplib::Error::SSLConnection:
      return "the TLS handshake with " + url.Origin() + " failed";
    case httplib::Error::SSLLoadingCerts:
      return "the trusted certificates could not be loaded; check SSL_CERT_FILE";
    case httplib::Error::SSLServerVerification:
      return "the certificate of " + url.Origin() +
             " is not trusted; install its CA in the system store or name a CA file in SSL_CERT_FILE";
    default:
      return "the request to " + url.Origin() + " failed: " + httplib::to_string(error);
  }
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_case_name) const {
  const auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string ShortenBody(const std::string& raw_body) {
  // Scrub before cutting, so that no prefix of a secret survives the cut.
  const std::string body = ScrubSecrets(raw_body);
  if (body.size() <= kLoggedBodyLimit) return body;
  std::size_t cut = kLoggedBodyLimit;
  // Step back to a UTF-8 lead byte so that the excerpt stays valid text.
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  return body.substr(0, cut) + "… (" + std::to_string(body.size()) + " bytes)";
}

struct HttplibTransport::Connection {
  std::unique_ptr<httplib::Client> client;
};

HttplibTransport::HttplibTransport(std::string ca_file) : ca_file_(std::move(ca_file)) {}
HttplibTransport::~HttplibTransport() = default;

HttplibTransport::Connection& HttplibTransport::ConnectionFor(const Url& url, std::chrono::seconds timeout) {
  auto& slot = connections_[url.Origin()];
  if (!slot) {
    slot = std::make_unique<Connection>();
    slot->client = std::make_unique<httplib::Client>(url.Origin());
    slot->client->set_keep_alive(true);
    slot->client->enable_server_certificate_verification(true);
    if (!ca_file_.empty()) slot->client->set_ca_cert_path(ca_file_);
    slot->client->set_follow_location(false);
    // Targets are sent as given: next links must go back verbatim, and the
    // handler encodes its own query strings.
    slot->client->set_url_encode(false);
  }
  slot->client->set_connection_timeout(std::min<std::chrono::seconds>(timeout, std::chrono::seconds{15}));
  slot->client->set_read_timeout(timeout);
  slot->client->set_write_timeout(timeout);
  return *slot;
}

HttpOutcome HttplibTransport::Send(const HttpRequest& request) {
  HttpOutcome outcome;
  Connection& connection = ConnectionFor(request.url, request.timeout);

  httplib::Request raw;
  raw.method = request.method;
  raw.path = request.url.target;
  for (const auto& [name, value] : request.headers) raw.headers.emplace(name, value);
  raw.body = request.body;

  // The read timeout applies to each read. This also bounds the whole
  // reply's time, so a server that trickles bytes cannot hold a run, and its
  // size, so a runaway reply cannot exhaust memory.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + request.timeout * 2;
  bool too_large = false;
  bool too_slow = false;
  raw.progress = [&](std::uint64_t current, std::uint64_t) {
    if (current > kMaxReplyBytes) too_large = true;
    if (std::chrono::steady_clock::now() > deadline) too_slow = true;
    return !too_large && !too_slow;
  };

  httplib::Result result = connection.client->send(raw);
  if (too_large || too_slow) {
    outcome.transport_error = too_large ? "the reply from " + request.url.Origin() + " is larger than " +
                                              std::to_string(kMaxReplyBytes >> 20) + " MiB and was abandoned"
                                        : "the reply from " + request.url.Origin() + " took longer than " +
                                              std::to_string(2 * request.timeout.count()) + " seconds and was abandoned";
    outcome.maybe_processed = true;
    connections_.erase(request.url.Origin());
    return outcome;
  }
  if (!result) {
    outcome.transport_error = DescribeError(result.error(), request.url);
    outcome.certificate_rejected = result.error() == httplib::Error::SSLServerVerification;
    outcome.maybe_processed = result.error() == httplib::Error::Read;
    // A failed connection cannot be reused; the next attempt opens a new one.
    connections_.erase(request.url.Origin());
    return outcome;
  }

  HttpResponse response;
  response.status = result->status;
  for (const auto& [name, value] : result->headers) response.headers[Lower(name)] = value;
  response.body = std::move(result->body);
  outcome.response = std::move(response);
  return outcome;
}

}  // namespace mt

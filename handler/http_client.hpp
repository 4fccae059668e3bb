// HTTPS transport for every outbound call. Certificates are always verified,
// against the system store or the file named by SSL_CERT_FILE.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "url.hpp"

namespace mt {

struct HttpRequest {
  std::string method = "GET";
  Url url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Time allowed for connecting and for each read; a stalled reply fails
  // the attempt, which the retry policy may repeat.
  std::chrono::seconds timeout{60};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or an empty string when it is absent.
  std::string Header(const std::string& lower_case_name) const;
};

// The result of one attempt: a response, or a transport failure (no
// connection, reset, timeout, TLS) described in `transport_error`.
struct HttpOutcome {
  std::optional<HttpResponse> response;
  std::string transport_error;
  bool certificate_rejected = false;
  // The request was written but no reply was read: the server may have
  // processed it.
  bool maybe_processed = false;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpOutcome Send(const HttpRequest& request) = 0;
};

// cpp-httplib with one keep-alive connection per origin. Not thread-safe: a
// run owns its transport.
class HttplibTransport : public HttpTransport {
 public:
  // `ca_file` overrides the system store when not empty (SSL_CERT_FILE).
  explicit HttplibTransport(std::string ca_file);
  ~HttplibTransport() override;

  HttpOutcome Send(const HttpRequest& request) override;

 private:
  struct Connection;
  Connection& ConnectionFor(const Url& url, std::chrono::seconds timeout);

  std::string ca_file_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

// Cuts a response body to about 1 KiB for logs and error messages, after
// replacing known secret values (SecretScrubber in secret.hpp).
std::string ShortenBody(const std::string& body);

}  // namespace mt

// Test doubles for the transport and the clock: a scripted transport that
// records every request and a clock that moves only when slept.
#pragma once

#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <functional>
#include <string>
#include <vector>

#include "clock.hpp"
#include "http_client.hpp"

namespace mt::testing {

class ScriptedTransport : public HttpTransport {
 public:
  using Responder = std::function<HttpOutcome(const HttpRequest&)>;

  void Push(HttpOutcome outcome) { script_.push_back([outcome](const HttpRequest&) { return outcome; }); }
  void Push(Responder responder) { script_.push_back(std::move(responder)); }

  HttpOutcome Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (script_.empty()) {
      HttpOutcome outcome;
      outcome.transport_error = "no scripted response left";
      return outcome;
    }
    Responder next = std::move(script_.front());
    script_.pop_front();
    return next(request);
  }

  std::vector<HttpRequest> requests;

 private:
  std::deque<Responder> script_;
};

inline HttpOutcome Reply(int status, std::string body, std::map<std::string, std::string> headers = {}) {
  HttpOutcome outcome;
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  outcome.response = std::move(response);
  return outcome;
}

inline HttpOutcome TransportFailure(std::string message) {
  HttpOutcome outcome;
  outcome.transport_error = std::move(message);
  return outcome;
}

class ManualClock : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(start) {}
  Instant Now() override { return now_; }
  void SleepFor(Ticks duration) override {
    sleeps.push_back(duration);
    now_ += duration;
  }
  void Advance(Ticks duration) { now_ += duration; }

  std::vector<Ticks> sleeps;

 private:
  Instant now_;
};

inline std::string ReadCase(const std::string& name) {
  std::ifstream file(std::string(CASES_DIR) + "/" + name);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

}  // namespace mt::testing

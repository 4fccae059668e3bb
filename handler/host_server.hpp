// The Azure Functions custom handler protocol: the host probes `GET /` and
// posts each timer invocation to `POST /MessageTraceTimer`.
#pragma once

#include <mutex>
#include <string>

#include "clock.hpp"
#include "run_summary.hpp"
#include "settings.hpp"

namespace mt {

// The function's name, which is also its folder and the request path.
inline constexpr const char* kFunctionName = "MessageTraceTimer";

struct HostReply {
  int status = 200;
  std::string body;  // always a JSON object
};

// Serves invocations. One collection runs at a time in a process; an
// invocation that arrives while one runs returns at once with a skipped
// summary.
class HostServer {
 public:
  HostServer(Environment environment, Clock& clock);

  // Handles one invocation body (the timer payload) and returns the reply
  // the host expects: 200 with `Outputs`, `Logs` and `ReturnValue`, or 500
  // with the same JSON when the run failed (the reason goes to stderr
  // first, because the host discards the body of a failed reply).
  HostReply Invoke(const std::string& body, const std::string& invocation_id);

  // Listens on 127.0.0.1:`port` until the process ends. Returns only when
  // the port cannot be bound.
  int Listen(int port);

 private:
  Environment environment_;
  Clock& clock_;
  std::mutex collection_mutex_;
};

// Builds the reply JSON for a summary and the log lines of its run.
std::string ReplyBody(const RunSummary& summary, const std::vector<std::string>& logs);

}  // namespace mt

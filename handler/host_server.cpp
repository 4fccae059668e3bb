#include "host_server.hpp"

#include <httplib.h>

#include <boost/json.hpp>

#include <cstdio>

#include "collector.hpp"
#include "http_client.hpp"
#include "run_log.hpp"
#include "timer_payload.hpp"

namespace mt {
namespace {

namespace json = boost::json;

constexpr const char* kJson = "application/json";

}  // namespace

std::string ReplyBody(const RunSummary& summary, const std::vector<std::string>& logs) {
  json::object reply;
  reply["Outputs"] = json::object();
  json::array lines;
  for (const auto& line : logs) lines.emplace_back(line);
  reply["Logs"] = std::move(lines);
  reply["ReturnValue"] = ToJson(summary);
  return json::serialize(reply);
}

HostServer::HostServer(Environment environment, Clock& clock) : environment_(std::move(environment)), clock_(clock) {}

HostReply HostServer::Invoke(const std::string& body, const std::string& invocation_id) {
  RunLog log(invocation_id);
  const TimerInvocation timer = ParseTimerInvocation(body);

  std::unique_lock lock(collection_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    RunSummary summary;
    summary.skipped = true;
    log.Warning("another collection is already running in this process; this invocation does nothing and the "
                "running one continues");
    return {200, ReplyBody(summary, log.Lines())};
  }

  log.Info(DescribeTimerInvocation(timer));
  const RunSummary summary = RunCollectionFromEnvironment(environment_, clock_, log);
  const int status = summary.status == RunStatus::kFailed ? 500 : 200;
  return {status, ReplyBody(summary, log.Lines())};
}

int HostServer::Listen(int port) {
  httplib::Server server;

  // The host probes readiness and health with GET /. Any status will do,
  // but the reply must come at once, even while a collection runs.
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("{\"status\":\"ready\"}", kJson);
  });

  server.Post(std::string("/") + kFunctionName, [this](const httplib::Request& request, httplib::Response& response) {
    const std::string invocation_id = request.get_header_value("X-Azure-Functions-InvocationId");
    const HostReply reply = Invoke(request.body, invocation_id);
    response.status = reply.status;
    response.set_content(reply.body, kJson);
  });

  server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    json::object body;
    if (response.status == 404 || response.status == 405) {
      body["error"] = "no function at " + request.method + " " + ShortenBody(request.path) + "; this handler serves POST /" +
                      kFunctionName;
    } else {
      body["error"] = "the request was rejected with HTTP " + std::to_string(response.status) +
                      " (a timer body is a small JSON object)";
    }
    response.set_content(json::serialize(body), kJson);
  });

  // A timer body is under 1 KB; refuse anything absurd.
  server.set_payload_max_length(1 << 20);

  if (!server.bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "error: cannot listen on 127.0.0.1:%d; is another process using the port?\n", port);
    return 1;
  }
  std::fprintf(stderr, "info: listening on 127.0.0.1:%d for the Functions host\n", port);
  server.listen_after_bind();
  return 1;
}

}  // namespace mt

// handler: the Azure Functions custom handler that copies Exchange Online
// message trace into Microsoft Sentinel.
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "collector.hpp"
#include "errors.hpp"
#include "host_server.hpp"
#include "lookalikes_command.hpp"
#include "run_log.hpp"
#include "settings.hpp"
#include "version.hpp"

namespace {

constexpr int kExitSucceeded = 0;
constexpr int kExitFailed = 1;
constexpr int kExitPartial = 3;
constexpr int kExitUsage = 64;  // EX_USAGE

constexpr const char* kUsage = R"(Usage:
  handler                         serve the Azure Functions host on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT
  handler run [--settings FILE]   run one collection and print the run summary as JSON on stdout
  handler lookalikes DOMAIN...    write lookalike permutations of DOMAIN as a watchlist CSV (--help for options)
  handler --help                  show this help
  handler --version               show the version

`handler run` reads its settings from the environment; --settings FILE adds
the "Values" of a local.settings.json, and variables already set win.
Logs go to stderr. Exit status: 0 succeeded, 3 partial (stopped early, the
next run continues), 1 failed, 64 wrong usage.
)";

int RunOnce(const std::vector<std::string>& args) {
  mt::Environment environment = mt::ReadProcessEnvironment();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--settings" && i + 1 == args.size()) {
      std::fprintf(stderr, "error: --settings needs a file, e.g. handler run --settings local.settings.json\n");
      return kExitUsage;
    }
    if (args[i] == "--settings") {
      try {
        mt::MergeSettingsFile(args[++i], environment);
      } catch (const mt::ConfigurationError& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return kExitUsage;
      }
    } else {
      std::fprintf(stderr, "error: unknown argument '%s' for `handler run`\n\n%s", args[i].c_str(), kUsage);
      return kExitUsage;
    }
  }

  mt::SystemClock clock;
  mt::RunLog log;
  const mt::RunSummary summary = mt::RunCollectionFromEnvironment(environment, clock, log);
  std::cout << boost::json::serialize(mt::ToJson(summary)) << std::endl;
  switch (summary.status) {
    case mt::RunStatus::kSucceeded: return kExitSucceeded;
    case mt::RunStatus::kPartial: return kExitPartial;
    case mt::RunStatus::kFailed: return kExitFailed;
  }
  return kExitFailed;
}

int Serve() {
  const mt::Environment environment = mt::ReadProcessEnvironment();
  std::string port_text;
  for (const char* name : {"FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_HTTPWORKER_PORT"}) {
    if (auto it = environment.find(name); it != environment.end() && !it->second.empty()) {
      port_text = it->second;
      break;
    }
  }
  int port = 0;
  try {
    port = std::stoi(port_text);
  } catch (const std::exception&) {
    port = 0;
  }
  if (port < 1 || port > 65535) {
    std::fprintf(stderr,
                 "error: FUNCTIONS_CUSTOMHANDLER_PORT is %s; the Functions host sets it when it starts the handler. "
                 "To run one collection by hand, use `handler run`.\n",
                 port_text.empty() ? "not set" : ("invalid: '" + port_text + "'").c_str());
    return kExitUsage;
  }

  // Report settings problems at start-up, where an operator looks first;
  // each invocation checks them again and fails with the same message.
  try {
    mt::LoadSettings(environment);
  } catch (const mt::ConfigurationError& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
  }

  mt::SystemClock clock;
  mt::HostServer server(environment, clock);
  return server.Listen(port);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Serve();

  const std::string command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitSucceeded;
  }
  if (command == "--version") {
    std::cout << "handler " << mt::kVersion << std::endl;
    return kExitSucceeded;
  }
  if (command == "run") return RunOnce(rest);
  if (command == "lookalikes") return lookalikes::RunLookalikesCommand(rest, std::cout, std::cerr);

  std::fprintf(stderr, "error: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return kExitUsage;
}

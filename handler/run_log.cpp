#include "run_log.hpp"

#include <cstdio>

#include "secret.hpp"

namespace mt {
namespace {

// A run logs a line per window and per retry, so a few hundred lines are
// enough. Beyond this the reply would only grow.
constexpr std::size_t kMaxReplyLines = 500;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

RunLog::RunLog(std::string prefix, bool echo_to_stderr)
    : prefix_(std::move(prefix)), echo_to_stderr_(echo_to_stderr) {}

void RunLog::Info(std::string_view message) { Write(LogLevel::kInfo, message); }
void RunLog::Warning(std::string_view message) { Write(LogLevel::kWarning, message); }
void RunLog::Error(std::string_view message) { Write(LogLevel::kError, message); }

void RunLog::Write(LogLevel level, std::string_view message) {
  // Messages quote service replies, which may echo a credential back.
  std::string line = std::string(LevelName(level)) + ": " + ScrubSecrets(message);
  std::lock_guard lock(mutex_);
  if (echo_to_stderr_) {
    std::string out = prefix_.empty() ? line : "[" + prefix_ + "] " + line;
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
  }
  if (lines_.size() < kMaxReplyLines) {
    lines_.push_back(std::move(line));
  } else if (lines_.size() == kMaxReplyLines) {
    lines_.push_back("warning: further log lines are on standard error only");
  }
}

std::vector<std::string> RunLog::Lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

}  // namespace mt

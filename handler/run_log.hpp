// Log lines of one run: written to standard error at once (the Functions
// host keeps stderr even when the invocation fails) and collected for the
// `Logs` array of the reply. Known secret values are replaced in every line
// (SecretScrubber in secret.hpp).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mt {

enum class LogLevel { kInfo, kWarning, kError };

class RunLog {
 public:
  // `prefix` ties stderr lines to one invocation, e.g. the host's
  // invocation id; it may be empty.
  explicit RunLog(std::string prefix = {}, bool echo_to_stderr = true);

  void Info(std::string_view message);
  void Warning(std::string_view message);
  void Error(std::string_view message);

  // Lines for the reply's `Logs`, each carrying its level in the text
  // because the host writes every entry at Information.
  std::vector<std::string> Lines() const;

 private:
  void Write(LogLevel level, std::string_view message);

  std::string prefix_;
  bool echo_to_stderr_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace mt

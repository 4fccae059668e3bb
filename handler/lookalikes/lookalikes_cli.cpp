// Standalone `lookalikes_cli DOMAIN...`, equivalent to `handler lookalikes
// DOMAIN...`, for building and testing the generator without the handler.
#include <iostream>
#include <string>
#include <vector>

#include "lookalikes_command.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return lookalikes::RunLookalikesCommand(args, std::cout, std::cerr);
}

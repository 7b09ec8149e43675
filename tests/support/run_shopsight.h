#pragma once

// Runs the built `shopsight` binary for end-to-end tests.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace shopsight::testing {

/// Exit status and combined standard output and standard error of one run.
struct CommandResult {
  int status = -1;  ///< exit status, or -1 when the process did not exit normally
  std::string output;
};

/// Runs `shopsight ARGUMENTS` through the shell, so redirections work.
inline CommandResult run_shopsight(const std::string& arguments) {
  const std::string command = std::string(SHOPSIGHT_BINARY) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace shopsight::testing

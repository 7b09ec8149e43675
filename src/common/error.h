#pragma once

#include <stdexcept>
#include <string>

namespace shopsight {

/// Failure that the user can fix: a missing file, a bad option, a corrupt
/// model. The message is already localized and names the value at fault.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exit statuses of the command-line tool, documented in `shopsight --help`.
enum ExitStatus : int {
  kExitOk = 0,
  kExitFailure = 1,         ///< the command could not run (bad option, missing file, ...)
  kExitUsage = 2,           ///< the command line itself is invalid
  kExitRowsRejected = 3,    ///< the run finished but skipped some input rows
};

}  // namespace shopsight

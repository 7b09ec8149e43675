#pragma once

// Where the running program finds the data installed beside it.

#include <string>

namespace shopsight {

/// Folder of the running executable; empty when /proc/self/exe cannot be read.
std::string executable_directory();

/// Path of `relative` in the first data folder where `relative`/`marker`
/// exists: <executable>/../share/shopsight for an installed binary, else the
/// source tree that the build was configured from. Returns the source tree's
/// path when neither has it, so that errors name a path in the sources.
std::string data_path(const std::string& relative, const std::string& marker);

}  // namespace shopsight

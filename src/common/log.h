#pragma once

// Logging goes through spdlog's default logger, which writes to standard
// error so that standard output stays free for results.

#include <spdlog/spdlog.h>

#include <string_view>

namespace shopsight {

/// Installs the standard-error logger at the given spdlog level name
/// ("trace", "debug", "info", "warn", "error", "off"); returns false for an unknown name.
bool init_logging(std::string_view level);

}  // namespace shopsight

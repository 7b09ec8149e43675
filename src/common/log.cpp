#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

namespace shopsight {

bool init_logging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str returns `off` for unknown names, so tell "off" apart from a typo.
  if (parsed == spdlog::level::off && level != "off") return false;

  auto logger = spdlog::stderr_color_mt("shopsight");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace shopsight

#pragma once

// UTC time text for alerts. Internal to the detect stage.

#include <cstdint>
#include <ctime>
#include <string>

namespace shopsight::detect {

/// Formats Unix milliseconds as UTC with a strftime pattern.
inline std::string utc_time_text(std::int64_t milliseconds, const char* pattern) {
  const auto seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, pattern, &utc);
  return buffer;
}

}  // namespace shopsight::detect

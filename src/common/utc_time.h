#pragma once

// UTC time text for alerts, analysis output and model metadata.

#include <cstdint>
#include <ctime>
#include <string>

namespace shopsight {

/// Formats Unix milliseconds as UTC with a strftime pattern.
inline std::string utc_time_text(std::int64_t milliseconds, const char* pattern) {
  const auto seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, pattern, &utc);
  return buffer;
}

/// Formats the current time, in whole seconds, as UTC with a strftime pattern.
inline std::string utc_now_text(const char* pattern) {
  return utc_time_text(static_cast<std::int64_t>(std::time(nullptr)) * 1000, pattern);
}

}  // namespace shopsight

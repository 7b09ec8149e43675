#pragma once

// UTC time text for alerts, analysis output and model metadata, and
// ISO 8601 text at a fixed UTC offset for buckets of a store's time zone.

#include <cstdint>
#include <ctime>
#include <string>

#include <fmt/format.h>

namespace shopsight {

/// Formats Unix milliseconds as UTC with a strftime pattern. A time before
/// 1970 rounds down to the earlier second, not towards zero.
inline std::string utc_time_text(std::int64_t milliseconds, const char* pattern) {
  const std::int64_t floor_ms = milliseconds >= 0 ? milliseconds : milliseconds - 999;
  const auto seconds = static_cast<std::time_t>(floor_ms / 1000);
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

/// Formats an offset from UTC in milliseconds as "Z" for 0, else as
/// "+08:00" or "-03:30".
inline std::string utc_offset_suffix(std::int64_t offset) {
  if (offset == 0) return "Z";
  const std::int64_t minutes = (offset < 0 ? -offset : offset) / 60'000;
  return fmt::format("{}{:02}:{:02}", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

/// Formats Unix milliseconds as ISO 8601 in whole seconds at a fixed offset
/// from UTC (milliseconds), for example 2026-12-01T00:00:00+08:00.
inline std::string offset_time_text(std::int64_t milliseconds, std::int64_t offset) {
  return utc_time_text(milliseconds + offset, "%Y-%m-%dT%H:%M:%S") + utc_offset_suffix(offset);
}

}  // namespace shopsight

#include "common/utc_time.h"

#include <gtest/gtest.h>

namespace shopsight {
namespace {

constexpr std::int64_t kHour = 3'600'000;

TEST(UtcTime, OffsetSuffix) {
  EXPECT_EQ(utc_offset_suffix(0), "Z");
  EXPECT_EQ(utc_offset_suffix(8 * kHour), "+08:00");
  EXPECT_EQ(utc_offset_suffix(-(3 * kHour + kHour / 2)), "-03:30");
  EXPECT_EQ(utc_offset_suffix(5 * kHour + 45 * 60'000), "+05:45");
}

TEST(UtcTime, OffsetTimeShowsWallClock) {
  // 2026-11-30T16:00:00Z is midnight of 1 December in Shanghai.
  EXPECT_EQ(offset_time_text(1'796'054'400'000, 8 * kHour), "2026-12-01T00:00:00+08:00");
  EXPECT_EQ(offset_time_text(1'796'054'400'000, 0), "2026-11-30T16:00:00Z");
  EXPECT_EQ(offset_time_text(1'796'054'400'999, 0), "2026-11-30T16:00:00Z");
}

TEST(UtcTime, OffsetTimeBeforeEpoch) {
  // Milliseconds before 1970 round down to the earlier second, not towards zero.
  EXPECT_EQ(offset_time_text(-1, 0), "1969-12-31T23:59:59Z");
  EXPECT_EQ(offset_time_text(0, -5 * kHour), "1969-12-31T19:00:00-05:00");
  EXPECT_EQ(utc_time_text(-1, "%Y-%m-%dT%H:%M:%S"), "1969-12-31T23:59:59");
}

}  // namespace
}  // namespace shopsight

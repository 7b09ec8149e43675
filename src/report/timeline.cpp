// Calendar arithmetic for the report: local days in a time zone (ICU), and
// the volume-over-time series in days, weeks or months.

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "report/report_data.h"

namespace shopsight::report {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

// Series longer than this are grouped into weeks, then months, so that a
// chart stays readable and a table stays short.
constexpr std::int64_t kMaxPoints = 100;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::chrono::year_month_day to_civil(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

std::int64_t from_civil(const std::chrono::year_month_day& date) {
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

}  // namespace

struct Calendar::Zone {
  std::unique_ptr<icu::TimeZone> zone;
};

Calendar::Calendar(const std::string& zone_name) : zone_(std::make_unique<Zone>()) {
  zone_->zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone_name)));
  valid_ = zone_->zone != nullptr && *zone_->zone != icu::TimeZone::getUnknown();
}

Calendar::~Calendar() = default;

std::int64_t Calendar::offset_ms(std::int64_t unix_ms) const {
  if (!valid_) return 0;
  std::int32_t raw = 0;
  std::int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone_->zone->getOffset(static_cast<UDate>(unix_ms), false, raw, dst, status);
  if (U_FAILURE(status)) return 0;
  return static_cast<std::int64_t>(raw) + dst;
}

std::int64_t Calendar::local_day(std::int64_t unix_ms) const {
  return floor_div(unix_ms + offset_ms(unix_ms), kMsPerDay);
}

std::string Calendar::format_minute(std::int64_t unix_ms) const {
  const std::int64_t local = unix_ms + offset_ms(unix_ms);
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t minute_of_day = (local - day * kMsPerDay) / 60'000;
  return fmt::format("{} {:02}:{:02}", format_day(day), minute_of_day / 60, minute_of_day % 60);
}

std::string format_day(std::int64_t day) {
  const auto date = to_civil(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

std::string format_iso_utc(std::int64_t unix_ms) {
  const std::int64_t day = floor_div(unix_ms, kMsPerDay);
  const std::int64_t second_of_day = (unix_ms - day * kMsPerDay) / 1000;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", format_day(day), second_of_day / 3600, second_of_day / 60 % 60,
                     second_of_day % 60);
}

void build_timeline(const std::map<std::int64_t, SentimentCounts>& days, std::string& bucket,
                    std::vector<TimeBucket>& timeline) {
  timeline.clear();
  bucket.clear();
  if (days.empty()) return;

  const std::int64_t first = days.begin()->first;
  const std::int64_t last = days.rbegin()->first;

  // Each day maps to the first day of its bucket; 1970-01-01 was a Thursday,
  // so day + 3 counts from a Monday.
  std::function<std::int64_t(std::int64_t)> bucket_start;
  std::function<std::int64_t(std::int64_t)> next_start;
  if (last - first + 1 <= kMaxPoints) {
    bucket = "day";
    bucket_start = [](std::int64_t day) { return day; };
    next_start = [](std::int64_t start) { return start + 1; };
  } else if ((last - first) / 7 + 1 <= kMaxPoints) {
    bucket = "week";
    bucket_start = [](std::int64_t day) { return day - (day + 3 - floor_div(day + 3, 7) * 7); };
    next_start = [](std::int64_t start) { return start + 7; };
  } else {
    bucket = "month";
    bucket_start = [](std::int64_t day) {
      const auto date = to_civil(day);
      return from_civil(date.year() / date.month() / std::chrono::day{1});
    };
    next_start = [](std::int64_t start) {
      const auto date = to_civil(start);
      return from_civil(std::chrono::year_month_day{date.year() / date.month() / std::chrono::day{1}} +
                        std::chrono::months{1});
    };
  }

  // Walk every bucket from the first to the last, so that quiet periods show
  // as zeros instead of disappearing from the line.
  auto next_day = days.begin();
  for (std::int64_t start = bucket_start(first); start <= last; start = next_start(start)) {
    const std::int64_t end = next_start(start);
    TimeBucket point;
    point.label = format_day(start);
    if (bucket == "month") point.label.resize(7);
    // The first and last buckets may reach past the data, and their counts
    // then cover fewer days than the others.
    const std::int64_t covered_begin = std::max(start, first);
    const std::int64_t covered_end = std::min(end, last + 1);
    point.days = end - start;
    point.covered_days = covered_end - covered_begin;
    point.covered_from = format_day(covered_begin);
    point.covered_to = format_day(covered_end - 1);
    for (; next_day != days.end() && next_day->first < end; ++next_day) {
      point.counts.positive += next_day->second.positive;
      point.counts.negative += next_day->second.negative;
      point.counts.neutral += next_day->second.neutral;
    }
    timeline.push_back(std::move(point));
  }
}

}  // namespace shopsight::report

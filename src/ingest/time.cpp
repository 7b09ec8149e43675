// Time parsing. Calendar arithmetic uses <chrono>; time zone offsets come
// from ICU because libstdc++ 12 has no usable C++20 time zone database.

#include <unicode/timezone.h>
#include <unicode/utypes.h>
#include <unicode/unistr.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/i18n.h"
#include "ingest/fields.h"
#include "ingest/ingest.h"

namespace shopsight {
namespace {

// Unix seconds reach 1e11 only in the year 5138, so larger numbers are milliseconds.
constexpr std::int64_t kMillisecondsThreshold = 100'000'000'000;

// Smallest fractional Unix time read as one (1973-03-03). Smaller decimal
// numbers such as "2026.07" are far likelier to be something else.
constexpr double kMinFractionalSeconds = 1e8;

bool is_utc_name(const std::string& name) {
  return name.empty() || name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Z";
}

// Zones are created once per name and thread. Keeping them per thread means
// no ICU object is shared, so the pipeline's workers need no lock here.
const icu::TimeZone& zone_named(const std::string& name) {
  thread_local std::map<std::string, std::unique_ptr<icu::TimeZone>> zones;

  if (const auto found = zones.find(name); found != zones.end()) return *found->second;

  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  icu::UnicodeString id;
  if (zone == nullptr || zone->getID(id) == icu::UnicodeString(u"Etc/Unknown")) {
    throw Error(tr("unknown time zone '{}': use an IANA name such as UTC or Asia/Shanghai", name));
  }
  return *zones.emplace(name, std::move(zone)).first->second;
}

/// Cursor over the text of a time, with the small readers its grammar needs.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }

  /// Reads between `min` and `max` ASCII digits as a number.
  std::optional<int> digits(std::size_t min, std::size_t max) {
    int value = 0;
    std::size_t count = 0;
    while (count < max && !done() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (peek() - '0');
      ++pos_;
      ++count;
    }
    if (count < min) return std::nullopt;
    return value;
  }

  bool accept(std::string_view token) {
    if (!text_.substr(pos_).starts_with(token)) return false;
    pos_ += token.size();
    return true;
  }

  void skip_spaces() {
    while (!done() && peek() == ' ') ++pos_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::int64_t> parse_unix(std::string_view text) {
  if (text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value >= kMillisecondsThreshold ? value : value * 1000;
}

// Reads "1751371200.5" or "1.5e9", as Python and JavaScript write Unix
// seconds, and milliseconds from 1e11 on, like parse_unix.
std::optional<std::int64_t> parse_fractional_unix(std::string_view text) {
  if (text.find_first_not_of("0123456789.eE+-") != std::string_view::npos || text.front() < '0' ||
      text.front() > '9') {
    return std::nullopt;
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [next, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || next != end || !(value >= kMinFractionalSeconds)) return std::nullopt;
  const double milliseconds = value >= static_cast<double>(kMillisecondsThreshold) ? value : value * 1000;
  // Such a time is far beyond any plausible one, and llround needs a value in range.
  if (milliseconds >= 1e18) return std::nullopt;
  return std::llround(milliseconds);
}

// Unix milliseconds of `wall_ms`, a wall-clock time in `zone` (UTC when null).
std::optional<std::int64_t> local_to_utc(std::int64_t wall_ms, const icu::TimeZone* zone) {
  if (zone == nullptr) return wall_ms;
  // getOffset with local = true reads the time as wall-clock time in the zone.
  std::int32_t raw_offset = 0;
  std::int32_t dst_offset = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone->getOffset(static_cast<UDate>(wall_ms), true, raw_offset, dst_offset, status);
  if (U_FAILURE(status)) return std::nullopt;
  return wall_ms - raw_offset - dst_offset;
}

std::int64_t days_since_epoch(const std::chrono::year_month_day& date) {
  return std::chrono::sys_days(date).time_since_epoch().count();
}

// "20260701", as Chinese exports write dates: midnight in `zone`.
std::optional<std::int64_t> parse_compact_date(std::string_view digits, const icu::TimeZone* zone) {
  auto number = [&](std::size_t at, std::size_t count) {
    int value = 0;
    for (const char c : digits.substr(at, count)) value = value * 10 + (c - '0');
    return value;
  };
  const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                         std::chrono::month(static_cast<unsigned>(number(4, 2))),
                                         std::chrono::day(static_cast<unsigned>(number(6, 2)))};
  if (!date.ok()) return std::nullopt;
  return local_to_utc(days_since_epoch(date) * 86'400'000, zone);
}

// Reads "+08:00", "+0800", "+08" or "Z" into minutes east of UTC.
std::optional<int> parse_offset(Scanner& scanner) {
  if (scanner.accept("Z") || scanner.accept("z")) return 0;
  int sign = 0;
  if (scanner.accept("+")) sign = 1;
  if (sign == 0 && scanner.accept("-")) sign = -1;
  if (sign == 0) return std::nullopt;

  const auto hours = scanner.digits(2, 2);
  if (!hours || *hours > 23) return std::nullopt;
  scanner.accept(":");
  int minutes = 0;
  if (!scanner.done()) {
    const auto parsed = scanner.digits(2, 2);
    if (!parsed || *parsed > 59) return std::nullopt;
    minutes = *parsed;
  }
  return sign * (*hours * 60 + minutes);
}

}  // namespace

namespace ingest {

void check_time_zone(const std::string& name) {
  if (!is_utc_name(name)) zone_named(name);
}

}  // namespace ingest

StandardOffset standard_offset(const std::string& timezone) {
  if (is_utc_name(timezone)) return {"UTC", 0};
  const icu::TimeZone& zone = zone_named(timezone);
  icu::UnicodeString id;
  zone.getID(id);
  icu::UnicodeString canonical;
  UErrorCode status = U_ZERO_ERROR;
  icu::TimeZone::getCanonicalID(id, canonical, status);
  if (U_FAILURE(status)) canonical = id;
  std::string name;
  canonical.toUTF8String(name);
  if (is_utc_name(name) || name == "Etc/GMT") return {"UTC", 0};
  // Minute buckets need whole minutes, which every offset in use today is.
  const std::int64_t minutes = std::llround(zone.getRawOffset() / 60'000.0);
  return {name, minutes * 60'000};
}

std::int64_t utc_offset_at(std::int64_t time, const std::string& timezone) {
  if (is_utc_name(timezone)) return 0;
  std::int32_t raw = 0;
  std::int32_t daylight = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone_named(timezone).getOffset(static_cast<UDate>(time), false, raw, daylight, status);
  if (U_FAILURE(status)) {
    throw Error(
        tr("cannot compute the offset of the time zone '{}' at {} ms: {}", timezone, time, u_errorName(status)));
  }
  return std::int64_t{raw} + daylight;
}

bool is_plausible_time(std::int64_t time) {
  constexpr std::int64_t kYear2100 = 4'102'444'800'000;  // 2100-01-01T00:00:00Z
  return time >= 0 && time < kYear2100;
}

std::optional<std::int64_t> parse_time(const std::string& text, const std::string& timezone) {
  const icu::TimeZone* zone = is_utc_name(timezone) ? nullptr : &zone_named(timezone);
  const std::string_view trimmed = ingest::trim(text);
  if (trimmed.empty()) return std::nullopt;

  if (trimmed.find_first_not_of("0123456789") == std::string_view::npos) {
    // Eight digits are a date: as Unix seconds they would fall in 1970 to 1973.
    return trimmed.size() == 8 ? parse_compact_date(trimmed, zone) : parse_unix(trimmed);
  }
  if (const auto fractional = parse_fractional_unix(trimmed)) return fractional;

  // Date: 2016-06-29, 2016/6/29, 2016.06.29 or 2016年6月29日.
  Scanner scanner(trimmed);
  const auto year = scanner.digits(4, 4);
  if (!year) return std::nullopt;
  const bool chinese = scanner.accept("年");
  char separator = '\0';
  if (!chinese) {
    separator = scanner.peek();
    if (separator != '-' && separator != '/' && separator != '.') return std::nullopt;
    scanner.accept(std::string_view(&separator, 1));
  }
  const auto month = scanner.digits(1, 2);
  if (!month) return std::nullopt;
  if (chinese ? !scanner.accept("月") : !scanner.accept(std::string_view(&separator, 1))) return std::nullopt;
  const auto day = scanner.digits(1, 2);
  if (!day) return std::nullopt;
  if (chinese) scanner.accept("日");

  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;

  // Time of day: "T" or spaces, then hh:mm, optional :ss and a fraction.
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  const bool has_clock = scanner.accept("T") || scanner.accept("t") || scanner.peek() == ' ';
  if (has_clock) {
    scanner.skip_spaces();
    if (!scanner.done()) {
      const auto h = scanner.digits(1, 2);
      if (!h || !scanner.accept(":")) return std::nullopt;
      const auto m = scanner.digits(2, 2);
      if (!m) return std::nullopt;
      hour = *h;
      minute = *m;
      if (scanner.accept(":")) {
        const auto s = scanner.digits(2, 2);
        if (!s) return std::nullopt;
        second = *s;
        if (scanner.accept(".") || scanner.accept(",")) {
          // Keep milliseconds; finer digits are read and dropped.
          int scale = 100;
          bool any = false;
          while (!scanner.done() && scanner.peek() >= '0' && scanner.peek() <= '9') {
            const auto digit = scanner.digits(1, 1);
            millisecond += *digit * scale;
            scale /= 10;
            any = true;
          }
          if (!any) return std::nullopt;
        }
      }
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;

  scanner.skip_spaces();
  std::optional<int> offset_minutes;
  if (!scanner.done()) {
    offset_minutes = parse_offset(scanner);
    if (!offset_minutes || !scanner.done()) return std::nullopt;
  }

  const std::int64_t days = days_since_epoch(date);
  const std::int64_t wall_ms = ((days * 24 + hour) * 60 + minute) * 60'000 + second * 1000 + millisecond;
  if (offset_minutes) return wall_ms - static_cast<std::int64_t>(*offset_minutes) * 60'000;
  return local_to_utc(wall_ms, zone);
}

}  // namespace shopsight

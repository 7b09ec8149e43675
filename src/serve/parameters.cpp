// Query parameters of the API, checked so that a bad value gets a 400 that
// names the parameter instead of a 500 further down.

#include <charconv>
#include <chrono>

#include "ingest/ingest.h"
#include "serve/api.h"

namespace shopsight::serve {
namespace {

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (result.ec != std::errc() || result.ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::string text_parameter(const httplib::Request& request, const std::string& name) {
  return request.has_param(name.c_str()) ? request.get_param_value(name.c_str()) : std::string();
}

std::int64_t integer_parameter(const httplib::Request& request, const std::string& name, std::int64_t fallback,
                               std::int64_t minimum, std::int64_t maximum) {
  if (!request.has_param(name.c_str())) return fallback;
  const std::optional<std::int64_t> value = parse_integer(request.get_param_value(name.c_str()));
  if (!value || *value < minimum || *value > maximum) {
    throw ApiError(400, fmt::format("invalid parameter {}: expected an integer from {} to {}", name, minimum, maximum));
  }
  return *value;
}

std::optional<std::int64_t> parse_api_time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  // Digits alone are Unix milliseconds here, never seconds, so a value means
  // the same whatever its size.
  if (const auto milliseconds = parse_integer(text)) return milliseconds;
  return parse_time(text, "UTC");
}

std::optional<std::int64_t> time_parameter(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name.c_str())) return std::nullopt;
  const std::optional<std::int64_t> time = parse_api_time(request.get_param_value(name.c_str()));
  if (!time) {
    throw ApiError(400, fmt::format("invalid parameter {}: expected ISO 8601 such as 2026-12-05T08:00:00Z or Unix "
                                    "milliseconds",
                                    name));
  }
  // The store accepts the years 1970 to 2099 only, and a bound far outside
  // would overflow when rounded to a bucket. The first instant of 2100 is
  // allowed as an exclusive end.
  const bool in_range = is_plausible_time(*time) || (*time > 0 && is_plausible_time(*time - 1));
  if (!in_range) {
    throw ApiError(400, fmt::format("invalid parameter {}: expected a time in the years 1970 to 2099", name));
  }
  return time;
}

store::Granularity granularity_parameter(const httplib::Request& request, const std::string& name,
                                         store::Granularity fallback) {
  if (!request.has_param(name.c_str())) return fallback;
  const auto granularity = store::parse_granularity(request.get_param_value(name.c_str()));
  if (!granularity) throw ApiError(400, fmt::format("invalid parameter {}: expected minute, hour or day", name));
  return *granularity;
}

std::string dimension_parameter(const httplib::Request& request, const std::string& name) {
  const std::string dimension = text_parameter(request, name);
  if (!dimension.empty() && !store::is_dimension(dimension)) {
    throw ApiError(400, fmt::format("invalid parameter {}: expected one of shop, product, category, channel, "
                                    "aspect, user",
                                    name));
  }
  return dimension;
}

double number_parameter(const httplib::Request& request, const std::string& name, double fallback, double minimum,
                        double maximum) {
  if (!request.has_param(name.c_str())) return fallback;
  const std::string text = request.get_param_value(name.c_str());
  double value = 0;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end || !(value >= minimum && value <= maximum)) {
    throw ApiError(400, fmt::format("invalid parameter {}: expected a number from {} to {}", name, minimum, maximum));
  }
  return value;
}

OpenTimeRange open_time_range_parameters(const httplib::Request& request) {
  const OpenTimeRange range{time_parameter(request, "from"), time_parameter(request, "to")};
  if (range.from && range.to && *range.from >= *range.to) {
    throw ApiError(400, "invalid parameter from: must be before to");
  }
  return range;
}

TimeRange time_range_parameters(Context& context, const httplib::Request& request, std::int64_t span_ms) {
  TimeRange range;
  const std::optional<std::int64_t> to = time_parameter(request, "to");
  const std::optional<std::int64_t> from = time_parameter(request, "from");
  if (to) {
    range.to = *to;
  } else {
    const std::optional<std::int64_t> latest = context.readers.acquire()->latest_time();
    range.to = latest ? *latest + 1 : now_ms();
  }
  range.from = from ? *from : range.to - span_ms;
  if (range.from >= range.to) throw ApiError(400, "invalid parameter from: must be before to");
  return range;
}

std::int64_t now_ms() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

}  // namespace shopsight::serve

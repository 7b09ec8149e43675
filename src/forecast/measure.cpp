// Names of the measures that can be forecast.

#include <string>

#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

constexpr std::string_view kAspectPrefix = "aspect:";
constexpr std::string_view kAspectNegativePrefix = "aspect_negative:";

}  // namespace

std::string Measure::name() const {
  switch (kind) {
    case Kind::volume:
      return "volume";
    case Kind::negative_share:
      return "negative_share";
    case Kind::aspect:
      return std::string(kAspectPrefix) + aspect;
    case Kind::mean_score:
      return "mean_score";
    case Kind::aspect_negative:
      return std::string(kAspectNegativePrefix) + aspect;
  }
  return "volume";
}

std::optional<Measure> parse_measure(std::string_view text) {
  Measure measure;
  if (text == "volume") return measure;
  if (text == "negative_share") {
    measure.kind = Measure::Kind::negative_share;
    return measure;
  }
  if (text == "mean_score") {
    measure.kind = Measure::Kind::mean_score;
    return measure;
  }
  if (text.starts_with(kAspectPrefix) && text.size() > kAspectPrefix.size()) {
    measure.kind = Measure::Kind::aspect;
    measure.aspect = std::string(text.substr(kAspectPrefix.size()));
    return measure;
  }
  if (text.starts_with(kAspectNegativePrefix) && text.size() > kAspectNegativePrefix.size()) {
    measure.kind = Measure::Kind::aspect_negative;
    measure.aspect = std::string(text.substr(kAspectNegativePrefix.size()));
    return measure;
  }
  return std::nullopt;
}

}  // namespace shopsight::forecast

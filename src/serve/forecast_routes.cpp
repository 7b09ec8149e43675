// GET /api/v1/forecast: the forecast stage's Holt-Winters forecast and
// backtest of one stored series, as `shopsight forecast` computes it.

#include "forecast/forecast.h"
#include "serve/api.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

// Most buckets of history fitted; older ones are left out. 10000 hours are
// more than a year, and 10000 days more than 27 years.
constexpr int kMaxHistoryBuckets = 10000;

/// Measure as the API names it, with the aspect category it needs.
struct MeasureRequest {
  std::string name;
  std::string aspect;
  forecast::Measure measure;
};

MeasureRequest measure_parameters(const httplib::Request& request) {
  MeasureRequest result;
  result.name = text_parameter(request, "measure");
  if (result.name.empty()) result.name = "volume";
  result.aspect = text_parameter(request, "aspect");
  const bool needs_aspect = result.name == "aspect_mentions" || result.name == "aspect_negative";
  if (needs_aspect && result.aspect.empty()) {
    throw ApiError(400, fmt::format("missing parameter aspect: measure {} needs an aspect category key", result.name));
  }
  if (!needs_aspect && !result.aspect.empty()) {
    throw ApiError(400, "invalid parameter aspect: only the measures aspect_mentions and aspect_negative take one");
  }
  using Kind = forecast::Measure::Kind;
  if (result.name == "volume") {
    result.measure.kind = Kind::volume;
  } else if (result.name == "negative_share") {
    result.measure.kind = Kind::negative_share;
  } else if (result.name == "mean_score") {
    result.measure.kind = Kind::mean_score;
  } else if (result.name == "aspect_mentions") {
    result.measure.kind = Kind::aspect;
  } else if (result.name == "aspect_negative") {
    result.measure.kind = Kind::aspect_negative;
  } else {
    throw ApiError(400, "invalid parameter measure: expected volume, negative_share, mean_score, aspect_mentions or "
                        "aspect_negative");
  }
  result.measure.aspect = result.aspect;
  return result;
}

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json forecast_json(const forecast::ValueForecast& result, const MeasureRequest& measure, double coverage,
                   const store::Store& connection) {
  const std::int64_t length = store::bucket_milliseconds(result.granularity);
  const std::int64_t offset = connection.bucket_offset();
  json history = json::array();
  for (std::size_t i = 0; i < result.history.size(); ++i) {
    const std::int64_t start = result.history_start + static_cast<std::int64_t>(i) * length;
    history.push_back({{"start", format_time(start, offset)}, {"start_ms", start}, {"value", result.history[i]}});
  }
  json points = json::array();
  for (std::size_t h = 0; h < result.result.points.size(); ++h) {
    const forecast::Point& point = result.result.points[h];
    const std::int64_t start = result.forecast_start + static_cast<std::int64_t>(h) * length;
    points.push_back({{"start", format_time(start, offset)},
                      {"start_ms", start},
                      {"value", point.mean},
                      {"lower", point.lower},
                      {"upper", point.upper}});
  }
  const forecast::Backtest& backtest = result.result.backtest;
  json body = {{"dimension", result.dimension},
               {"value", result.value},
               {"measure", measure.name},
               {"aspect", measure.aspect.empty() ? json(nullptr) : json(measure.aspect)},
               {"granularity", std::string(store::to_string(result.granularity))},
               {"method", std::string(forecast::to_string(result.result.fit.method))},
               {"period", result.result.fit.period},
               {"coverage", coverage},
               {"history", std::move(history)},
               {"forecast", std::move(points)},
               {"backtest",
                {{"holdout", backtest.holdout},
                 {"mase", optional_number(backtest.mase)},
                 {"mape", optional_number(backtest.mape)}}},
               {"warnings", forecast::warnings_json(result)}};
  body.update(bucket_zone_json(connection));
  return body;
}

}  // namespace

json handle_forecast(Context& context, const httplib::Request& request) {
  forecast::Query query;
  query.dimension = dimension_parameter(request, "dimension");
  if (query.dimension.empty()) query.dimension = "shop";
  if (query.dimension != "shop") {
    query.value = context.store.stored_value(query.dimension, text_parameter(request, "value"));
    if (query.value.empty()) throw ApiError(400, "missing parameter value: every dimension but shop needs one");
  }
  const MeasureRequest measure = measure_parameters(request);
  query.measure = measure.measure;
  query.granularity = granularity_parameter(request, "granularity", store::Granularity::day);
  if (query.granularity == store::Granularity::minute) {
    throw ApiError(400, "invalid parameter granularity: expected hour or day");
  }
  const int default_horizon = query.granularity == store::Granularity::hour ? 24 : 7;
  query.horizon = static_cast<int>(integer_parameter(request, "horizon", default_horizon, 1, 1000));
  query.coverage = number_parameter(request, "coverage", 0.95, 0.5, 0.999);
  const OpenTimeRange range = open_time_range_parameters(request);
  query.from = range.from;
  query.to = range.to;
  query.max_history = kMaxHistoryBuckets;

  std::vector<forecast::ValueForecast> forecasts;
  try {
    forecasts = forecast::forecast(*context.readers.acquire(), query);
  } catch (const forecast::UnknownAspectError& error) {
    std::string known;
    for (const std::string& category : error.known()) known += (known.empty() ? "" : ", ") + category;
    throw ApiError(400, fmt::format("invalid parameter aspect: unknown aspect category {}; the known categories are {}",
                                    error.aspect(), known));
  } catch (const forecast::NoItemsError&) {
    if (query.dimension == "shop") throw ApiError(404, "no items to forecast in the time range");
    throw ApiError(404, fmt::format("no items to forecast for {} {} in the time range", query.dimension, query.value));
  }
  if (forecasts.size() != 1) throw std::logic_error("forecast of one value returned another number of forecasts");
  return forecast_json(forecasts.front(), measure, query.coverage, context.store);
}

}  // namespace shopsight::serve

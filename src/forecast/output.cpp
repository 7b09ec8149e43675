// JSON and plain-text renderings of a value forecast.

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "common/i18n.h"
#include "common/utf8.h"
#include "common/utc_time.h"
#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

// Bucket starts at the store's offset, so that a day bucket of a store in
// Asia/Shanghai reads 2026-12-01T00:00:00+08:00, not the previous day at 16:00Z.
std::string bucket_time(const ValueForecast& forecast, std::int64_t milliseconds) {
  return offset_time_text(milliseconds, forecast.utc_offset);
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json backtest_json(const Backtest& backtest) {
  return {{"holdout", backtest.holdout},
          {"mase", optional_number(backtest.mase)},
          {"mape", optional_number(backtest.mape)},
          {"actual", backtest.actual},
          {"predicted", backtest.predicted}};
}

std::string method_text(const Fit& model) {
  switch (model.method) {
    case Method::holt_winters:
      return tr("additive Holt-Winters, season of {} buckets", model.period);
    case Method::holt:
      return tr("Holt's linear trend (history shorter than two seasons)");
    case Method::level:
      return tr("exponential smoothing of the level without a trend (fewer than {} buckets of history)",
                kMinTrendBuckets);
    case Method::mean:
      return tr("mean (fewer than 3 buckets of history)");
  }
  return {};
}

std::string per_bucket_text(store::Granularity granularity) {
  switch (granularity) {
    case store::Granularity::minute:
      return tr("per minute");
    case store::Granularity::hour:
      return tr("per hour");
    case store::Granularity::day:
      break;
  }
  return tr("per day");
}

std::string value_text(const ValueForecast& forecast) {
  if (forecast.dimension == "shop") return tr("the whole shop");
  return fmt::format("{} {}", forecast.dimension, forecast.value);
}

std::string optional_text(const std::optional<double>& value, const char* format) {
  return value ? fmt::format(fmt::runtime(format), *value) : tr("n/a");
}

std::string parameters_text(const ValueForecast& forecast) {
  const Fit& model = forecast.result.fit;
  const Parameters& p = model.parameters;
  const double sd = std::sqrt(model.residual_variance);
  const std::string start = bucket_time(forecast, forecast.history_start);
  if (model.observations == 1) {
    return tr("parameters: alpha {:.3f}, beta {:.3f}, gamma {:.3f}; residual standard deviation {:.3f} over 1 bucket "
              "from {}",
              p.alpha, p.beta, p.gamma, sd, start);
  }
  return tr("parameters: alpha {:.3f}, beta {:.3f}, gamma {:.3f}; residual standard deviation {:.3f} over {} buckets "
            "from {}",
            p.alpha, p.beta, p.gamma, sd, model.observations, start);
}

std::string backtest_text(const Backtest& backtest) {
  if (backtest.holdout == 0) return tr("backtest: the history is too short to hold any buckets out");
  const std::string mase = optional_text(backtest.mase, "{:.3f}");
  const std::string mape = optional_text(backtest.mape, "{:.1f}%");
  if (backtest.holdout == 1) return tr("backtest on the last bucket: MASE {}, MAPE {}", mase, mape);
  return tr("backtest on the last {} buckets: MASE {}, MAPE {}", backtest.holdout, mase, mape);
}

int minimum_history(const ValueForecast& forecast) {
  return short_history_buckets(season_length(forecast.granularity));
}

std::string short_history_text(const ValueForecast& forecast) {
  const int buckets = forecast.result.fit.observed;
  if (buckets == 1) {
    return tr("warning: only 1 observed bucket, fewer than the {} that this forecast needs; treat it as rough: "
              "its interval is the data's own noise",
              minimum_history(forecast));
  }
  return tr("warning: only {} observed buckets, fewer than the {} that this forecast needs; treat it as rough: "
            "its interval is widened to at least the data's own noise",
            buckets, minimum_history(forecast));
}

}  // namespace

nlohmann::json warnings_json(const ValueForecast& forecast) {
  nlohmann::json warnings = nlohmann::json::array();
  if (forecast.result.fit.short_history) {
    warnings.push_back({{"code", "short_history"},
                        {"observed_buckets", forecast.result.fit.observed},
                        {"minimum_buckets", minimum_history(forecast)},
                        {"message", short_history_text(forecast)}});
  }
  return warnings;
}

nlohmann::json to_json(const ValueForecast& forecast) {
  const Fit& model = forecast.result.fit;
  nlohmann::json points = nlohmann::json::array();
  const std::int64_t length = store::bucket_milliseconds(forecast.granularity);
  for (std::size_t h = 0; h < forecast.result.points.size(); ++h) {
    const Point& point = forecast.result.points[h];
    points.push_back({{"start", bucket_time(forecast, forecast.forecast_start + static_cast<std::int64_t>(h) * length)},
                      {"mean", point.mean},
                      {"lower", point.lower},
                      {"upper", point.upper}});
  }
  return {{"dimension", forecast.dimension},
          {"value", forecast.value},
          {"measure", forecast.measure.name()},
          {"granularity", std::string(store::to_string(forecast.granularity))},
          {"method", std::string(to_string(model.method))},
          {"period", model.period},
          {"parameters", {{"alpha", model.parameters.alpha}, {"beta", model.parameters.beta},
                          {"gamma", model.parameters.gamma}}},
          {"residual_sd", std::sqrt(model.residual_variance)},
          {"history_start", bucket_time(forecast, forecast.history_start)},
          {"history_buckets", forecast.history.size()},
          {"history", forecast.history},
          {"forecast", points},
          {"backtest", backtest_json(forecast.result.backtest)},
          {"warnings", warnings_json(forecast)}};
}

std::string format_text(const ValueForecast& forecast) {
  const Fit& model = forecast.result.fit;
  std::string out = tr("Forecast of {} {} for {}", forecast.measure.name(), per_bucket_text(forecast.granularity),
                       value_text(forecast)) +
                    "\n";
  out += tr("method: {}", method_text(model)) + "\n";
  out += parameters_text(forecast) + "\n";
  out += backtest_text(forecast.result.backtest) + "\n";
  if (model.short_history) out += short_history_text(forecast) + "\n";
  // fmt pads by code points, so Chinese headings would end up out of line with the numbers.
  out += utf8::pad_right(tr("bucket start"), 27) + utf8::pad_left(tr("forecast"), 12) + utf8::pad_left(tr("lower"), 12) +
         utf8::pad_left(tr("upper"), 12) + "\n";
  const std::int64_t length = store::bucket_milliseconds(forecast.granularity);
  for (std::size_t h = 0; h < forecast.result.points.size(); ++h) {
    const Point& point = forecast.result.points[h];
    out += fmt::format("{:<27}{:>12.3f}{:>12.3f}{:>12.3f}\n",
                       bucket_time(forecast, forecast.forecast_start + static_cast<std::int64_t>(h) * length), point.mean,
                       point.lower, point.upper);
  }
  return out;
}

}  // namespace shopsight::forecast

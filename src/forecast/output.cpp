// JSON and plain-text renderings of a value forecast.

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <cmath>
#include <string>

#include "common/i18n.h"
#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

std::string iso_time(std::int64_t milliseconds) {
  const auto seconds = static_cast<std::time_t>(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(seconds));
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

}  // namespace

nlohmann::json to_json(const ValueForecast& forecast) {
  const Fit& model = forecast.result.fit;
  nlohmann::json points = nlohmann::json::array();
  const std::int64_t length = store::bucket_milliseconds(forecast.granularity);
  for (std::size_t h = 0; h < forecast.result.points.size(); ++h) {
    const Point& point = forecast.result.points[h];
    points.push_back({{"start", iso_time(forecast.forecast_start + static_cast<std::int64_t>(h) * length)},
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
          {"history_start", iso_time(forecast.history_start)},
          {"history_buckets", forecast.history.size()},
          {"history", forecast.history},
          {"forecast", points},
          {"backtest", backtest_json(forecast.result.backtest)}};
}

std::string format_text(const ValueForecast& forecast) {
  const Fit& model = forecast.result.fit;
  const Backtest& backtest = forecast.result.backtest;
  std::string out = tr("Forecast of {} {} for {}", forecast.measure.name(), per_bucket_text(forecast.granularity),
                       value_text(forecast)) +
                    "\n";
  out += tr("method: {}", method_text(model)) + "\n";
  out += tr("parameters: alpha {:.3f}, beta {:.3f}, gamma {:.3f}; residual standard deviation {:.3f} over {} buckets "
            "from {}",
            model.parameters.alpha, model.parameters.beta, model.parameters.gamma,
            std::sqrt(model.residual_variance), model.observations, iso_time(forecast.history_start)) +
         "\n";
  if (backtest.holdout > 0) {
    out += tr("backtest on the last {} buckets: MASE {}, MAPE {}", backtest.holdout,
              optional_text(backtest.mase, "{:.3f}"), optional_text(backtest.mape, "{:.1f}%")) +
           "\n";
  } else {
    out += tr("backtest: the history is too short to hold any buckets out") + "\n";
  }
  out += fmt::format("{:<22}{:>12}{:>12}{:>12}\n", tr("bucket start"), tr("forecast"), tr("lower"), tr("upper"));
  const std::int64_t length = store::bucket_milliseconds(forecast.granularity);
  for (std::size_t h = 0; h < forecast.result.points.size(); ++h) {
    const Point& point = forecast.result.points[h];
    out += fmt::format("{:<22}{:>12.3f}{:>12.3f}{:>12.3f}\n",
                       iso_time(forecast.forecast_start + static_cast<std::int64_t>(h) * length), point.mean,
                       point.lower, point.upper);
  }
  return out;
}

}  // namespace shopsight::forecast

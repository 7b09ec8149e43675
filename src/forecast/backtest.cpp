// Scores a forecast on the most recent part of its own history.

#include <algorithm>
#include <cmath>
#include <vector>

#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

// Mean absolute error of the seasonal naive forecast (the value one season
// earlier) over the training part; MASE divides by it so that 1 means "as
// good as repeating last season". Without a full season the lag is 1.
std::optional<double> naive_scale(std::span<const double> train, int period) {
  const std::size_t lag = period > 1 && train.size() > static_cast<std::size_t>(period)
                              ? static_cast<std::size_t>(period)
                              : 1;
  if (train.size() <= lag) return std::nullopt;
  double sum = 0;
  for (std::size_t t = lag; t < train.size(); ++t) sum += std::abs(train[t] - train[t - lag]);
  const double scale = sum / static_cast<double>(train.size() - lag);
  if (!(scale > 0)) return std::nullopt;
  return scale;
}

std::optional<double> mean_absolute_percentage_error(const std::vector<double>& actual,
                                                     const std::vector<double>& predicted) {
  double sum = 0;
  int count = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] == 0) continue;
    sum += std::abs(actual[i] - predicted[i]) / std::abs(actual[i]);
    ++count;
  }
  if (count == 0) return std::nullopt;
  return 100 * sum / count;
}

}  // namespace

Backtest backtest(std::span<const double> history, int period, int horizon, Bounds bounds,
                  const Sampling& sampling) {
  std::vector<double> clean(history.begin(), history.end());
  for (double& v : clean) {
    if (!std::isfinite(v)) v = 0;
  }
  Backtest result;
  const int n = static_cast<int>(clean.size());
  const int holdout = std::min(horizon, n / 3);
  if (holdout < 1) return result;

  const auto train = std::span<const double>(clean).first(static_cast<std::size_t>(n - holdout));
  Sampling train_sampling;
  train_sampling.noise_variance = sampling.noise_variance;
  if (sampling.weights.size() == clean.size()) {
    train_sampling.weights.assign(sampling.weights.begin(), sampling.weights.end() - holdout);
  }
  const Fit model = fit(train, period, train_sampling);
  const std::vector<Point> points = predict(model, holdout, 0.95, bounds);
  result.holdout = holdout;
  result.actual.assign(clean.end() - holdout, clean.end());
  for (const Point& point : points) result.predicted.push_back(point.mean);

  double absolute_error = 0;
  for (int i = 0; i < holdout; ++i) absolute_error += std::abs(result.actual[i] - result.predicted[i]);
  if (const auto scale = naive_scale(train, period)) result.mase = absolute_error / holdout / *scale;
  result.mape = mean_absolute_percentage_error(result.actual, result.predicted);
  return result;
}

SeriesForecast forecast_series(std::span<const double> history, int period, int horizon, double coverage,
                               Bounds bounds, const Sampling& sampling) {
  SeriesForecast result;
  result.fit = fit(history, period, sampling);
  result.points = predict(result.fit, horizon, coverage, bounds);
  result.backtest = backtest(history, period, horizon, bounds, sampling);
  return result;
}

}  // namespace shopsight::forecast

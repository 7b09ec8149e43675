// Additive Holt-Winters in error-correction form, fitted by minimizing the
// one-step squared error, and its forecasts with prediction intervals.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

/// Level, trend and seasonal states just before the next observation.
struct State {
  double level = 0;
  double trend = 0;
  std::vector<double> seasonal;
};

/// Search coordinates in the unit cube, mapped to the admissible region so
/// that the search never has to handle constraints between parameters.
struct Coordinates {
  double alpha = 0.5;
  double beta_share = 0;   ///< beta as a share of alpha
  double gamma_share = 0;  ///< gamma as a share of 1 - alpha
};

constexpr double kMinAlpha = 0.001;
constexpr double kMaxAlpha = 0.999;

Parameters to_parameters(const Coordinates& c, bool seasonal) {
  Parameters p;
  p.alpha = std::clamp(c.alpha, kMinAlpha, kMaxAlpha);
  p.beta = p.alpha * std::clamp(c.beta_share, 0.0, 1.0);
  p.gamma = seasonal ? (1 - p.alpha) * std::clamp(c.gamma_share, 0.0, 1.0) : 0.0;
  return p;
}

double mean_of(std::span<const double> values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Classical decomposition over the complete seasons: the trend joins the
// first and last season means, and each phase's seasonal state is its mean
// deviation from the trend line, centred to sum to zero.
State initial_seasonal_state(std::span<const double> x, int period) {
  const std::size_t m = static_cast<std::size_t>(period);
  const std::size_t seasons = x.size() / m;
  std::vector<double> season_means(seasons);
  for (std::size_t j = 0; j < seasons; ++j) season_means[j] = mean_of(x.subspan(j * m, m));

  State state;
  state.trend = (season_means.back() - season_means.front()) / static_cast<double>((seasons - 1) * m);
  state.seasonal.assign(m, 0.0);
  const double centre = (static_cast<double>(m) - 1) / 2;
  for (std::size_t j = 0; j < seasons; ++j) {
    for (std::size_t i = 0; i < m; ++i) {
      const double trend_line = season_means[j] + (static_cast<double>(i) - centre) * state.trend;
      state.seasonal[i] += (x[j * m + i] - trend_line) / static_cast<double>(seasons);
    }
  }
  const double offset = mean_of(state.seasonal);
  for (double& s : state.seasonal) s -= offset;

  // The level one step before the first observation.
  state.level = season_means.front() - (centre + 1) * state.trend;
  return state;
}

// Level and trend from the first few differences; the level is set one step
// before the first observation so that its one-step error is zero. Without
// a trend the level is the first observation.
State initial_trend_state(std::span<const double> x, bool trend) {
  const std::size_t differences = std::min<std::size_t>(x.size() - 1, 4);
  State state;
  state.trend = trend ? (x[differences] - x[0]) / static_cast<double>(differences) : 0.0;
  state.level = x[0] - state.trend;
  return state;
}

/// A series with the trust in each of its buckets; no weights means 1 each.
struct Weighted {
  std::span<const double> x;
  std::span<const double> weights;

  double weight(std::size_t t) const { return weights.empty() ? 1.0 : weights[t]; }
};

// Runs the smoothing recursion over the series from `state` and returns the
// weighted sum of squared one-step errors; `state` ends after the last
// observation. A bucket's weight scales its update, so a nearly empty bucket
// barely moves the states and an empty one only carries them forward.
double smooth(const Weighted& series, const Parameters& p, State& state) {
  const bool seasonal = !state.seasonal.empty();
  const std::size_t m = state.seasonal.size();
  double sse = 0;
  for (std::size_t t = 0; t < series.x.size(); ++t) {
    const double season = seasonal ? state.seasonal[t % m] : 0.0;
    const double error = series.x[t] - (state.level + state.trend + season);
    const double w = series.weight(t);
    sse += w * error * error;
    state.level += state.trend + p.alpha * w * error;
    state.trend += p.beta * w * error;
    if (seasonal) state.seasonal[t % m] += p.gamma * w * error;
  }
  return sse;
}

double sse_at(const Weighted& series, const State& initial, const Coordinates& c) {
  State state = initial;
  const double sse = smooth(series, to_parameters(c, !initial.seasonal.empty()), state);
  return std::isfinite(sse) ? sse : std::numeric_limits<double>::infinity();
}

// Coarse grid over the unit cube; the local search refines the best point.
Coordinates grid_search(const Weighted& x, const State& initial, bool trend) {
  constexpr std::array<double, 5> kShares = {0.0, 0.1, 0.25, 0.5, 1.0};
  const bool seasonal = !initial.seasonal.empty();
  Coordinates best;
  double best_sse = std::numeric_limits<double>::infinity();
  for (int a = 0; a < 10; ++a) {
    for (double beta_share : kShares) {
      for (double gamma_share : kShares) {
        if ((!seasonal && gamma_share > 0) || (!trend && beta_share > 0)) continue;
        const Coordinates c{0.05 + 0.1 * a, beta_share, gamma_share};
        const double sse = sse_at(x, initial, c);
        if (sse < best_sse) {
          best_sse = sse;
          best = c;
        }
      }
    }
  }
  return best;
}

// Pattern search: try a step up and down on each coordinate, keep any
// improvement, and halve the step when none helps. The round limit bounds
// the time on a flat error surface where each move gains almost nothing.
Coordinates local_search(const Weighted& x, const State& initial, bool trend, Coordinates start) {
  constexpr int kMaxRounds = 500;
  const int dimensions = !trend ? 1 : initial.seasonal.empty() ? 2 : 3;
  Coordinates best = start;
  double best_sse = sse_at(x, initial, best);
  double step = 0.05;
  for (int round = 0; round < kMaxRounds && step > 1e-3; ++round) {
    bool improved = false;
    for (int d = 0; d < dimensions; ++d) {
      for (double sign : {1.0, -1.0}) {
        Coordinates trial = best;
        if (d == 0) {
          trial.alpha = std::clamp(trial.alpha + sign * step, kMinAlpha, kMaxAlpha);
        } else if (d == 1) {
          trial.beta_share = std::clamp(trial.beta_share + sign * step, 0.0, 1.0);
        } else {
          trial.gamma_share = std::clamp(trial.gamma_share + sign * step, 0.0, 1.0);
        }
        const double sse = sse_at(x, initial, trial);
        if (sse < best_sse) {
          best_sse = sse;
          best = trial;
          improved = true;
        }
      }
    }
    if (!improved) step /= 2;
  }
  return best;
}

double total_weight(const Weighted& series) {
  double total = 0;
  for (std::size_t t = 0; t < series.x.size(); ++t) total += series.weight(t);
  return total;
}

Fit fit_mean(const Weighted& series) {
  Fit model;
  model.method = Method::mean;
  model.observations = static_cast<int>(series.x.size());
  const double total = total_weight(series);
  if (total > 0) {
    for (std::size_t t = 0; t < series.x.size(); ++t) model.level += series.weight(t) * series.x[t] / total;
  }
  for (std::size_t t = 0; t < series.x.size(); ++t) {
    model.sse += series.weight(t) * (series.x[t] - model.level) * (series.x[t] - model.level);
  }
  model.residual_variance = total > 1 ? model.sse / (total - 1) : 0.0;
  return model;
}

// Von Neumann's estimate of the noise variance from successive differences
// of the buckets with weight: half their mean square. A slow trend barely
// changes it, so it is a floor that a short history cannot fit away.
double successive_difference_variance(const Weighted& series) {
  double sum = 0;
  int count = 0;
  std::optional<double> previous;
  for (std::size_t t = 0; t < series.x.size(); ++t) {
    if (series.weight(t) <= 0) continue;
    if (previous) {
      sum += (series.x[t] - *previous) * (series.x[t] - *previous);
      ++count;
    }
    previous = series.x[t];
  }
  return count > 0 ? sum / (2.0 * count) : 0.0;
}

// Inverse of the standard normal distribution function by bisection on
// erfc, which is accurate enough for interval widths and needs no table.
double normal_quantile(double probability) {
  double low = -10;
  double high = 10;
  for (int i = 0; i < 200; ++i) {
    const double middle = (low + high) / 2;
    if (0.5 * std::erfc(-middle / std::sqrt(2.0)) < probability) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return (low + high) / 2;
}

// Growth of the forecast variance with the horizon for the additive model:
// var(h) = sigma^2 * (1 + sum over j < h of c_j^2), c_j = alpha + j*beta
// (+ gamma when j is a whole number of seasons).
double variance_factor(const Fit& model, int h) {
  if (model.method == Method::mean) return 1 + 1.0 / std::max(1, model.observed);
  double factor = 1;
  for (int j = 1; j < h; ++j) {
    double c = model.parameters.alpha + j * model.parameters.beta;
    if (model.method == Method::holt_winters && j % model.period == 0) c += model.parameters.gamma;
    factor += c * c;
  }
  return factor;
}

double clip(double value, Bounds bounds) {
  switch (bounds) {
    case Bounds::non_negative:
      return std::max(0.0, value);
    case Bounds::unit_interval:
      return std::clamp(value, 0.0, 1.0);
    case Bounds::score_interval:
      return std::clamp(value, -1.0, 1.0);
    case Bounds::none:
      break;
  }
  return value;
}

// Holt-Winters, Holt, or the level alone, by the number of observed buckets.
Fit fit_smoothing(const Weighted& series, int period, int observed) {
  const std::size_t n = series.x.size();
  const bool seasonal = period > 1 && observed >= 2 * period;
  const bool trend = seasonal || observed >= kMinTrendBuckets;
  const State initial = seasonal ? initial_seasonal_state(series.x, period) : initial_trend_state(series.x, trend);
  const Coordinates best = local_search(series, initial, trend, grid_search(series, initial, trend));

  Fit model;
  model.method = Method::level;
  if (trend) model.method = seasonal ? Method::holt_winters : Method::holt;
  model.period = seasonal ? period : 1;
  model.parameters = to_parameters(best, seasonal);
  model.observations = static_cast<int>(n);
  State state = initial;
  model.sse = smooth(series, model.parameters, state);
  model.level = state.level;
  model.trend = state.trend;
  model.seasonal = std::move(state.seasonal);

  // Degrees of freedom lost to the smoothing parameters and the initial
  // states, so that short histories get wider intervals. With weights, the
  // buckets count by their weight.
  int parameters = 1 + 1;
  if (trend) parameters = seasonal ? 3 + 2 + (period - 1) : 2 + 2;
  const double freedom = std::max(1.0, total_weight(series) - parameters);
  model.residual_variance = model.sse / freedom;
  return model;
}

}  // namespace

std::string_view to_string(Method method) {
  switch (method) {
    case Method::mean:
      return "mean";
    case Method::level:
      return "level";
    case Method::holt:
      return "holt";
    case Method::holt_winters:
      return "holt_winters";
  }
  return "mean";
}

int season_length(store::Granularity granularity) {
  switch (granularity) {
    case store::Granularity::hour:
      return 24;
    case store::Granularity::day:
      return 7;
    case store::Granularity::minute:
      break;
  }
  return 1;
}

int short_history_buckets(int period) { return std::max(2 * period, kMinTrendBuckets); }

Fit fit(std::span<const double> history, int period, const Sampling& sampling) {
  std::vector<double> x(history.begin(), history.end());
  for (double& v : x) {
    if (!std::isfinite(v)) v = 0;
  }
  std::vector<double> weights;
  if (sampling.weights.size() == x.size()) {
    for (double w : sampling.weights) weights.push_back(std::isfinite(w) ? std::clamp(w, 0.0, 1.0) : 0.0);
  }
  const Weighted series{x, weights};
  // Buckets count by their weight, so empty buckets that repeat the last ratio
  // and a run of small ones do not make a history long enough for a trend.
  const double total = total_weight(series);
  const int observed = total > 0 ? std::max(1, static_cast<int>(std::lround(total))) : 0;
  Fit model = observed < 3 ? fit_mean(series) : fit_smoothing(series, period, observed);
  model.observed = observed;
  model.short_history = observed < short_history_buckets(period);
  if (model.short_history) {
    // Estimated parameters fit a few buckets too well (three on a line leave
    // no residual), so the spread is at least the data's own noise.
    model.residual_variance = std::max(
        {model.residual_variance, successive_difference_variance(series), std::max(0.0, sampling.noise_variance)});
  }
  return model;
}

std::vector<Point> predict(const Fit& model, int horizon, double coverage, Bounds bounds) {
  const double z = normal_quantile(1 - (1 - std::clamp(coverage, 0.0, 0.999999)) / 2);
  std::vector<Point> points;
  points.reserve(static_cast<std::size_t>(std::max(0, horizon)));
  for (int h = 1; h <= horizon; ++h) {
    double mean = model.level + h * model.trend;
    if (!model.seasonal.empty()) {
      mean += model.seasonal[static_cast<std::size_t>(model.observations + h - 1) % model.seasonal.size()];
    }
    const double half_width = z * std::sqrt(std::max(0.0, model.residual_variance) * variance_factor(model, h));
    // The interval is centred on the clipped forecast, so a share that trends
    // below 0 keeps an upper bound above 0 while the data have any spread.
    const double clipped = clip(mean, bounds);
    points.push_back({clipped, clip(clipped - half_width, bounds), clip(clipped + half_width, bounds)});
  }
  return points;
}

}  // namespace shopsight::forecast

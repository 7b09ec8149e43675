#pragma once

// Forecast: additive Holt-Winters forecasts of stored time series (volume,
// negative share, mean score, aspect mentions) with prediction intervals, and a backtest
// that scores each forecast on the most recent history it did not see.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "store/store.h"

namespace shopsight::forecast {

/// Thrown by forecast() when the store, or the requested value within the
/// history range, has no items to build a history from.
class NoItemsError : public Error {
 public:
  using Error::Error;
};

/// Thrown by forecast() when an aspect measure names a category that is
/// neither a standard one nor one of the store's items.
class UnknownAspectError : public Error {
 public:
  UnknownAspectError(std::string aspect, std::vector<std::string> known);

  const std::string& aspect() const { return aspect_; }

  /// Standard categories and those of the store's items, sorted.
  const std::vector<std::string>& known() const { return known_; }

 private:
  std::string aspect_;
  std::vector<std::string> known_;
};

/// Model family chosen for a series.
enum class Method {
  mean,           ///< fewer than 3 observations: the mean, with the sample spread
  level,          ///< level only (simple exponential smoothing), below kMinTrendBuckets
  holt,           ///< level and trend, for histories shorter than two seasons
  holt_winters,   ///< level, trend and additive seasonality
};

/// "mean", "level", "holt" or "holt_winters".
std::string_view to_string(Method method);

/// Histories shorter than this get no trend: a slope from fewer buckets is
/// mostly noise, and extrapolating it sends a young product to 0.
inline constexpr int kMinTrendBuckets = 10;

/// Length below which a history is short for season length `period`: two
/// seasons, and at least kMinTrendBuckets. Short histories get a floor
/// under their residual variance and a warning.
int short_history_buckets(int period);

/// Sampling details of a series beyond its values: bucket weights and counting noise.
struct Sampling {
  /// Trust in each bucket, in [0, 1]; empty: every bucket counts fully. For
  /// a ratio, the bucket's item count over the mean count of the buckets with
  /// items, or over kFullRatioItems when that is larger (at most 1), and 0
  /// for an empty bucket that repeats the last ratio.
  std::vector<double> weights;
  /// Variance of one bucket from counting noise alone (Poisson for counts,
  /// binomial for shares); a short history's residual variance is at least this.
  double noise_variance = 0;
};

/// Range that forecasts and interval bounds are clipped to.
enum class Bounds {
  none,           ///< any real number
  non_negative,   ///< counts: [0, inf)
  unit_interval,  ///< shares: [0, 1]
  score_interval, ///< sentiment scores: [-1, 1]
};

/// Smoothing parameters in error-correction form: after the one-step error e,
/// level += trend + alpha*e, trend += beta*e, season += gamma*e. The
/// admissible region is 0 <= beta <= alpha and 0 <= gamma <= 1 - alpha.
struct Parameters {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
};

/// A model fitted to one series, ready to forecast from its end.
struct Fit {
  Method method = Method::mean;
  int period = 1;                    ///< season length in buckets; 1 without seasonality
  Parameters parameters;
  double level = 0;                  ///< state after the last observation
  double trend = 0;
  std::vector<double> seasonal;      ///< one per phase, indexed by (time mod period); empty without seasonality
  int observations = 0;              ///< length of the fitted history
  int observed = 0;                  ///< sum of the bucket weights, rounded: the observations that choose the method
  bool short_history = false;        ///< fewer than short_history_buckets(period) observed buckets
  double residual_variance = 0;      ///< one-step squared error, corrected for the fitted parameters
  double sse = 0;                    ///< sum of squared one-step errors
};

/// One forecast bucket: the point forecast and its prediction interval.
struct Point {
  double mean = 0;
  double lower = 0;
  double upper = 0;
};

/// Forecast accuracy on held-out history.
struct Backtest {
  int holdout = 0;                   ///< buckets held out; 0 when the history was too short
  std::optional<double> mase;        ///< mean absolute error over the in-sample seasonal naive error
  std::optional<double> mape;        ///< mean absolute percentage error over non-zero actuals, in percent
  std::vector<double> actual;        ///< held-out values
  std::vector<double> predicted;     ///< forecasts of them
};

/// Fitted model, forecast and backtest of one series.
struct SeriesForecast {
  Fit fit;
  std::vector<Point> points;
  Backtest backtest;
};

/// Fits additive Holt-Winters with season length `period` when the history
/// has two seasons of observed buckets, Holt's linear trend when it has
/// fewer, the level alone below kMinTrendBuckets, and the mean below 3. Smoothing
/// parameters minimize the one-step squared error, weighted by
/// `sampling.weights`: a coarse grid, then a local search. Non-finite inputs
/// count as 0.
Fit fit(std::span<const double> history, int period, const Sampling& sampling = {});

/// Forecasts `horizon` buckets after the end of the fitted history, with
/// intervals at `coverage` (for example 0.95). The point forecast is clipped
/// to `bounds` first and the interval is centred on it, so that a forecast
/// clipped to 0 keeps an upper bound above 0 while the spread is above 0.
std::vector<Point> predict(const Fit& model, int horizon, double coverage, Bounds bounds);

/// Holds out the last min(horizon, n/3) buckets, refits on the rest and
/// scores the forecast of the held-out part.
Backtest backtest(std::span<const double> history, int period, int horizon, Bounds bounds,
                  const Sampling& sampling = {});

/// Fit, forecast and backtest of one series in one call.
SeriesForecast forecast_series(std::span<const double> history, int period, int horizon, double coverage,
                               Bounds bounds, const Sampling& sampling = {});

/// Season length of a bucket size: 24 for hours, 7 for days, 1 for minutes.
int season_length(store::Granularity granularity);

/// Quantity that is forecast per bucket.
struct Measure {
  enum class Kind {
    volume,           ///< items
    negative_share,   ///< negative items / items
    aspect,           ///< mentions of one aspect category
    mean_score,       ///< mean sentiment score of the items
    aspect_negative,  ///< negative mentions of one aspect category
  };
  Kind kind = Kind::volume;
  std::string aspect;                ///< aspect category for Kind::aspect and Kind::aspect_negative

  /// "volume", "negative_share", "mean_score", "aspect:CATEGORY" or "aspect_negative:CATEGORY".
  std::string name() const;
};

/// Parses the names that Measure::name() returns; nullopt for anything else.
std::optional<Measure> parse_measure(std::string_view text);

/// Request of forecast(): the series to read from the store and the horizon.
struct Query {
  std::string dimension = "shop";
  std::string value;                 ///< empty: the shop, or the `top` largest values of another dimension
  Measure measure;
  store::Granularity granularity = store::Granularity::day;
  int horizon = 7;                   ///< buckets to forecast
  int top = 10;                      ///< values forecast when `value` is empty
  int max_history = 0;               ///< most recent buckets used; 0 uses all
  double coverage = 0.95;            ///< probability of the prediction intervals
  std::optional<std::int64_t> from;  ///< history starts at the bucket of this time (Unix ms) or later
  std::optional<std::int64_t> to;    ///< history ends with the bucket of the time just before this one (Unix ms)
  std::optional<std::int64_t> now;   ///< wall-clock time, Unix ms; the system clock when unset
};

/// Forecast of one dimension value.
struct ValueForecast {
  std::string dimension;
  std::string value;
  Measure measure;
  store::Granularity granularity = store::Granularity::day;
  std::int64_t history_start = 0;    ///< first bucket used, Unix ms
  std::vector<double> history;       ///< the measured series, one value per bucket
  std::int64_t forecast_start = 0;   ///< first forecast bucket, Unix ms
  std::int64_t utc_offset = 0;       ///< offset of the store's bucket time zone, ms, for showing bucket starts
  SeriesForecast result;
};

/// Forecasts the measure for one value, or for the largest values of the
/// dimension when `query.value` is empty. History runs from the first bucket
/// with items to the bucket of the latest stored item, within `query.from`
/// and `query.to` when set. Without `query.to`, the latest item's bucket is
/// left out while `query.now` lies inside it, because it is still filling.
/// The forecast then starts with that bucket. Throws NoItemsError for an empty store or a value
/// without items in that range, UnknownAspectError for an unknown aspect category, and
/// shopsight::Error for another invalid query.
std::vector<ValueForecast> forecast(const store::Store& store, const Query& query);

/// JSON object of one value forecast, with bucket times in ISO 8601 at the
/// store's UTC offset (Z for UTC).
nlohmann::json to_json(const ValueForecast& forecast);

/// JSON array of the caveats of one forecast (code, figures and a localized
/// message each), empty when there are none.
nlohmann::json warnings_json(const ValueForecast& forecast);

/// Localized plain-text table of one value forecast.
std::string format_text(const ValueForecast& forecast);

}  // namespace shopsight::forecast

// Holt-Winters fitting, intervals and backtests on synthetic series.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

// Level 100, trend 0.5 per bucket and a daily cycle of amplitude 10.
double seasonal_value(int t) { return 100 + 0.5 * t + 10 * std::sin(2 * std::numbers::pi * t / 24); }

std::vector<double> seasonal_series(int length, double noise, std::mt19937& random) {
  std::normal_distribution<double> error(0, noise);
  std::vector<double> values;
  for (int t = 0; t < length; ++t) values.push_back(seasonal_value(t) + (noise > 0 ? error(random) : 0.0));
  return values;
}

void expect_finite(const std::vector<Point>& points) {
  for (const Point& point : points) {
    EXPECT_TRUE(std::isfinite(point.mean));
    EXPECT_TRUE(std::isfinite(point.lower));
    EXPECT_TRUE(std::isfinite(point.upper));
    EXPECT_LE(point.lower, point.mean);
    EXPECT_LE(point.mean, point.upper);
  }
}

TEST(ForecastFit, RecoversKnownSeasonalSeries) {
  std::mt19937 random(1);
  const std::vector<double> history = seasonal_series(24 * 8, 0, random);
  const Fit model = fit(history, 24);
  ASSERT_EQ(model.method, Method::holt_winters);
  EXPECT_EQ(model.period, 24);

  const std::vector<Point> points = predict(model, 48, 0.95, Bounds::none);
  ASSERT_EQ(points.size(), 48u);
  for (int h = 0; h < 48; ++h) {
    EXPECT_NEAR(points[h].mean, seasonal_value(24 * 8 + h), 0.5) << "h=" << h + 1;
  }
}

TEST(ForecastFit, ParametersStayAdmissible) {
  std::mt19937 random(2);
  const std::vector<double> history = seasonal_series(24 * 5, 4, random);
  const Fit model = fit(history, 24);
  EXPECT_GE(model.parameters.alpha, 0.0);
  EXPECT_LE(model.parameters.alpha, 1.0);
  EXPECT_GE(model.parameters.beta, 0.0);
  EXPECT_LE(model.parameters.beta, model.parameters.alpha);
  EXPECT_GE(model.parameters.gamma, 0.0);
  EXPECT_LE(model.parameters.gamma, 1 - model.parameters.alpha + 1e-12);
}

// The weekly pattern changes halfway; only a seasonal update (gamma > 0)
// can follow it, because the initial states average both halves.
TEST(ForecastFit, AdaptsToChangedSeason) {
  std::mt19937 random(8);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> offset(-10, 10);
  std::vector<double> before(7);
  std::vector<double> after(7);
  for (int i = 0; i < 7; ++i) {
    before[i] = offset(random);
    after[i] = offset(random);
  }
  std::vector<double> history;
  for (int t = 0; t < 7 * 40; ++t) history.push_back(50 + (t < 7 * 20 ? before[t % 7] : after[t % 7]) + noise(random));

  const Fit model = fit(history, 7);
  EXPECT_GT(model.parameters.gamma, 0.1);
  const std::vector<Point> points = predict(model, 7, 0.95, Bounds::none);
  for (int h = 0; h < 7; ++h) EXPECT_NEAR(points[h].mean, 50 + after[h], 2.0) << "h=" << h + 1;
}

TEST(ForecastFit, LinearTrendWithoutSeason) {
  std::vector<double> history;
  for (int t = 0; t < 20; ++t) history.push_back(3 + 2 * t);
  const Fit model = fit(history, 24);
  ASSERT_EQ(model.method, Method::holt);
  const std::vector<Point> points = predict(model, 5, 0.95, Bounds::none);
  for (int h = 0; h < 5; ++h) EXPECT_NEAR(points[h].mean, 3 + 2 * (20 + h), 1e-6);
}

// Draws many noisy series with a known future and counts how often the 95 %
// interval contains the true value. Parameter estimation widens the real
// error a little, so the band is loose but still rejects a wrong variance formula.
TEST(ForecastIntervals, CoverAboutNinetyFivePercent) {
  std::mt19937 random(20261205);
  const int draws = 150;
  const int history_length = 24 * 20;
  const int horizon = 12;
  int inside = 0;
  int total = 0;
  for (int draw = 0; draw < draws; ++draw) {
    const std::vector<double> series = seasonal_series(history_length + horizon, 3, random);
    const std::vector<double> history(series.begin(), series.begin() + history_length);
    const std::vector<Point> points = predict(fit(history, 24), horizon, 0.95, Bounds::none);
    for (int h = 0; h < horizon; ++h) {
      const double actual = series[static_cast<std::size_t>(history_length + h)];
      inside += points[h].lower <= actual && actual <= points[h].upper ? 1 : 0;
      ++total;
    }
  }
  const double coverage = static_cast<double>(inside) / total;
  EXPECT_GT(coverage, 0.93);
  EXPECT_LT(coverage, 0.98);
}

TEST(ForecastIntervals, WidenWithHorizon) {
  std::mt19937 random(3);
  const std::vector<double> history = seasonal_series(24 * 4, 2, random);
  const std::vector<Point> points = predict(fit(history, 24), 30, 0.95, Bounds::none);
  for (std::size_t h = 1; h < points.size(); ++h) {
    EXPECT_GE(points[h].upper - points[h].lower, points[h - 1].upper - points[h - 1].lower - 1e-9);
  }
}

TEST(ForecastIntervals, SharesClippedToUnitInterval) {
  std::mt19937 random(4);
  std::uniform_real_distribution<double> share(0.0, 0.2);
  std::vector<double> history;
  for (int t = 0; t < 60; ++t) history.push_back(share(random));
  const std::vector<Point> points = predict(fit(history, 7), 14, 0.95, Bounds::unit_interval);
  for (const Point& point : points) {
    EXPECT_GE(point.lower, 0.0);
    EXPECT_LE(point.upper, 1.0);
  }
  EXPECT_DOUBLE_EQ(points.front().lower, 0.0);
}

TEST(ForecastShortHistory, UsesMeanBelowThreeBuckets) {
  const std::vector<double> history = {4, 6};
  const Fit model = fit(history, 7);
  EXPECT_EQ(model.method, Method::mean);
  const std::vector<Point> points = predict(model, 3, 0.95, Bounds::non_negative);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_DOUBLE_EQ(points[0].mean, 5.0);
  EXPECT_GT(points[0].upper, 5.0);
  expect_finite(points);
}

// Three buckets on a line leave no residual. The interval must still be
// wide, and the line must not run to 0.
TEST(ForecastShortHistory, ThreeBucketsOnALineKeepWidth) {
  const std::vector<double> history = {40, 30, 20};
  const Fit model = fit(history, 7);
  EXPECT_EQ(model.method, Method::level);
  EXPECT_TRUE(model.short_history);
  EXPECT_DOUBLE_EQ(model.trend, 0.0);
  const std::vector<Point> points = predict(model, 4, 0.95, Bounds::non_negative);
  for (const Point& point : points) {
    EXPECT_GT(point.mean, 15.0);
    EXPECT_GT(point.upper - point.lower, 20.0);
  }
  expect_finite(points);
}

TEST(ForecastShortHistory, OneBucketTakesTheNoiseFloor) {
  Sampling sampling;
  sampling.noise_variance = 10.5;
  const std::vector<Point> points = predict(fit(std::vector<double>{10}, 7, sampling), 1, 0.95, Bounds::non_negative);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_DOUBLE_EQ(points[0].mean, 10.0);
  EXPECT_LT(points[0].lower, 5.0);
  EXPECT_GT(points[0].upper, 15.0);
}

TEST(ForecastShortHistory, ThresholdIsTwoSeasonsOrTenBuckets) {
  EXPECT_EQ(short_history_buckets(7), 14);
  EXPECT_EQ(short_history_buckets(24), 48);
  EXPECT_EQ(short_history_buckets(1), kMinTrendBuckets);
  std::mt19937 random(8);
  EXPECT_TRUE(fit(seasonal_series(13, 1, random), 7).short_history);
  EXPECT_FALSE(fit(seasonal_series(14, 1, random), 7).short_history);
  // A long constant history is the one case with an interval of zero width.
  const std::vector<Point> points = predict(fit(std::vector<double>(30, 5.0), 7), 3, 0.95, Bounds::non_negative);
  EXPECT_DOUBLE_EQ(points[2].upper - points[2].lower, 0.0);
}

// A share that falls along a line is forecast below 0 and clipped. The
// upper bound must stay above 0, because the spread is above 0.
TEST(ForecastIntervals, ClippedShareKeepsUpperBound) {
  std::vector<double> history;
  for (int t = 0; t < 12; ++t) history.push_back(0.55 - 0.05 * t);
  const Fit model = fit(history, 7);
  EXPECT_EQ(model.method, Method::holt);
  EXPECT_GT(model.residual_variance, 0.0);
  const std::vector<Point> points = predict(model, 5, 0.95, Bounds::unit_interval);
  for (const Point& point : points) {
    EXPECT_DOUBLE_EQ(point.lower, 0.0);
    EXPECT_GT(point.upper, 0.05);
  }
  EXPECT_DOUBLE_EQ(points.back().mean, 0.0);
}

// A level shift from 0.1 to 0.2 makes the fit follow recent buckets. With
// weights, a last bucket of 2 items with a share of 0 barely moves it.
TEST(ForecastWeights, NearlyEmptyBucketBarelyMovesTheShare) {
  std::vector<double> history;
  Sampling sampling;
  for (int t = 0; t < 30; ++t) {
    history.push_back(t < 15 ? 0.1 : 0.2);
    sampling.weights.push_back(1.0);
  }
  history.push_back(0.0);
  sampling.weights.push_back(0.02);
  const double unweighted = predict(fit(history, 1), 1, 0.95, Bounds::unit_interval)[0].mean;
  const double weighted = predict(fit(history, 1, sampling), 1, 0.95, Bounds::unit_interval)[0].mean;
  EXPECT_LT(unweighted, 0.1);
  EXPECT_NEAR(weighted, 0.2, 0.02);
}

TEST(ForecastShortHistory, EmptyHistoryForecastsZero) {
  const SeriesForecast result = forecast_series({}, 7, 4, 0.95, Bounds::non_negative);
  ASSERT_EQ(result.points.size(), 4u);
  EXPECT_DOUBLE_EQ(result.points[0].mean, 0.0);
  EXPECT_EQ(result.backtest.holdout, 0);
  expect_finite(result.points);
}

TEST(ForecastShortHistory, HoltBelowTwoSeasons) {
  std::mt19937 random(5);
  const std::vector<double> history = seasonal_series(40, 1, random);
  EXPECT_EQ(fit(history, 24).method, Method::holt);
  EXPECT_EQ(fit(seasonal_series(48, 1, random), 24).method, Method::holt_winters);
}

TEST(ForecastZeros, AllZeroSeries) {
  const std::vector<double> history(50, 0.0);
  const SeriesForecast result = forecast_series(history, 7, 7, 0.95, Bounds::non_negative);
  for (const Point& point : result.points) {
    EXPECT_DOUBLE_EQ(point.mean, 0.0);
    EXPECT_DOUBLE_EQ(point.lower, 0.0);
    EXPECT_DOUBLE_EQ(point.upper, 0.0);
  }
  EXPECT_EQ(result.backtest.holdout, 7);
  EXPECT_FALSE(result.backtest.mase.has_value());
  EXPECT_FALSE(result.backtest.mape.has_value());
}

TEST(ForecastRobustness, NonFiniteInputsGiveFiniteOutput) {
  std::vector<double> history = {1, 2, NAN, 4, INFINITY, 3, 2, -INFINITY, 5, 6, 1, 0, 2, 3, 4, 5};
  const SeriesForecast result = forecast_series(history, 7, 10, 0.95, Bounds::non_negative);
  expect_finite(result.points);
  EXPECT_TRUE(std::isfinite(result.fit.level));
  EXPECT_TRUE(std::isfinite(result.fit.residual_variance));
  if (result.backtest.mase) {
    EXPECT_TRUE(std::isfinite(*result.backtest.mase));
  }
  if (result.backtest.mape) {
    EXPECT_TRUE(std::isfinite(*result.backtest.mape));
  }
}

TEST(ForecastRobustness, SpikyCountsStayFinite) {
  std::mt19937 random(6);
  std::geometric_distribution<int> counts(0.05);
  for (int draw = 0; draw < 20; ++draw) {
    std::vector<double> history;
    for (int t = 0; t < 24 * 3; ++t) history.push_back(t % 17 == 0 ? 1000.0 * counts(random) : 0.0);
    const SeriesForecast result = forecast_series(history, 24, 24, 0.95, Bounds::non_negative);
    expect_finite(result.points);
    for (const Point& point : result.points) EXPECT_GE(point.lower, 0.0);
  }
}

TEST(ForecastBacktest, HoldsOutAtMostAThird) {
  std::vector<double> history;
  for (int t = 1; t <= 15; ++t) history.push_back(t);
  const Backtest result = backtest(history, 7, 7, Bounds::none);
  EXPECT_EQ(result.holdout, 5);
  ASSERT_EQ(result.actual.size(), 5u);
  EXPECT_DOUBLE_EQ(result.actual[0], 11.0);
  ASSERT_EQ(result.predicted.size(), 5u);
  // The training part of 10 buckets is long enough for a trend, and a
  // straight line is forecast exactly.
  EXPECT_NEAR(result.predicted[4], 15.0, 1e-6);
  ASSERT_TRUE(result.mase.has_value());
  EXPECT_NEAR(*result.mase, 0.0, 1e-6);
}

TEST(ForecastBacktest, SeasonalModelBeatsSeasonalNaive) {
  std::mt19937 random(7);
  const std::vector<double> history = seasonal_series(24 * 10, 2, random);
  const Backtest result = backtest(history, 24, 24, Bounds::none);
  EXPECT_EQ(result.holdout, 24);
  ASSERT_TRUE(result.mase.has_value());
  EXPECT_LT(*result.mase, 1.0);
  ASSERT_TRUE(result.mape.has_value());
  EXPECT_LT(*result.mape, 5.0);
}

TEST(ForecastBacktest, MapeSkipsZeroActuals) {
  const std::vector<double> history = {2, 2, 2, 2, 2, 2, 0, 4};
  const Backtest result = backtest(history, 1, 2, Bounds::none);
  ASSERT_EQ(result.holdout, 2);
  ASSERT_TRUE(result.mape.has_value());
  // Only the actual 4 counts: the flat forecast 2 misses it by half.
  EXPECT_NEAR(*result.mape, 50.0, 1e-6);
}

TEST(ForecastMeasure, ParsesNames) {
  ASSERT_TRUE(parse_measure("volume"));
  EXPECT_EQ(parse_measure("volume")->kind, Measure::Kind::volume);
  EXPECT_EQ(parse_measure("negative_share")->kind, Measure::Kind::negative_share);
  const auto aspect = parse_measure("aspect:price");
  ASSERT_TRUE(aspect);
  EXPECT_EQ(aspect->kind, Measure::Kind::aspect);
  EXPECT_EQ(aspect->aspect, "price");
  EXPECT_EQ(aspect->name(), "aspect:price");
  EXPECT_FALSE(parse_measure("aspect:"));
  EXPECT_FALSE(parse_measure("share"));
}

TEST(ForecastSeason, LengthPerGranularity) {
  EXPECT_EQ(season_length(store::Granularity::hour), 24);
  EXPECT_EQ(season_length(store::Granularity::day), 7);
  EXPECT_EQ(season_length(store::Granularity::minute), 1);
}

}  // namespace
}  // namespace shopsight::forecast

// Tests of the detectors and their statistics on hand-made buckets.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "detect/detect.h"
#include "detect/statistics.h"

namespace shopsight::detect {
namespace {

using store::BucketMeasures;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
// 2026-11-02, a Monday, 00:00 UTC.
constexpr std::int64_t kMonday = 1793577600000LL;

DetectorRule default_rule(Detector detector) {
  for (const DetectorRule& rule : default_rules().detectors) {
    if (rule.detector == detector) return rule;
  }
  ADD_FAILURE() << "no default rule for " << to_string(detector);
  return {};
}

BucketMeasures bucket(std::int64_t day, std::int64_t volume, std::int64_t negative) {
  BucketMeasures measures;
  measures.start = kMonday + day * kDayMs;
  measures.volume = volume;
  measures.negative = negative;
  measures.positive = volume - negative;
  measures.score_sum = static_cast<double>(measures.positive - negative) * 0.9;
  return measures;
}

// Days 0 to days-1 with binomial negative counts around `share`, seeded so
// every run gets the same numbers.
std::vector<BucketMeasures> binomial_history(int days, std::int64_t volume, double share, unsigned seed) {
  std::mt19937 generator(seed);
  std::binomial_distribution<std::int64_t> negatives(volume, share);
  std::vector<BucketMeasures> history;
  for (int day = 0; day < days; ++day) history.push_back(bucket(day, volume, negatives(generator)));
  return history;
}

TEST(DetectStatistics, PoissonTail) {
  EXPECT_DOUBLE_EQ(poisson_upper_tail(0, 3.0), 1.0);
  EXPECT_NEAR(poisson_upper_tail(1, 1.0), 1.0 - std::exp(-1.0), 1e-12);
  EXPECT_NEAR(poisson_upper_tail(3, 1.0), 1.0 - std::exp(-1.0) * 2.5, 1e-12);
  EXPECT_LT(poisson_upper_tail(30, 2.0), 1e-15);
}

TEST(DetectStatistics, BinomialTail) {
  EXPECT_NEAR(beta_binomial_upper_tail(1, 5, 0.1, 0), 1.0 - std::pow(0.9, 5), 1e-12);
  EXPECT_NEAR(beta_binomial_upper_tail(5, 5, 0.1, 0), 1e-5, 1e-15);
  EXPECT_DOUBLE_EQ(beta_binomial_upper_tail(6, 5, 0.1, 0), 0.0);
}

TEST(DetectStatistics, BetaBinomialTailIsWider) {
  const double binomial = beta_binomial_upper_tail(150, 1000, 0.1, 0);
  const double overdispersed = beta_binomial_upper_tail(150, 1000, 0.1, 0.01);
  EXPECT_LT(binomial, 1e-6);
  EXPECT_GT(overdispersed, 1e-3);
  // With one trial the correlation cannot matter: P(X >= 1) = p.
  EXPECT_NEAR(beta_binomial_upper_tail(1, 1, 0.3, 0.2), 0.3, 1e-12);
}

TEST(DetectStatistics, RhoFromBuckets) {
  const std::vector<std::int64_t> trials(10, 1000);
  const std::vector<std::int64_t> steady = {100, 101, 99, 100, 102, 98, 100, 100, 101, 99};
  const std::vector<std::int64_t> swinging = {50, 200, 60, 190, 70, 180, 50, 200, 60, 190};
  EXPECT_DOUBLE_EQ(beta_binomial_rho(steady, trials), 0.0);
  EXPECT_GT(beta_binomial_rho(swinging, trials), 0.01);
  const std::vector<std::int64_t> two_buckets = {50, 200};
  EXPECT_DOUBLE_EQ(beta_binomial_rho(two_buckets, std::vector<std::int64_t>(2, 1000)), 0.0);
}

TEST(DetectStatistics, MedianAndMad) {
  const std::vector<double> values = {1, 2, 3, 4, 100};
  EXPECT_DOUBLE_EQ(median(values), 3.0);
  EXPECT_DOUBLE_EQ(median_absolute_deviation(values), 1.0);
  const std::vector<double> even = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median(even), 2.5);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{}), 0.0);
}

TEST(DetectNegativeShare, SmallProductOneBadReview) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(bucket(day, 5, day % 10 == 0 ? 1 : 0));
  const BucketMeasures today = bucket(28, 5, 1);
  EXPECT_TRUE(evaluate(default_rule(Detector::negative_share), history, today).empty());

  // The test itself, not only min_count, finds one bad review in five unremarkable.
  DetectorRule no_minimum = default_rule(Detector::negative_share);
  no_minimum.min_count = 0;
  EXPECT_TRUE(evaluate(no_minimum, history, today).empty());
}

TEST(DetectNegativeShare, LargeProductSmallRise) {
  const std::vector<BucketMeasures> history = binomial_history(28, 5000, 0.10, 7);
  const auto findings = evaluate(default_rule(Detector::negative_share), history, bucket(28, 5000, 650));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NEAR(findings[0].observed, 0.13, 1e-9);
  EXPECT_NEAR(findings[0].baseline, 0.10, 0.005);
  EXPECT_EQ(findings[0].statistic_name, "p_value");
  EXPECT_LT(findings[0].statistic, 1e-4);
  EXPECT_EQ(findings[0].count, 5000);
}

TEST(DetectNegativeShare, LargeProductUsualDay) {
  const std::vector<BucketMeasures> history = binomial_history(28, 5000, 0.10, 7);
  EXPECT_TRUE(evaluate(default_rule(Detector::negative_share), history, bucket(28, 5000, 530)).empty());
  EXPECT_TRUE(evaluate(default_rule(Detector::negative_share), history, bucket(28, 5000, 400)).empty());
}

TEST(DetectNegativeShare, OverdispersedBaselineTolerates) {
  // Shares that swing between 5 % and 20 % from day to day make 16 % usual.
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(bucket(day, 1000, day % 2 == 0 ? 50 : 200));
  const BucketMeasures today = bucket(28, 1000, 160);
  EXPECT_TRUE(evaluate(default_rule(Detector::negative_share), history, today).empty());

  // The binomial test alone would alert on the same day.
  const double p = beta_binomial_upper_tail(160, 1000, 0.125, 0);
  EXPECT_LT(p, default_rule(Detector::negative_share).alpha);
}

TEST(DetectNegativeShare, ShortHistorySkipped) {
  const std::vector<BucketMeasures> history = binomial_history(3, 5000, 0.10, 7);
  EXPECT_TRUE(evaluate(default_rule(Detector::negative_share), history, bucket(3, 5000, 1500)).empty());
}

BucketMeasures scored(std::int64_t day, std::int64_t volume, double mean) {
  BucketMeasures measures = bucket(day, volume, 0);
  measures.score_sum = mean * static_cast<double>(volume);
  return measures;
}

TEST(DetectSentimentScore, DropAlerts) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(scored(day, 200, day % 2 == 0 ? 0.62 : 0.58));
  const auto findings = evaluate(default_rule(Detector::sentiment_score), history, scored(28, 200, 0.30));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].statistic_name, "z");
  EXPECT_LT(findings[0].statistic, -4.0);
  EXPECT_NEAR(findings[0].baseline, 0.60, 1e-9);
}

TEST(DetectSentimentScore, SmallDipOrRiseSilent) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(scored(day, 200, day % 2 == 0 ? 0.62 : 0.58));
  EXPECT_TRUE(evaluate(default_rule(Detector::sentiment_score), history, scored(28, 200, 0.55)).empty());
  EXPECT_TRUE(evaluate(default_rule(Detector::sentiment_score), history, scored(28, 200, 0.95)).empty());
}

TEST(DetectSentimentScore, CalmWeekSmallDipSilent) {
  // A week whose daily means agree closely: their spread alone would put the
  // item variance at its floor and make the dip below z = -14.
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 7; ++day) history.push_back(bucket(day, 120, day % 2 == 0 ? 13 : 14));
  DetectorRule rule = default_rule(Detector::sentiment_score);
  rule.min_baseline_buckets = 7;
  EXPECT_TRUE(evaluate(rule, history, bucket(7, 120, 22)).empty());

  // A real drop on the same baseline still alerts.
  const auto findings = evaluate(rule, history, bucket(7, 120, 40));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_LT(findings[0].statistic, -4.0);
}

// Weekdays 100 items, weekends 200, over four weeks.
std::vector<BucketMeasures> weekly_history() {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(bucket(day, day % 7 >= 5 ? 200 : 100 + day % 3, 0));
  return history;
}

TEST(DetectVolume, WeekendIsSeasonal) {
  const auto history = weekly_history();
  EXPECT_TRUE(evaluate(default_rule(Detector::volume), history, bucket(33, 200, 0)).empty());  // a Saturday
}

TEST(DetectVolume, CollapseAndSpike) {
  const auto history = weekly_history();
  const auto drop = evaluate(default_rule(Detector::volume), history, bucket(33, 40, 0));
  ASSERT_EQ(drop.size(), 1u);
  EXPECT_EQ(drop[0].subject, "drop");
  EXPECT_EQ(drop[0].statistic_name, "robust_z");
  EXPECT_DOUBLE_EQ(drop[0].baseline, 200.0);

  const auto spike = evaluate(default_rule(Detector::volume), history, bucket(29, 400, 0));  // a Tuesday
  ASSERT_EQ(spike.size(), 1u);
  EXPECT_EQ(spike[0].subject, "spike");
  EXPECT_GT(spike[0].statistic, 4.0);
}

TEST(DetectVolume, DirectionFilters) {
  DetectorRule spikes_only = default_rule(Detector::volume);
  spikes_only.direction = VolumeDirection::spike;
  EXPECT_TRUE(evaluate(spikes_only, weekly_history(), bucket(33, 40, 0)).empty());
}

TEST(DetectVolume, SmallCountsNotNoisy) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(bucket(day, 3, 0));
  EXPECT_TRUE(evaluate(default_rule(Detector::volume), history, bucket(28, 9, 0)).empty());
  EXPECT_TRUE(evaluate(default_rule(Detector::volume), history, bucket(28, 0, 0)).empty());
}

TEST(DetectVolume, NewValueNotASpike) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(bucket(day, day < 20 ? 0 : 100, 0));
  EXPECT_TRUE(evaluate(default_rule(Detector::volume), history, bucket(28, 110, 0)).empty());
}

BucketMeasures with_logistics(std::int64_t day, std::int64_t volume, std::int64_t negative_logistics) {
  BucketMeasures measures = bucket(day, volume, 10);
  measures.aspects["logistics"] = {negative_logistics + 5, 5, negative_logistics};
  measures.aspects["quality"] = {20, 18, 2};
  return measures;
}

TEST(DetectAspectNegative, LogisticsBurst) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(with_logistics(day, 200, 2 + day % 3));
  const auto findings = evaluate(default_rule(Detector::aspect_negative), history, with_logistics(28, 200, 30));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].subject, "logistics");
  EXPECT_EQ(findings[0].count, 30);
  EXPECT_NEAR(findings[0].observed, 0.15, 1e-9);
}

TEST(DetectAspectNegative, UsualDaySilent) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(with_logistics(day, 200, 2 + day % 3));
  EXPECT_TRUE(evaluate(default_rule(Detector::aspect_negative), history, with_logistics(28, 200, 5)).empty());
}

BucketMeasures with_keywords(std::int64_t day, std::int64_t leak, std::int64_t good) {
  BucketMeasures measures = bucket(day, 200, 10);
  if (leak > 0) measures.keywords["漏水"] = leak;
  measures.keywords["不错"] = good;
  return measures;
}

TEST(DetectEmergingKeyword, NewComplaintWord) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(with_keywords(day, day == 3 ? 1 : 0, 40));
  const auto findings = evaluate(default_rule(Detector::emerging_keyword), history, with_keywords(28, 20, 45));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].subject, "漏水");
  EXPECT_EQ(findings[0].count, 20);
  EXPECT_LT(findings[0].statistic, 1e-10);
}

TEST(DetectEmergingKeyword, FewOccurrencesSilent) {
  std::vector<BucketMeasures> history;
  for (int day = 0; day < 28; ++day) history.push_back(with_keywords(day, 0, 40));
  EXPECT_TRUE(evaluate(default_rule(Detector::emerging_keyword), history, with_keywords(28, 4, 40)).empty());
}

}  // namespace
}  // namespace shopsight::detect

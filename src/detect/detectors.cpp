// The five detectors. Each compares one bucket with the buckets before it;
// docs/detection.md gives the reasoning behind each test and default.

#include <algorithm>
#include <cmath>
#include <vector>

#include "detect/detect.h"
#include "detect/statistics.h"

namespace shopsight::detect {
namespace {

using store::BucketMeasures;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kWeekMs = 7 * kDayMs;

// Fewer seasonal points than this make a median meaningless, so the volume
// baseline falls back to a coarser season.
constexpr std::size_t kMinSeasonalPoints = 3;

// Floor of the item-level variance of the sentiment score, so that a
// baseline whose bucket means happen to agree closely does not make every
// small dip look significant.
constexpr double kMinScoreVariance = 0.01;

std::size_t non_empty_buckets(std::span<const BucketMeasures> history) {
  return static_cast<std::size_t>(
      std::count_if(history.begin(), history.end(), [](const BucketMeasures& bucket) { return bucket.volume > 0; }));
}

// Rise of a rate of "successes" per item: beta-binomial upper-tail test of
// the bucket's count against the pooled, smoothed baseline rate, with the
// dispersion estimated from the baseline buckets.
std::optional<Finding> rate_rise(const DetectorRule& rule, std::span<const std::int64_t> successes,
                                 std::span<const std::int64_t> trials, std::int64_t count, std::int64_t items) {
  if (items < rule.min_count || count <= 0) return std::nullopt;
  std::int64_t baseline_successes = 0;
  std::int64_t baseline_trials = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    baseline_successes += successes[i];
    baseline_trials += trials[i];
  }
  // Half a success of smoothing keeps a rate that was 0 in the baseline
  // testable without making it certain.
  const double baseline = (static_cast<double>(baseline_successes) + 0.5) / (static_cast<double>(baseline_trials) + 1);
  const double observed = static_cast<double>(count) / static_cast<double>(items);
  if (observed - baseline < rule.min_change) return std::nullopt;

  const double rho = beta_binomial_rho(successes, trials);
  const double p_value = beta_binomial_upper_tail(count, items, baseline, rho);
  if (p_value > rule.alpha) return std::nullopt;
  return Finding{"", observed, baseline, p_value, "p_value", items};
}

std::vector<Finding> negative_share(const DetectorRule& rule, std::span<const BucketMeasures> history,
                                    const BucketMeasures& current) {
  std::vector<std::int64_t> negatives;
  std::vector<std::int64_t> volumes;
  for (const BucketMeasures& bucket : history) {
    if (bucket.volume <= 0) continue;
    negatives.push_back(bucket.negative);
    volumes.push_back(bucket.volume);
  }
  if (volumes.size() < static_cast<std::size_t>(rule.min_baseline_buckets)) return {};
  auto finding = rate_rise(rule, negatives, volumes, current.negative, current.volume);
  if (!finding) return {};
  return {*finding};
}

// Negative mentions of one aspect category per item. An item may mention a
// category twice, so the count is capped at the items to stay a proportion.
std::vector<Finding> aspect_negative(const DetectorRule& rule, std::span<const BucketMeasures> history,
                                     const BucketMeasures& current) {
  if (non_empty_buckets(history) < static_cast<std::size_t>(rule.min_baseline_buckets)) return {};
  std::vector<Finding> findings;
  for (const auto& [category, counts] : current.aspects) {
    if (counts.negative <= 0) continue;
    std::vector<std::int64_t> negatives;
    std::vector<std::int64_t> volumes;
    for (const BucketMeasures& bucket : history) {
      if (bucket.volume <= 0) continue;
      auto found = bucket.aspects.find(category);
      const std::int64_t negative = found == bucket.aspects.end() ? 0 : found->second.negative;
      negatives.push_back(std::min(negative, bucket.volume));
      volumes.push_back(bucket.volume);
    }
    auto finding = rate_rise(rule, negatives, volumes, std::min(counts.negative, current.volume), current.volume);
    if (!finding) continue;
    finding->subject = category;
    finding->count = counts.negative;
    findings.push_back(*finding);
  }
  return findings;
}

// Drop of the mean score. The store keeps no sum of squared scores, so the
// item-level variance has two estimates, and the larger one counts:
// - how far the baseline bucket means stray from the pooled mean: each
//   n_i (m_i - m)^2 estimates the item variance plus n_i times any
//   day-to-day variance;
// - the labels: a positive or negative item scores at most 1 in absolute
//   value and a neutral one near 0, so (positive + negative) / N - m^2 bounds
//   the item variance from above when the probabilities are sure.
// With a week of baseline the first estimate rests on six degrees of
// freedom and often comes out far too small, which made ordinary days reach
// z = -6; the second rests on every baseline item.
std::vector<Finding> sentiment_score(const DetectorRule& rule, std::span<const BucketMeasures> history,
                                     const BucketMeasures& current) {
  if (current.volume < rule.min_count) return {};
  double items = 0;
  double labelled = 0;
  double score_sum = 0;
  double buckets = 0;
  for (const BucketMeasures& bucket : history) {
    if (bucket.volume <= 0) continue;
    items += static_cast<double>(bucket.volume);
    labelled += static_cast<double>(bucket.positive + bucket.negative);
    score_sum += bucket.score_sum;
    buckets += 1;
  }
  if (buckets < std::max(2, rule.min_baseline_buckets)) return {};
  const double baseline = score_sum / items;

  double spread = 0;
  for (const BucketMeasures& bucket : history) {
    if (bucket.volume <= 0) continue;
    const double deviation = bucket.mean_score() - baseline;
    spread += static_cast<double>(bucket.volume) * deviation * deviation;
  }
  const double between_buckets = spread / (buckets - 1);
  const double from_labels = labelled / items - baseline * baseline;
  const double variance = std::max({between_buckets, from_labels, kMinScoreVariance});

  const double observed = current.mean_score();
  if (baseline - observed < rule.min_change) return {};
  const double z = (observed - baseline) / std::sqrt(variance / static_cast<double>(current.volume));
  if (z > -rule.threshold) return {};
  return {Finding{"", observed, baseline, z, "z", current.volume}};
}

// Volumes of the buckets in the same season as `start`: same hour of the
// week, then same hour of the day, then every bucket, whichever first gives
// enough points. Buckets before the value's first item are left out, so a
// new product does not count as a spike against its own absence.
std::vector<double> seasonal_volumes(std::span<const BucketMeasures> history, std::int64_t start,
                                     store::Granularity granularity) {
  auto first = std::find_if(history.begin(), history.end(), [](const BucketMeasures& b) { return b.volume > 0; });
  const std::span<const BucketMeasures> active(first, history.end());

  auto same_phase = [&](std::int64_t period) {
    std::vector<double> volumes;
    for (const BucketMeasures& bucket : active) {
      if ((start - bucket.start) % period == 0) volumes.push_back(static_cast<double>(bucket.volume));
    }
    return volumes;
  };
  std::vector<std::int64_t> periods;
  if (granularity == store::Granularity::hour) periods = {kWeekMs, kDayMs};
  if (granularity == store::Granularity::day) periods = {kWeekMs};
  for (std::int64_t period : periods) {
    std::vector<double> volumes = same_phase(period);
    if (volumes.size() >= kMinSeasonalPoints) return volumes;
  }
  std::vector<double> volumes;
  for (const BucketMeasures& bucket : active) volumes.push_back(static_cast<double>(bucket.volume));
  return volumes;
}

// Robust z of the bucket volume against the seasonal median. The spread is
// the scaled MAD, floored at the Poisson standard deviation sqrt(median) so
// that small, steady counts do not turn one extra item into a spike.
std::vector<Finding> volume(const DetectorRule& rule, std::span<const BucketMeasures> history,
                            const BucketMeasures& current, store::Granularity granularity) {
  if (non_empty_buckets(history) < static_cast<std::size_t>(rule.min_baseline_buckets)) return {};
  const std::vector<double> volumes = seasonal_volumes(history, current.start, granularity);
  if (volumes.size() < kMinSeasonalPoints) return {};

  const double baseline = median(volumes);
  const double spread = std::max({1.4826 * median_absolute_deviation(volumes), std::sqrt(baseline), 1.0});
  const auto observed = static_cast<double>(current.volume);
  const double z = (observed - baseline) / spread;
  const double change = baseline > 0 ? std::abs(observed - baseline) / baseline : 1.0;
  if (std::abs(z) < rule.threshold || change < rule.min_change) return {};

  const bool spike = z > 0;
  if (spike && (rule.direction == VolumeDirection::drop || current.volume < rule.min_count)) return {};
  if (!spike && (rule.direction == VolumeDirection::spike || baseline < rule.min_baseline)) return {};
  return {Finding{spike ? "spike" : "drop", observed, baseline, z, "robust_z", current.volume}};
}

// Keywords rare in the baseline and frequent in the bucket. The expected
// count is the bucket's items times the baseline rate per item. Half an
// occurrence of smoothing gives a word never seen before a small, non-zero
// rate. The p-value is the Poisson upper tail of the observed count.
std::vector<Finding> emerging_keyword(const DetectorRule& rule, std::span<const BucketMeasures> history,
                                      const BucketMeasures& current) {
  if (current.volume <= 0) return {};
  if (non_empty_buckets(history) < static_cast<std::size_t>(rule.min_baseline_buckets)) return {};
  double baseline_items = 0;
  for (const BucketMeasures& bucket : history) baseline_items += static_cast<double>(bucket.volume);

  std::vector<Finding> findings;
  for (const auto& [word, count] : current.keywords) {
    if (count < rule.min_count) continue;
    double baseline_count = 0;
    for (const BucketMeasures& bucket : history) {
      auto found = bucket.keywords.find(word);
      if (found != bucket.keywords.end()) baseline_count += static_cast<double>(found->second);
    }
    const double rate = (baseline_count + 0.5) / (baseline_items + 1);
    const double expected = rate * static_cast<double>(current.volume);
    if (static_cast<double>(count) < rule.min_ratio * expected) continue;
    const double p_value = poisson_upper_tail(count, expected);
    if (p_value > rule.alpha) continue;
    const double observed = static_cast<double>(count) / static_cast<double>(current.volume);
    findings.push_back(Finding{word, observed, rate, p_value, "p_value", count});
  }
  return findings;
}

}  // namespace

std::vector<Finding> evaluate(const DetectorRule& rule, std::span<const BucketMeasures> history,
                              const BucketMeasures& current) {
  switch (rule.detector) {
    case Detector::negative_share: return negative_share(rule, history, current);
    case Detector::sentiment_score: return sentiment_score(rule, history, current);
    case Detector::volume: return volume(rule, history, current, rule.granularity);
    case Detector::aspect_negative: return aspect_negative(rule, history, current);
    case Detector::emerging_keyword: return emerging_keyword(rule, history, current);
  }
  return {};
}

}  // namespace shopsight::detect

#include "detect/statistics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace shopsight::detect {
namespace {

// Sum of exp(log_term(j)) for j = first, first + 1, ..., last. Callers start
// at or beyond the mode, where terms only fall, so the sum stops once a
// term no longer changes it.
double sum_falling_terms(std::int64_t first, std::int64_t last, const std::function<double(std::int64_t)>& log_term) {
  double sum = 0;
  for (std::int64_t j = first; j <= last; ++j) {
    const double term = std::exp(log_term(j));
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  return sum;
}

// Sum of exp(log_term(j)) for j = first .. last, with no early stop.
double sum_terms(std::int64_t first, std::int64_t last, const std::function<double(std::int64_t)>& log_term) {
  double sum = 0;
  for (std::int64_t j = first; j <= last; ++j) sum += std::exp(log_term(j));
  return sum;
}

double log_choose(std::int64_t n, std::int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

// P(X >= k) from a log mass function over 0..n (n < 0: unbounded) whose
// mode is near `mean`: the upper terms are summed directly when k lies
// above the mean, else one minus the lower terms, so that neither side sums
// terms that cancel.
double upper_tail(std::int64_t k, std::int64_t n, double mean, const std::function<double(std::int64_t)>& log_term) {
  if (k <= 0) return 1.0;
  if (n >= 0 && k > n) return 0.0;
  const std::int64_t last = n >= 0 ? n : k + 100000000;
  double tail = 0;
  if (static_cast<double>(k) > mean) {
    tail = sum_falling_terms(k, last, log_term);
  } else {
    tail = 1.0 - sum_terms(0, k - 1, log_term);
  }
  return std::clamp(tail, 0.0, 1.0);
}

}  // namespace

double poisson_upper_tail(std::int64_t k, double mean) {
  if (k <= 0) return 1.0;
  if (mean <= 0) return 0.0;
  const double log_mean = std::log(mean);
  auto log_term = [&](std::int64_t j) {
    return static_cast<double>(j) * log_mean - mean - std::lgamma(static_cast<double>(j) + 1);
  };
  return upper_tail(k, -1, mean, log_term);
}

double beta_binomial_upper_tail(std::int64_t k, std::int64_t n, double p, double rho) {
  if (k <= 0) return 1.0;
  if (k > n || p <= 0) return 0.0;
  if (p >= 1) return 1.0;
  const double mean = static_cast<double>(n) * p;
  if (rho <= 0) {
    const double log_p = std::log(p);
    const double log_q = std::log1p(-p);
    auto log_term = [&](std::int64_t j) {
      return log_choose(n, j) + static_cast<double>(j) * log_p + static_cast<double>(n - j) * log_q;
    };
    return upper_tail(k, n, mean, log_term);
  }
  // rho = 1 / (a + b + 1) for Beta(a, b) with mean p = a / (a + b).
  const double total = (1.0 - rho) / rho;
  const double a = p * total;
  const double b = (1.0 - p) * total;
  const double log_norm = log_beta(a, b);
  auto log_term = [&](std::int64_t j) {
    return log_choose(n, j) + log_beta(static_cast<double>(j) + a, static_cast<double>(n - j) + b) - log_norm;
  };
  return upper_tail(k, n, mean, log_term);
}

double beta_binomial_rho(std::span<const std::int64_t> successes, std::span<const std::int64_t> trials) {
  double buckets = 0;
  double total_trials = 0;
  double total_successes = 0;
  double sum_squared_trials = 0;
  for (std::size_t i = 0; i < trials.size() && i < successes.size(); ++i) {
    if (trials[i] <= 0) continue;
    const auto n = static_cast<double>(trials[i]);
    buckets += 1;
    total_trials += n;
    total_successes += static_cast<double>(successes[i]);
    sum_squared_trials += n * n;
  }
  if (buckets < 3) return 0.0;
  const double p = total_successes / total_trials;
  if (p <= 0 || p >= 1) return 0.0;

  // E[sum (x_i - n_i p)^2 / n_i] = p q ((k - 1) + rho (N - sum n_i^2 / N - (k - 1)))
  // for beta-binomial counts when p is the pooled estimate; solve for rho.
  double spread = 0;
  for (std::size_t i = 0; i < trials.size() && i < successes.size(); ++i) {
    if (trials[i] <= 0) continue;
    const auto n = static_cast<double>(trials[i]);
    const double deviation = static_cast<double>(successes[i]) - n * p;
    spread += deviation * deviation / n;
  }
  const double denominator = total_trials - sum_squared_trials / total_trials - (buckets - 1);
  if (denominator <= 0) return 0.0;
  const double rho = (spread / (p * (1 - p)) - (buckets - 1)) / denominator;
  return std::clamp(rho, 0.0, 0.5);
}

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double median(std::span<const double> values) {
  if (values.empty()) return 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t middle = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[middle];
  return (sorted[middle - 1] + sorted[middle]) / 2;
}

double median_absolute_deviation(std::span<const double> values) {
  const double center = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double value : values) deviations.push_back(std::abs(value - center));
  return median(deviations);
}

}  // namespace shopsight::detect

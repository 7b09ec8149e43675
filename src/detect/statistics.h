#pragma once

// Tail probabilities and robust summaries that the detectors share, and the
// profile stage for its interest labels. The tests include it directly.

#include <cstdint>
#include <span>

namespace shopsight::detect {

/// P(X >= k) for X ~ Poisson(mean); 1 when k <= 0.
double poisson_upper_tail(std::int64_t k, double mean);

/// P(X >= k) for X beta-binomial with n trials, mean success probability `p`
/// and intra-bucket correlation `rho` (0 gives the binomial).
double beta_binomial_upper_tail(std::int64_t k, std::int64_t n, double p, double rho);

/// Method-of-moments estimate of the beta-binomial correlation rho from
/// per-bucket successes and trials, clamped to [0, 0.5]. Returns 0, the
/// binomial, when fewer than three buckets have trials or the pooled rate is
/// 0 or 1.
double beta_binomial_rho(std::span<const std::int64_t> successes, std::span<const std::int64_t> trials);

/// P(Z >= z) for a standard normal Z.
double normal_upper_tail(double z);

/// Median of `values`; 0 when empty. Reorders nothing: works on a copy.
double median(std::span<const double> values);

/// Median absolute deviation from the median, unscaled; 0 when empty.
double median_absolute_deviation(std::span<const double> values);

}  // namespace shopsight::detect

#pragma once

// Internal to the serve stage: operational counters and histograms, and the
// Prometheus text exposition format (version 0.0.4) that /metrics returns.
// Metric names and labels are documented in docs/metrics.md.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store.h"

namespace shopsight::serve {

struct ServerOptions;

/// Label name and value of one sample.
using Label = std::pair<std::string_view, std::string_view>;

/// Writer of the Prometheus text exposition format.
class Exposition {
 public:
  /// Starts a metric family with its HELP and TYPE lines.
  void family(std::string_view name, std::string_view type, std::string_view help);

  /// Writes one sample line.
  void sample(std::string_view name, const std::vector<Label>& labels, double value);

  /// The text written so far.
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

/// Label value with backslash, double quote and line feed escaped as the
/// text format requires.
std::string escape_label_value(std::string_view value);

/// Label value of a request method: the method itself for the standard
/// HTTP methods, `other` for the rest.
std::string method_label(std::string_view method);

/// Counts of observations in cumulative buckets with upper bounds in seconds.
class Histogram {
 public:
  /// A histogram over these finite upper bounds, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);

  /// Counts one observation.
  void observe(double value);

  /// Writes the _bucket, _sum and _count samples, with `labels` on each.
  void write(Exposition& out, std::string_view name, const std::vector<Label>& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;              ///< per bucket, not cumulative; last is +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

/// Operational metrics of one server; safe to update from every thread.
class Metrics {
 public:
  Metrics();

  /// Counts one served request under its route template, not its path,
  /// so ids in paths do not create series.
  void count_request(std::string_view method, std::string_view route, int status, double seconds);

  /// Counts one analyzed item and its analysis time.
  void count_analysis(double seconds);

  /// Counts items added to the store and items it already had.
  void count_stored(std::int64_t added, std::int64_t duplicates);

  /// Counts items refused because they were invalid.
  void count_rejected(std::int64_t items);

  /// Writes the operational metrics.
  void write(Exposition& out) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;  ///< by method, route, status
  std::map<std::string, Histogram> request_durations_;                           ///< by route
  Histogram analysis_duration_;
  std::uint64_t analyzed_ = 0;
  std::uint64_t ingested_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t rejected_ = 0;
};

/// Writes the series read from the store: totals, and volume and negative
/// share per category, aspect category and product over the metrics window
/// ending at `now` (Unix ms) or at the latest item, as `options` sets.
void write_store_metrics(Exposition& out, const store::Store& store, const ServerOptions& options,
                         std::int64_t now);

}  // namespace shopsight::serve

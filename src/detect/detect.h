#pragma once

// Detect: finds significant changes in the store's time buckets and turns
// them into alerts with evidence, which it sends to sinks. The changes are a
// rise of the negative share, a drop of the sentiment score, a volume spike
// or collapse, a burst of negative aspect mentions and an emerging keyword.
// Rules come from a TOML file; docs/detection.md describes every key.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "store/store.h"

namespace shopsight::detect {

/// Kind of change a detector looks for.
enum class Detector { negative_share, sentiment_score, volume, aspect_negative, emerging_keyword };

/// Detector name as used in rules files and alerts, e.g. "negative_share".
std::string_view to_string(Detector detector);

/// Parses a detector name; nullopt for an unknown one.
std::optional<Detector> parse_detector(std::string_view name);

/// Direction of a volume change that raises an alert.
enum class VolumeDirection { both, spike, drop };

/// Settings of one detector over some dimensions. Which fields a detector
/// reads is listed in docs/detection.md; the others keep their defaults.
struct DetectorRule {
  Detector detector = Detector::negative_share;
  std::vector<std::string> dimensions = {"shop", "category", "product"};
  store::Granularity granularity = store::Granularity::day;
  std::string severity = "warning";             ///< info, warning or critical
  std::int64_t min_count = 50;                  ///< items (keyword: occurrences) in the bucket, at least
  double min_change = 0.03;                     ///< smallest absolute change of the measure (volume: relative)
  double alpha = 0.001;                         ///< p-value threshold of the tail tests
  double threshold = 4.0;                       ///< z threshold of sentiment_score and volume
  double min_ratio = 4.0;                       ///< emerging_keyword: observed over expected count, at least
  double min_negative_share = 0.5;              ///< emerging_keyword: negative share of the distinct texts with the word, at least
  double min_baseline = 10.0;                   ///< volume: median baseline items per bucket, at least
  int baseline_days = 28;                       ///< history that forms the baseline, in days
  int min_baseline_buckets = 7;                 ///< non-empty baseline buckets needed to test at all
  int cooldown_buckets = 3;                     ///< buckets after an alert's window with no repeat alert
  VolumeDirection direction = VolumeDirection::both;

  bool operator==(const DetectorRule&) const = default;
};

/// Destination of alerts.
struct SinkRule {
  std::string type = "log";                     ///< log, jsonl or webhook
  std::string path;                             ///< jsonl: file that alerts are appended to
  std::string url;                              ///< webhook: http[s]://host[:port]/path
  int retries = 3;                              ///< webhook: attempts after the first
  int backoff_ms = 500;                         ///< webhook: wait before the first retry, doubled each time
  int timeout_ms = 5000;                        ///< webhook: connect, read and write timeout of each request
  int circuit_failures = 5;                     ///< webhook: failed requests in a row that open the circuit; 0: never
  int circuit_cooldown_ms = 60000;              ///< webhook: time the open circuit skips the webhook

  bool operator==(const SinkRule&) const = default;
};

/// Everything a rules file sets.
struct Rules {
  std::vector<DetectorRule> detectors;
  std::vector<SinkRule> sinks;
  int examples = 3;                             ///< example items stored with each alert
  int max_values = 1000;                        ///< values per dimension checked, largest volume first
  /// Maximum age in days of an alert's window end, counted back from the
  /// latest item, for the sinks to receive it. Older alerts are only stored. 0: no limit.
  int sink_max_age_days = 7;
  /// Checked buckets that each run checks again, for items that arrive after
  /// their bucket was checked. Alerts already raised are not raised again.
  int late_buckets = 1;
  /// Deliveries that wait in each sink's queue, at most. An alert that
  /// finds the queue full stays pending in the store for the next run.
  int sink_queue_size = 1000;
  /// Milliseconds that the monitor's shutdown waits for the queued and
  /// running deliveries; the rest stay pending in the store for the next run.
  int sink_shutdown_ms = 10000;

  bool operator==(const Rules&) const = default;
};

/// The rules used when no file is given; examples/rules.toml contains the same.
Rules default_rules();

/// Reads a rules file. Throws shopsight::Error naming the file, line and key
/// of a syntax error, an unknown key or a value of the wrong type or range.
Rules load_rules(const std::string& path);

/// Parses rules from TOML text; `name` stands for the file in messages.
Rules parse_rules(const std::string& text, const std::string& name);

/// One significant change that a detector found in one bucket.
struct Finding {
  std::string subject;                          ///< aspect category, keyword, "spike" or "drop"; else empty
  double observed = 0;
  double baseline = 0;
  double statistic = 0;
  std::string statistic_name;                   ///< p_value, z or robust_z
  std::int64_t count = 0;                       ///< items (keyword: occurrences) behind `observed`
};

/// Tests `current` against `history`, the buckets before it (oldest first,
/// empty ones included, covering rule.baseline_days), and returns what
/// crosses the rule's thresholds. Pure: reads nothing but its arguments.
std::vector<Finding> evaluate(const DetectorRule& rule, std::span<const store::BucketMeasures> history,
                              const store::BucketMeasures& current);

/// Alert as a JSON object: every Alert field, with the window also as ISO 8601 UTC text.
nlohmann::json alert_to_json(const store::Alert& alert);

/// alert_to_json plus "example_items": row, id, time (Unix ms and ISO 8601
/// UTC text), product, sentiment and masked text of each example item. This
/// is what the sinks send.
nlohmann::json alert_to_json(const store::Alert& alert, std::span<const store::StoredItem> examples);

/// alert_to_json with examples plus "deliveries": sink, status, attempts,
/// error and updated_at of each delivery state.
nlohmann::json alert_to_json(const store::Alert& alert, std::span<const store::StoredItem> examples,
                             std::span<const store::Delivery> deliveries);

/// Alert as a few lines of readable text: where and when, the evidence, the
/// delivery state at each sink, and the item id and start of each example's text.
std::string format_alert(const store::Alert& alert, std::span<const store::StoredItem> examples,
                         std::span<const store::Delivery> deliveries = {});

/// Receives alerts. Each call is one attempt: the delivery queue retries,
/// backs off and opens the circuit around it.
class Sink {
 public:
  virtual ~Sink() = default;

  /// Names the sink in the store's delivery states, without the parts of a
  /// URL that may carry a secret token.
  virtual std::string name() const = 0;

  /// Sends one alert, whose JSON text (alert_to_json with its example items)
  /// is `payload`. Returns an empty string on success, else the error
  /// message, which the delivery queue stores.
  virtual std::string send(const store::Alert& alert, const std::string& payload) = 0;

  /// Makes a send() running on another thread return soon, for shutdown.
  virtual void interrupt() {}
};

/// The URL with its user info and query dropped and every path segment that
/// may be a secret token replaced by "***": fit for messages and logs.
std::string redact_url(std::string_view url);

/// Makes the sink that `rule` describes; throws shopsight::Error for a bad one.
std::unique_ptr<Sink> make_sink(const SinkRule& rule);

class DeliveryQueue;

/// Evaluates the rules on a store: every bucket closed since the previous
/// run, per dimension value, saving new alerts and queueing them for the sinks.
class Monitor {
 public:
  /// Keeps a reference to `store`, which must outlive the monitor; makes the
  /// sinks and starts one delivery thread per sink.
  Monitor(store::Store& store, const Rules& rules);
  /// Waits up to the rules' sink_shutdown_ms for queued and running deliveries.
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  /// Checks each bucket that closed since the last run (a bucket is closed
  /// once the latest stored item time reaches its end) and returns the new
  /// alerts, oldest window first. Progress is kept with Store::set_mark.
  /// Then queues for each sink the recent alerts it has not received, also
  /// those that earlier runs failed to deliver, and returns without waiting.
  std::vector<store::Alert> run();

  /// Queues for each sink the recent alerts it has not received, without
  /// checking buckets. Returns how many deliveries were queued.
  std::size_t redeliver();

  /// Waits until every queued delivery has finished or `timeout` passed.
  /// Returns true when nothing is left to do.
  bool wait_for_deliveries(std::chrono::milliseconds timeout);

 private:
  std::vector<store::Alert> run_rule(const DetectorRule& rule, const std::string& dimension, std::int64_t latest,
                                     std::map<std::string, std::int64_t>& checked_to);
  std::vector<store::Alert> check_value(const DetectorRule& rule, const std::string& dimension,
                                        const std::string& value, std::int64_t check_from, std::int64_t check_to);
  store::ItemQuery bucket_items(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                                const store::BucketMeasures& bucket) const;
  bool confirm_aspect(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                      std::span<const store::BucketMeasures> history, const store::BucketMeasures& bucket,
                      const Finding& finding);
  bool confirm_keyword(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                       std::span<const store::BucketMeasures> history, const store::BucketMeasures& bucket,
                       const Finding& finding);
  std::optional<store::Alert> make_alert(const DetectorRule& rule, const std::string& dimension,
                                         const std::string& value, const store::BucketMeasures& bucket,
                                         const Finding& finding);
  std::int64_t oldest_sent(std::int64_t latest) const;
  void add_pending(const std::vector<store::Alert>& alerts, std::int64_t latest);
  std::size_t queue_undelivered(std::int64_t latest);

  store::Store& store_;
  Rules rules_;
  std::unique_ptr<DeliveryQueue> deliveries_;
};

}  // namespace shopsight::detect

// Monitor: runs the rules over the buckets that closed since its last run.

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <unordered_map>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/i18n.h"
#include "common/log.h"
#include "detect/delivery.h"
#include "detect/detect.h"

namespace shopsight::detect {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Name of the Store mark that keeps the first bucket start not yet checked
// by one detector on one dimension and granularity.
std::string mark_name(const DetectorRule& rule, const std::string& dimension) {
  return fmt::format("detect|{}|{}|{}", to_string(rule.detector), dimension, store::to_string(rule.granularity));
}

std::string fingerprint(const store::Alert& alert) {
  return fmt::format("{}|{}|{}|{}|{}|{}", alert.detector, alert.dimension, alert.value, alert.subject,
                     store::to_string(alert.granularity), alert.window_start);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Filters that pick example items that show the change, not just any item.
store::ItemQuery example_query(const DetectorRule& rule, const store::Alert& alert, int limit) {
  store::ItemQuery query;
  if (alert.dimension != "shop") {
    query.dimension = alert.dimension;
    query.value = alert.value;
  }
  query.from = alert.window_start;
  query.to = alert.window_end;
  query.limit = limit;
  switch (rule.detector) {
    case Detector::negative_share:
    case Detector::sentiment_score: query.sentiment = "negative"; break;
    case Detector::aspect_negative:
      query.aspect = alert.subject;
      query.aspect_polarity = "negative";
      break;
    case Detector::emerging_keyword: query.keyword = alert.subject; break;
    case Detector::volume: break;
  }
  return query;
}

}  // namespace

Monitor::Monitor(store::Store& store, const Rules& rules) : store_(store), rules_(rules) {
  // Backtest clears the sinks, so it starts no threads and stores no delivery states.
  if (!rules_.sinks.empty()) deliveries_ = std::make_unique<DeliveryQueue>(store_, rules_);
}

Monitor::~Monitor() = default;

std::vector<store::Alert> Monitor::run() {
  const std::optional<std::int64_t> latest = store_.latest_time();
  if (!latest) return {};
  // Marks are read before any is moved, so two rules that share a mark
  // (same detector, dimension and granularity) both check the new buckets.
  std::map<std::string, std::int64_t> checked_to;
  std::vector<store::Alert> alerts;
  for (const DetectorRule& rule : rules_.detectors) {
    for (const std::string& dimension : rule.dimensions) {
      std::vector<store::Alert> found = run_rule(rule, dimension, *latest, checked_to);
      alerts.insert(alerts.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
  }
  for (const auto& [mark, bucket] : checked_to) store_.set_mark(mark, bucket);
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const store::Alert& a, const store::Alert& b) { return a.window_start < b.window_start; });

  if (deliveries_) {
    add_pending(alerts, *latest);
    queue_undelivered(*latest);
  }
  return alerts;
}

std::size_t Monitor::redeliver() {
  const std::optional<std::int64_t> latest = store_.latest_time();
  if (!deliveries_ || !latest) return 0;
  return queue_undelivered(*latest);
}

bool Monitor::wait_for_deliveries(std::chrono::milliseconds timeout) {
  return !deliveries_ || deliveries_->wait_idle(timeout);
}

// A first run over a store of history finds all of that history's alerts.
// Only recent ones reach the sinks, because old ones need no action.
std::int64_t Monitor::oldest_sent(std::int64_t latest) const {
  return rules_.sink_max_age_days > 0 ? latest - rules_.sink_max_age_days * kDayMs
                                      : std::numeric_limits<std::int64_t>::min();
}

// The pending state is saved before anything is queued, so an alert whose
// delivery a crash or the shutdown cuts short is sent on the next run.
void Monitor::add_pending(const std::vector<store::Alert>& alerts, std::int64_t latest) {
  const std::int64_t oldest = oldest_sent(latest);
  std::int64_t old_alerts = 0;
  for (const store::Alert& alert : alerts) {
    if (alert.window_end < oldest) {
      ++old_alerts;
      continue;
    }
    for (const std::string& sink : deliveries_->sink_names()) store_.add_pending_delivery(alert.fingerprint, sink);
  }
  if (old_alerts > 0) {
    spdlog::info("{}", tr("{} alerts ended more than {} days before the latest item; they were stored but not sent "
                          "to the sinks (sink_max_age_days)",
                          old_alerts, rules_.sink_max_age_days));
  }
}

// Queues what each sink has not received: new alerts, and those that earlier
// runs failed to deliver or had no room for. An alert that finds the queue
// full stays pending with the reason.
std::size_t Monitor::queue_undelivered(std::int64_t latest) {
  std::size_t queued = 0;
  const std::vector<std::string>& names = deliveries_->sink_names();
  for (std::size_t sink = 0; sink < names.size(); ++sink) {
    std::size_t full = 0;
    for (const store::Alert& alert : store_.undelivered_alerts(names[sink], oldest_sent(latest))) {
      if (deliveries_->contains(sink, alert.fingerprint)) continue;
      if (full == 0) {
        const std::string payload = alert_to_json(alert, store_.items_by_row(alert.examples))
                                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        const PushResult result = deliveries_->push(sink, {alert, payload});
        if (result == PushResult::queued) ++queued;
        if (result != PushResult::queue_full) continue;
      }
      ++full;
      store_.record_delivery({.fingerprint = alert.fingerprint,
                              .sink = names[sink],
                              .status = "pending",
                              .error = tr("not queued: the delivery queue was full (sink_queue_size {})",
                                          rules_.sink_queue_size)});
    }
    if (full > 0) {
      spdlog::warn("{}", tr("sink {}: the delivery queue is full (sink_queue_size {}); {} alerts stay pending for "
                            "the next run",
                            names[sink], rules_.sink_queue_size, full));
    }
  }
  return queued;
}

std::vector<store::Alert> Monitor::run_rule(const DetectorRule& rule, const std::string& dimension,
                                            std::int64_t latest, std::map<std::string, std::int64_t>& checked_to) {
  const std::int64_t length = store::bucket_milliseconds(rule.granularity);
  // A bucket is closed once the latest item time reaches its end.
  const std::int64_t offset = store_.bucket_offset();
  const std::int64_t check_to = store::bucket_start(latest - length, rule.granularity, offset) + length;
  const std::string mark = mark_name(rule, dimension);
  std::int64_t check_from = 0;
  if (auto saved = store_.mark(mark)) {
    check_from = *saved - rules_.late_buckets * length;
  } else {
    check_from = store::bucket_start(store_.earliest_time().value_or(latest), rule.granularity, offset);
  }
  if (check_from >= check_to) return {};

  // A volume drop can leave a value with no items in the checked buckets,
  // so the volume detector also looks at values seen only in the baseline.
  const std::int64_t values_from =
      rule.detector == Detector::volume ? check_from - rule.baseline_days * kDayMs : check_from;
  std::vector<store::ValueSummary> values =
      store_.values(dimension, rule.granularity, values_from, check_to, rules_.max_values + 1);
  if (values.size() > static_cast<std::size_t>(rules_.max_values)) {
    spdlog::info("{}", tr("{}: checking the {} largest values of {} only (max_values)", to_string(rule.detector),
                          rules_.max_values, dimension));
    values.resize(static_cast<std::size_t>(rules_.max_values));
  }

  std::vector<store::Alert> alerts;
  for (const store::ValueSummary& summary : values) {
    std::vector<store::Alert> found = check_value(rule, dimension, summary.value, check_from, check_to);
    alerts.insert(alerts.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  checked_to[mark] = check_to;
  spdlog::debug("{} {} {}: checked to {}, {} alerts", to_string(rule.detector), dimension,
                store::to_string(rule.granularity), check_to, alerts.size());
  return alerts;
}

std::vector<store::Alert> Monitor::check_value(const DetectorRule& rule, const std::string& dimension,
                                               const std::string& value, std::int64_t check_from,
                                               std::int64_t check_to) {
  const std::int64_t length = store::bucket_milliseconds(rule.granularity);
  const std::int64_t baseline_buckets = std::max<std::int64_t>(1, rule.baseline_days * kDayMs / length);
  store::SeriesQuery query;
  query.dimension = dimension;
  query.value = value;
  query.granularity = rule.granularity;
  query.from = check_from - baseline_buckets * length;
  query.to = check_to;
  query.keywords = rule.detector == Detector::emerging_keyword;
  const store::Series series = store_.series(query);

  std::vector<store::Alert> alerts;
  const std::span<const store::BucketMeasures> buckets(series.buckets);
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].start < check_from) continue;
    const std::size_t first = i > static_cast<std::size_t>(baseline_buckets) ? i - baseline_buckets : 0;
    const auto history = buckets.subspan(first, i - first);
    for (const Finding& finding : evaluate(rule, history, buckets[i])) {
      if (rule.detector == Detector::aspect_negative &&
          !confirm_aspect(rule, dimension, value, history, buckets[i], finding)) {
        continue;
      }
      if (rule.detector == Detector::emerging_keyword &&
          !confirm_keyword(rule, dimension, value, history, buckets[i], finding)) {
        continue;
      }
      if (auto alert = make_alert(rule, dimension, value, buckets[i], finding)) alerts.push_back(std::move(*alert));
    }
  }
  return alerts;
}

// The items of one bucket of one dimension value.
store::ItemQuery Monitor::bucket_items(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                                       const store::BucketMeasures& bucket) const {
  store::ItemQuery query;
  if (dimension != "shop") {
    query.dimension = dimension;
    query.value = value;
  }
  query.from = bucket.start;
  query.to = bucket.start + store::bucket_milliseconds(rule.granularity);
  return query;
}

// Tests an aspect finding again with the items that have a negative mention
// of the category in place of the mentions. Buckets count mentions, and one
// long review can mention a category many times, which alone can look like a
// burst. Only findings are recounted, so the item query stays rare.
bool Monitor::confirm_aspect(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                             std::span<const store::BucketMeasures> history, const store::BucketMeasures& bucket,
                             const Finding& finding) {
  store::ItemQuery query = bucket_items(rule, dimension, value, bucket);
  query.aspect = finding.subject;
  query.aspect_polarity = "negative";
  query.limit = finding.count;
  const auto items = static_cast<std::int64_t>(store_.items(query).size());
  if (items >= finding.count) return true;

  store::BucketMeasures recounted = bucket;
  recounted.aspects = {{finding.subject, bucket.aspects.at(finding.subject)}};
  recounted.aspects[finding.subject].negative = items;
  return !evaluate(rule, history, recounted).empty();
}

// Tests a keyword finding again on the distinct texts with that keyword,
// because a review pasted many times made each of its words look like a
// trend. Most of those texts must also be negative (min_negative_share), so
// that praise that turns frequent is not reported as a complaint.
bool Monitor::confirm_keyword(const DetectorRule& rule, const std::string& dimension, const std::string& value,
                              std::span<const store::BucketMeasures> history, const store::BucketMeasures& bucket,
                              const Finding& finding) {
  store::ItemQuery query = bucket_items(rule, dimension, value, bucket);
  query.keyword = finding.subject;
  query.limit = finding.count;
  std::unordered_map<std::string, bool> negative_by_text;
  for (const store::StoredItem& item : store_.items(query)) {
    negative_by_text.emplace(item.analysis.masked_text, item.analysis.sentiment.label == "negative");
  }
  const auto texts = static_cast<std::int64_t>(negative_by_text.size());
  const auto negatives = std::count_if(negative_by_text.begin(), negative_by_text.end(),
                                       [](const auto& entry) { return entry.second; });
  if (texts == 0 || static_cast<double>(negatives) < rule.min_negative_share * static_cast<double>(texts)) {
    return false;
  }
  if (texts >= finding.count) return true;

  store::BucketMeasures recounted = bucket;
  recounted.keywords = {{finding.subject, texts}};
  return !evaluate(rule, history, recounted).empty();
}

// Builds, deduplicates and saves one alert; nullopt when the cooldown of an
// earlier alert covers it or the same alert is already stored.
std::optional<store::Alert> Monitor::make_alert(const DetectorRule& rule, const std::string& dimension,
                                                const std::string& value, const store::BucketMeasures& bucket,
                                                const Finding& finding) {
  const std::int64_t length = store::bucket_milliseconds(rule.granularity);
  store::Alert alert;
  alert.detector = std::string(to_string(rule.detector));
  alert.dimension = dimension;
  alert.value = value;
  alert.subject = finding.subject;
  alert.granularity = rule.granularity;
  alert.window_start = bucket.start;
  alert.window_end = bucket.start + length;

  const auto last_end = store_.last_alert_end(alert.detector, dimension, value, alert.subject);
  if (last_end && alert.window_start < *last_end + rule.cooldown_buckets * length) return std::nullopt;

  alert.fingerprint = fingerprint(alert);
  alert.severity = rule.severity;
  alert.observed = finding.observed;
  alert.baseline = finding.baseline;
  alert.statistic = finding.statistic;
  alert.statistic_name = finding.statistic_name;
  alert.count = finding.count;
  alert.raised_at = now_ms();
  if (rules_.examples > 0) {
    for (const store::StoredItem& item : store_.items(example_query(rule, alert, rules_.examples))) {
      alert.examples.push_back(item.row);
    }
  }
  if (!store_.add_alert(alert)) return std::nullopt;
  return alert;
}

}  // namespace shopsight::detect

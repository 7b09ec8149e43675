#include "serve/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace shopsight::serve {
namespace {

// Upper bounds of the latency buckets, in seconds: from 1 ms, where a cached
// query lands, to 10 s, past which a client has most likely timed out.
const std::vector<double> kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1,     2.5,  5,     10};

// Prometheus parses Go float syntax: +Inf, -Inf and NaN are spelled so.
std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// Backslash and line feed are escaped in HELP text and label values, double
// quotes only in label values.
std::string escape(std::string_view value, bool quotes) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"' && quotes) {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// Methods that keep their own label value. The method comes from the client,
// so any other one would let a client create series at will.
constexpr std::string_view kKnownMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

}  // namespace

std::string method_label(std::string_view method) {
  const bool known = std::find(std::begin(kKnownMethods), std::end(kKnownMethods), method) != std::end(kKnownMethods);
  return known ? std::string(method) : "other";
}

std::string escape_label_value(std::string_view value) { return escape(value, true); }

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape(help, false), name, type);
}

void Exposition::sample(std::string_view name, const std::vector<Label>& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) text_ += ',';
      text_ += fmt::format("{}=\"{}\"", labels[i].first, escape_label_value(labels[i].second));
    }
    text_ += '}';
  }
  text_ += ' ';
  text_ += format_value(value);
  text_ += '\n';
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  sum_ += value;
  ++count_;
}

void Histogram::write(Exposition& out, std::string_view name, const std::vector<Label>& labels) const {
  const std::string bucket_name = fmt::format("{}_bucket", name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    const double bound = i < bounds_.size() ? bounds_[i] : std::numeric_limits<double>::infinity();
    const std::string bound_text = format_value(bound);
    std::vector<Label> bucket_labels = labels;
    bucket_labels.emplace_back("le", bound_text);
    out.sample(bucket_name, bucket_labels, static_cast<double>(cumulative));
  }
  out.sample(fmt::format("{}_sum", name), labels, sum_);
  out.sample(fmt::format("{}_count", name), labels, static_cast<double>(count_));
}

Metrics::Metrics() : analysis_duration_(kLatencyBounds) {}

void Metrics::count_request(std::string_view method, std::string_view route, int status, double seconds) {
  const std::lock_guard lock(mutex_);
  ++requests_[{method_label(method), std::string(route), status}];
  auto [found, inserted] = request_durations_.try_emplace(std::string(route), kLatencyBounds);
  found->second.observe(seconds);
}

void Metrics::count_analysis(double seconds) {
  const std::lock_guard lock(mutex_);
  ++analyzed_;
  analysis_duration_.observe(seconds);
}

void Metrics::count_stored(std::int64_t added, std::int64_t duplicates) {
  const std::lock_guard lock(mutex_);
  ingested_ += static_cast<std::uint64_t>(added);
  duplicates_ += static_cast<std::uint64_t>(duplicates);
}

void Metrics::count_rejected(std::int64_t items) {
  const std::lock_guard lock(mutex_);
  rejected_ += static_cast<std::uint64_t>(items);
}

void Metrics::write(Exposition& out) const {
  const std::lock_guard lock(mutex_);
  const auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    out.family(name, "counter", help);
    out.sample(name, {}, static_cast<double>(value));
  };
  counter("shopsight_items_analyzed_total", "Items analyzed by POST /api/v1/analyze and POST /api/v1/items.",
          analyzed_);
  counter("shopsight_items_ingested_total", "Items added to the store by POST /api/v1/items.", ingested_);
  counter("shopsight_items_duplicate_total", "Items of POST /api/v1/items that the store already had.",
          duplicates_);
  counter("shopsight_items_rejected_total", "Items refused as invalid by POST /api/v1/analyze or /api/v1/items.",
          rejected_);

  out.family("shopsight_http_requests_total", "counter", "HTTP requests served, by method, route and status.");
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    const std::string status_text = std::to_string(status);
    out.sample("shopsight_http_requests_total", {{"method", method}, {"route", route}, {"status", status_text}},
               static_cast<double>(count));
  }

  out.family("shopsight_http_request_duration_seconds", "histogram",
             "Time from routing a request to writing its response, by route.");
  for (const auto& [route, histogram] : request_durations_) {
    histogram.write(out, "shopsight_http_request_duration_seconds", {{"route", route}});
  }

  out.family("shopsight_analysis_duration_seconds", "histogram", "Time to analyze one item.");
  analysis_duration_.write(out, "shopsight_analysis_duration_seconds", {});
}

}  // namespace shopsight::serve

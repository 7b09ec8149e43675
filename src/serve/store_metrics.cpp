// Business series of /metrics, read from the store's hour buckets at each
// scrape: three queries whatever the number of products, which keeps a
// scrape cheap.

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "serve/api.h"
#include "serve/metrics.h"

namespace shopsight::serve {
namespace {

constexpr std::int64_t kHourMs = 3600 * 1000;

// Hour buckets [from, to) of the metrics window: the current hour of `end`
// and the hours before it, in a store whose buckets start `offset` east of UTC.
std::pair<std::int64_t, std::int64_t> metrics_window(std::int64_t end, int hours, std::int64_t offset) {
  const std::int64_t to = store::bucket_start(end, store::Granularity::hour, offset) + kHourMs;
  return {to - hours * kHourMs, to};
}

void write_value_series(Exposition& out, std::string_view label, const std::vector<store::ValueSummary>& values,
                        const std::string& prefix) {
  const std::string items = prefix + "_items";
  const std::string negative = prefix + "_negative_ratio";
  const std::string score = prefix + "_sentiment_score_mean";
  out.family(items, "gauge", fmt::format("Items per {} in the metrics window.", label));
  for (const auto& value : values) out.sample(items, {{label, value.value}}, static_cast<double>(value.volume));
  out.family(negative, "gauge", fmt::format("Share of negative items per {} in the metrics window, 0 to 1.", label));
  for (const auto& value : values) out.sample(negative, {{label, value.value}}, share(value.negative, value.volume));
  out.family(score, "gauge",
             fmt::format("Mean sentiment score per {} in the metrics window, -1 to 1.", label));
  for (const auto& value : values) {
    const double mean = value.volume > 0 ? value.score_sum / static_cast<double>(value.volume) : 0.0;
    out.sample(score, {{label, value.value}}, mean);
  }
}

void write_aspect_series(Exposition& out, const store::Series& shop) {
  std::map<std::string, store::AspectCounts> totals;
  for (const auto& bucket : shop.buckets) {
    for (const auto& [category, counts] : bucket.aspects) {
      store::AspectCounts& total = totals[category];
      total.mentions += counts.mentions;
      total.positive += counts.positive;
      total.negative += counts.negative;
    }
  }
  out.family("shopsight_aspect_mentions", "gauge", "Aspect mentions per aspect category in the metrics window.");
  for (const auto& [category, counts] : totals) {
    out.sample("shopsight_aspect_mentions", {{"aspect", category}}, static_cast<double>(counts.mentions));
  }
  out.family("shopsight_aspect_negative_ratio", "gauge",
             "Share of negative mentions per aspect category in the metrics window, 0 to 1.");
  for (const auto& [category, counts] : totals) {
    out.sample("shopsight_aspect_negative_ratio", {{"aspect", category}}, share(counts.negative, counts.mentions));
  }
}

}  // namespace

void write_store_metrics(Exposition& out, const store::Store& store, const ServerOptions& options,
                         std::int64_t now) {
  const std::int64_t items = store.item_count();
  const std::optional<std::int64_t> latest = store.latest_time();
  out.family("shopsight_store_items", "gauge", "Items in the store.");
  out.sample("shopsight_store_items", {}, static_cast<double>(items));
  if (latest) {
    out.family("shopsight_store_latest_item_timestamp_seconds", "gauge", "Time of the latest stored item, Unix seconds.");
    out.sample("shopsight_store_latest_item_timestamp_seconds", {}, static_cast<double>(*latest) / 1000.0);
  }

  const std::int64_t end = options.metrics_window_at_latest_item && latest ? *latest : now;
  const auto [from, to] = metrics_window(end, options.metrics_window_hours, store.bucket_offset());
  out.family("shopsight_metrics_window_seconds", "gauge",
             "Length of the window of the per-category, per-aspect and per-product series.");
  out.sample("shopsight_metrics_window_seconds", {}, static_cast<double>(to - from) / 1000.0);

  const auto hour = store::Granularity::hour;
  write_value_series(out, "category", store.values("category", hour, from, to), "shopsight_category");
  // Store::values reads every value for a limit of 0, so at least one is asked for.
  const std::int64_t products = std::max(1, options.metrics_products);
  write_value_series(out, "product", store.values("product", hour, from, to, products),
                     "shopsight_product");

  store::SeriesQuery query;
  query.dimension = "shop";
  query.granularity = hour;
  query.from = from;
  query.to = to;
  write_aspect_series(out, store.series(query));
}

}  // namespace shopsight::serve

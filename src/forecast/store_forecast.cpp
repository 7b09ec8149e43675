// Reads measured series from the store and forecasts them.

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

// Negative share is undefined in a bucket without items, so such a bucket
// repeats the last defined share (the first defined one at the start),
// because a quiet hour carries no news about the share.
std::vector<double> negative_shares(const std::vector<store::BucketMeasures>& buckets) {
  std::vector<double> shares(buckets.size(), 0.0);
  const auto first = std::find_if(buckets.begin(), buckets.end(), [](const auto& b) { return b.volume > 0; });
  if (first == buckets.end()) return shares;
  double last = static_cast<double>(first->negative) / static_cast<double>(first->volume);
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].volume > 0) last = static_cast<double>(buckets[i].negative) / static_cast<double>(buckets[i].volume);
    shares[i] = last;
  }
  return shares;
}

std::vector<double> measure_values(const std::vector<store::BucketMeasures>& buckets, const Measure& measure) {
  if (measure.kind == Measure::Kind::negative_share) return negative_shares(buckets);
  std::vector<double> values;
  values.reserve(buckets.size());
  for (const auto& bucket : buckets) {
    if (measure.kind == Measure::Kind::volume) {
      values.push_back(static_cast<double>(bucket.volume));
      continue;
    }
    const auto found = bucket.aspects.find(measure.aspect);
    values.push_back(found == bucket.aspects.end() ? 0.0 : static_cast<double>(found->second.mentions));
  }
  return values;
}

std::vector<std::string> values_to_forecast(const store::Store& store, const Query& query, std::int64_t from,
                                            std::int64_t to) {
  if (query.dimension == "shop") return {std::string()};
  if (!query.value.empty()) return {query.value};
  std::vector<std::string> names;
  for (const auto& summary : store.values(query.dimension, query.granularity, from, to, query.top)) {
    names.push_back(summary.value);
  }
  if (names.empty()) throw Error(tr("the store has no {} values to forecast", query.dimension));
  return names;
}

ValueForecast forecast_value(const store::Store& store, const Query& query, const std::string& value,
                             std::int64_t from, std::int64_t to) {
  store::SeriesQuery series_query;
  series_query.dimension = query.dimension;
  series_query.value = value;
  series_query.granularity = query.granularity;
  series_query.from = from;
  series_query.to = to;
  store::Series series = store.series(series_query);

  // Buckets before the value's first item are not zeros but "not yet
  // known" (or dropped by retention), so the history starts at the first item.
  auto& buckets = series.buckets;
  const auto first = std::find_if(buckets.begin(), buckets.end(), [](const auto& b) { return b.volume > 0; });
  if (first == buckets.end()) throw Error(tr("{} {} has no items in the store", query.dimension, value));
  buckets.erase(buckets.begin(), first);

  ValueForecast result;
  result.dimension = query.dimension;
  result.value = value;
  result.measure = query.measure;
  result.granularity = query.granularity;
  result.history_start = buckets.front().start;
  result.history = measure_values(buckets, query.measure);
  result.forecast_start = to;
  const Bounds bounds =
      query.measure.kind == Measure::Kind::negative_share ? Bounds::unit_interval : Bounds::non_negative;
  result.result = forecast_series(result.history, season_length(query.granularity), query.horizon,
                                  query.coverage, bounds);
  return result;
}

}  // namespace

std::vector<ValueForecast> forecast(const store::Store& store, const Query& query) {
  if (!store::is_dimension(query.dimension)) {
    throw Error(tr("unknown dimension {}; use shop, product, category, channel, aspect or user", query.dimension));
  }
  if (query.horizon < 1) throw Error(tr("the horizon is {} but must be at least 1 bucket", query.horizon));
  const auto earliest = store.earliest_time();
  const auto latest = store.latest_time();
  if (!earliest || !latest) throw Error(tr("the store has no items; add some with shopsight ingest"));

  // NOTE: the bucket of the latest item counts as complete. While a source
  // is still being followed it is not, so the forecast runs low.
  const std::int64_t length = store::bucket_milliseconds(query.granularity);
  const std::int64_t to = store::bucket_start(*latest, query.granularity) + length;
  std::int64_t from = store::bucket_start(*earliest, query.granularity);
  if (query.max_history > 0) from = std::max(from, to - query.max_history * length);

  std::vector<ValueForecast> forecasts;
  for (const std::string& value : values_to_forecast(store, query, from, to)) {
    forecasts.push_back(forecast_value(store, query, value, from, to));
  }
  return forecasts;
}

}  // namespace shopsight::forecast

// Reads measured series from the store and forecasts them.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

std::int64_t wall_clock_milliseconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

// A ratio such as the negative share or the mean score is undefined in a
// bucket without items. Such a bucket repeats the last defined ratio (the
// first defined one at the start), because a quiet hour carries no news
// about it. `ratio` is called only for buckets with items.
template <typename Ratio>
std::vector<double> carried_ratios(const std::vector<store::BucketMeasures>& buckets, Ratio ratio) {
  std::vector<double> values(buckets.size(), 0.0);
  const auto first = std::find_if(buckets.begin(), buckets.end(), [](const auto& b) { return b.volume > 0; });
  if (first == buckets.end()) return values;
  double last = ratio(*first);
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].volume > 0) last = ratio(buckets[i]);
    values[i] = last;
  }
  return values;
}

std::vector<double> measure_values(const std::vector<store::BucketMeasures>& buckets, const Measure& measure) {
  if (measure.kind == Measure::Kind::negative_share) {
    return carried_ratios(buckets, [](const store::BucketMeasures& bucket) {
      return static_cast<double>(bucket.negative) / static_cast<double>(bucket.volume);
    });
  }
  if (measure.kind == Measure::Kind::mean_score) {
    return carried_ratios(buckets, [](const store::BucketMeasures& bucket) { return bucket.mean_score(); });
  }
  std::vector<double> values;
  values.reserve(buckets.size());
  for (const auto& bucket : buckets) {
    if (measure.kind == Measure::Kind::volume) {
      values.push_back(static_cast<double>(bucket.volume));
      continue;
    }
    const auto found = bucket.aspects.find(measure.aspect);
    if (found == bucket.aspects.end()) {
      values.push_back(0.0);
    } else if (measure.kind == Measure::Kind::aspect_negative) {
      values.push_back(static_cast<double>(found->second.negative));
    } else {
      values.push_back(static_cast<double>(found->second.mentions));
    }
  }
  return values;
}

/// Items from which a ratio bucket counts as a whole observation: a share of
/// fewer items has a standard error above 0.1 near one half.
constexpr double kFullRatioItems = 20;

bool is_ratio(const Measure& measure) {
  return measure.kind == Measure::Kind::negative_share || measure.kind == Measure::Kind::mean_score;
}

// A ratio bucket is weighted by its items against the mean bucket with
// items, so a 2-item day moves the forecast less than a 100-item day. An
// empty day that repeats the last ratio has weight 0.
// Below kFullRatioItems items, even the mean bucket counts only in part.
// The noise is that of one bucket of mean size: binomial for the share and
// the largest variance of a score in [-1, 1] with the observed mean. Counts
// get the Poisson variance of their mean. Half an event is added, so that a
// history of zeros still has a spread.
Sampling measure_sampling(const std::vector<store::BucketMeasures>& buckets, const Measure& measure,
                          const std::vector<double>& values) {
  Sampling sampling;
  if (buckets.empty()) return sampling;
  if (!is_ratio(measure)) {
    double events = 0;
    for (double v : values) events += v;
    sampling.noise_variance = (events + 0.5) / static_cast<double>(values.size());
    return sampling;
  }
  double items = 0;
  double negative = 0;
  double score_sum = 0;
  int filled = 0;
  for (const auto& bucket : buckets) {
    items += static_cast<double>(bucket.volume);
    negative += static_cast<double>(bucket.negative);
    score_sum += bucket.score_sum;
    filled += bucket.volume > 0 ? 1 : 0;
  }
  if (filled == 0) return sampling;
  const double mean_items = items / filled;
  const double full_items = std::max(mean_items, kFullRatioItems);
  for (const auto& bucket : buckets) {
    sampling.weights.push_back(std::min(1.0, static_cast<double>(bucket.volume) / full_items));
  }
  if (measure.kind == Measure::Kind::negative_share) {
    const double share = (negative + 0.5) / (items + 1);
    sampling.noise_variance = share * (1 - share) / mean_items;
  } else {
    const double mean = std::clamp(score_sum / items, -1.0, 1.0);
    sampling.noise_variance = (1 - mean * mean) / mean_items;
  }
  return sampling;
}

Bounds measure_bounds(const Measure& measure) {
  switch (measure.kind) {
    case Measure::Kind::negative_share:
      return Bounds::unit_interval;
    case Measure::Kind::mean_score:
      return Bounds::score_interval;
    case Measure::Kind::volume:
    case Measure::Kind::aspect:
    case Measure::Kind::aspect_negative:
      break;
  }
  return Bounds::non_negative;
}

std::vector<std::string> values_to_forecast(const store::Store& store, const Query& query, std::int64_t from,
                                            std::int64_t to) {
  if (query.dimension == "shop") return {std::string()};
  if (!query.value.empty()) return {query.value};
  std::vector<std::string> names;
  for (const auto& summary : store.values(query.dimension, query.granularity, from, to, query.top)) {
    names.push_back(summary.value);
  }
  if (names.empty()) throw NoItemsError(tr("the store has no {} values to forecast", query.dimension));
  return names;
}

// Aspect categories that a forecast may name: the standard ones, and those
// of the store's items, which include the categories of a shop's lexicon.
std::vector<std::string> known_aspects(const store::Store& store) {
  std::set<std::string> known(standard_aspect_categories().begin(), standard_aspect_categories().end());
  for (const auto& summary : store.values("aspect", store::Granularity::day, 0, INT64_MAX)) {
    known.insert(summary.value);
  }
  return {known.begin(), known.end()};
}

std::string comma_list(const std::vector<std::string>& values) {
  std::string list;
  for (const std::string& value : values) list += (list.empty() ? "" : ", ") + value;
  return list;
}

void check_aspect(const store::Store& store, const Measure& measure) {
  if (measure.kind != Measure::Kind::aspect && measure.kind != Measure::Kind::aspect_negative) return;
  std::vector<std::string> known = known_aspects(store);
  if (std::binary_search(known.begin(), known.end(), measure.aspect)) return;
  throw UnknownAspectError(measure.aspect, std::move(known));
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
  if (first == buckets.end()) throw NoItemsError(tr("{} {} has no items in the store", query.dimension, value));
  buckets.erase(buckets.begin(), first);

  ValueForecast result;
  result.dimension = query.dimension;
  result.value = value;
  result.measure = query.measure;
  result.granularity = query.granularity;
  result.history_start = buckets.front().start;
  result.history = measure_values(buckets, query.measure);
  result.forecast_start = to;
  result.utc_offset = store.bucket_offset();
  result.result = forecast_series(result.history, season_length(query.granularity), query.horizon,
                                  query.coverage, measure_bounds(query.measure),
                                  measure_sampling(buckets, query.measure, result.history));
  return result;
}

}  // namespace

UnknownAspectError::UnknownAspectError(std::string aspect, std::vector<std::string> known)
    : Error(tr("unknown aspect category {}; the known categories are {}", aspect, comma_list(known))),
      aspect_(std::move(aspect)),
      known_(std::move(known)) {}

std::vector<ValueForecast> forecast(const store::Store& store, const Query& query) {
  if (!store::is_dimension(query.dimension)) {
    throw Error(tr("unknown dimension {}; use shop, product, category, channel, aspect or user", query.dimension));
  }
  if (query.horizon < 1) throw Error(tr("the horizon is {} but must be at least 1 bucket", query.horizon));
  check_aspect(store, query.measure);
  if (query.from && query.to && *query.from >= *query.to) {
    throw Error(tr("the history range is empty: its start must be before its end"));
  }
  const auto earliest = store.earliest_time();
  const auto latest = store.latest_time();
  if (!earliest || !latest) throw NoItemsError(tr("the store has no items; add some with shopsight ingest"));

  const std::int64_t length = store::bucket_milliseconds(query.granularity);
  const std::int64_t last_time = query.to ? *query.to - 1 : *latest;
  const std::int64_t offset = store.bucket_offset();
  std::int64_t to = store::bucket_start(last_time, query.granularity, offset) + length;
  std::int64_t from =
      store::bucket_start(std::max(*earliest, query.from.value_or(*earliest)), query.granularity, offset);

  // A bucket that the clock is inside is still filling, and its count
  // fitted as complete would pull the forecast down. A store that has items
  // in no other bucket keeps it, to have any history at all.
  const std::int64_t now = query.now.value_or(wall_clock_milliseconds());
  const bool filling = to - length <= now && now < to;
  if (!query.to && filling && to - length > from) to -= length;

  if (query.max_history > 0) from = std::max(from, to - query.max_history * length);
  if (from >= to) throw NoItemsError(tr("the store has no items in the history range"));

  std::vector<ValueForecast> forecasts;
  for (const std::string& value : values_to_forecast(store, query, from, to)) {
    forecasts.push_back(forecast_value(store, query, value, from, to));
  }
  return forecasts;
}

}  // namespace shopsight::forecast

// Routes that read aggregates from the store: series, values, alerts and the
// product summary.

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "detect/detect.h"
#include "serve/api.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

// More buckets than this in one response is almost surely a mistaken range.
constexpr std::int64_t kMaxBuckets = 10000;

constexpr std::array<std::string_view, 9> kMeasures = {"volume",     "positive", "negative", "neutral", "negative_share",
                                                       "mean_score", "ratings",  "aspects",  "keywords"};

// A ratio or mean over no items: null, so that a chart can tell "no data"
// from "no complaints".
json ratio(std::int64_t part, std::int64_t whole) { return whole > 0 ? json(share(part, whole)) : json(nullptr); }

json aspects_json(const std::map<std::string, store::AspectCounts>& aspects) {
  json out = json::object();
  for (const auto& [category, counts] : aspects) {
    out[category] = {{"mentions", counts.mentions},
                     {"positive", counts.positive},
                     {"negative", counts.negative},
                     {"negative_share", ratio(counts.negative, counts.mentions)}};
  }
  return out;
}

json measure_json(const store::BucketMeasures& bucket, std::string_view measure) {
  if (measure == "volume") return bucket.volume;
  if (measure == "positive") return bucket.positive;
  if (measure == "negative") return bucket.negative;
  if (measure == "neutral") return bucket.neutral;
  if (measure == "negative_share") return ratio(bucket.negative, bucket.volume);
  if (measure == "mean_score") return bucket.volume > 0 ? json(bucket.mean_score()) : json(nullptr);
  if (measure == "ratings") return bucket.ratings;
  if (measure == "aspects") return aspects_json(bucket.aspects);
  return bucket.keywords;
}

std::string measure_parameter(const httplib::Request& request) {
  const std::string measure = text_parameter(request, "measure");
  if (measure.empty() || measure == "all") return "all";
  if (std::find(kMeasures.begin(), kMeasures.end(), measure) == kMeasures.end()) {
    throw ApiError(400, "invalid parameter measure: expected all, volume, positive, negative, neutral, "
                        "negative_share, mean_score, ratings, aspects or keywords");
  }
  return measure;
}

json summary_json(const store::ValueSummary& value) {
  return json{{"value", value.value},
              {"volume", value.volume},
              {"positive", value.positive},
              {"negative", value.negative},
              {"neutral", value.neutral},
              {"negative_share", share(value.negative, value.volume)},
              {"mean_score", value.volume > 0 ? value.score_sum / static_cast<double>(value.volume) : 0.0}};
}

/// A value's summary and, when compared, its summary over the previous range.
struct ComparedValue {
  store::ValueSummary current;
  std::optional<store::ValueSummary> previous;  ///< absent without compare or without previous items

  std::optional<double> negative_share_change() const {
    if (!previous) return std::nullopt;
    return share(current.negative, current.volume) - share(previous->negative, previous->volume);
  }
};

constexpr std::array<std::string_view, 5> kValueSorts = {"volume", "negative_share", "negative", "mean_score",
                                                         "negative_share_change"};

std::string sort_parameter(const httplib::Request& request) {
  const std::string sort = text_parameter(request, "sort");
  if (sort.empty()) return "volume";
  if (std::find(kValueSorts.begin(), kValueSorts.end(), sort) == kValueSorts.end()) {
    throw ApiError(400, "invalid parameter sort: expected volume, negative_share, negative, mean_score or "
                        "negative_share_change");
  }
  return sort;
}

// Orders values for GET /values; volume order comes from the store. A value
// without previous items has no share change and goes after those with one.
void sort_values(std::vector<ComparedValue>& values, const std::string& sort) {
  const auto negative_share = [](const ComparedValue& value) {
    return share(value.current.negative, value.current.volume);
  };
  const auto mean_score = [](const ComparedValue& value) {
    return value.current.volume > 0 ? value.current.score_sum / static_cast<double>(value.current.volume) : 0.0;
  };
  if (sort == "negative_share") {
    std::stable_sort(values.begin(), values.end(),
                     [&](const auto& a, const auto& b) { return negative_share(a) > negative_share(b); });
  } else if (sort == "negative") {
    std::stable_sort(values.begin(), values.end(),
                     [](const auto& a, const auto& b) { return a.current.negative > b.current.negative; });
  } else if (sort == "mean_score") {
    std::stable_sort(values.begin(), values.end(),
                     [&](const auto& a, const auto& b) { return mean_score(a) < mean_score(b); });
  } else if (sort == "negative_share_change") {
    std::stable_sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
      const std::optional<double> change_a = a.negative_share_change();
      const std::optional<double> change_b = b.negative_share_change();
      if (!change_b) return change_a.has_value();
      return change_a && *change_a > *change_b;
    });
  }
}

// Buckets of [range.from, range.to) widened to whole buckets of a store
// whose buckets start `offset` east of UTC.
store::SeriesQuery series_query(std::string dimension, std::string value, store::Granularity granularity,
                                TimeRange range, std::int64_t offset) {
  store::SeriesQuery query;
  query.dimension = std::move(dimension);
  query.value = std::move(value);
  query.granularity = granularity;
  query.from = store::bucket_start(range.from, granularity, offset);
  query.to = store::bucket_start(range.to - 1, granularity, offset) + store::bucket_milliseconds(granularity);
  if ((query.to - query.from) / store::bucket_milliseconds(granularity) > kMaxBuckets) {
    throw ApiError(400, fmt::format("invalid parameters from, to: more than {} buckets of one {}", kMaxBuckets,
                                    store::to_string(granularity)));
  }
  return query;
}

// 30 days, but one day of minute buckets, because 30 days of them would
// exceed the bucket limit.
std::int64_t default_values_span(store::Granularity granularity) {
  return granularity == store::Granularity::minute ? kDayMs : 30 * kDayMs;
}

void add_keyword_counts(std::map<std::string, std::int64_t>& totals, const store::BucketMeasures& bucket) {
  for (const auto& [word, count] : bucket.keywords) totals[word] += count;
}

json top_keywords_json(const std::map<std::string, std::int64_t>& totals, std::size_t top) {
  std::vector<std::pair<std::string, std::int64_t>> sorted(totals.begin(), totals.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > top) sorted.resize(top);
  json out = json::array();
  for (const auto& [word, count] : sorted) out.push_back({{"word", word}, {"count", count}});
  return out;
}

}  // namespace

json handle_series(Context& context, const httplib::Request& request) {
  std::string dimension = dimension_parameter(request, "dimension");
  if (dimension.empty()) dimension = "shop";
  // A raw user id finds the buckets of its pseudonym.
  const std::string value = context.store.stored_value(dimension, text_parameter(request, "value"));
  if (value.empty() && dimension != "shop") {
    throw ApiError(400, "missing parameter value: every dimension but shop needs one");
  }
  const auto granularity = granularity_parameter(request, "granularity", store::Granularity::day);
  const std::string measure = measure_parameter(request);
  const TimeRange range =
      time_range_parameters(context, request, 30 * store::bucket_milliseconds(granularity));
  const std::int64_t offset = context.store.bucket_offset();
  store::SeriesQuery query = series_query(dimension, value, granularity, range, offset);
  query.keywords = measure == "keywords";

  store::Series series;
  bool found = dimension == "shop";
  {
    const StoreReaders::Lease reader = context.readers.acquire();
    series = reader->series(query);
    found = found || std::any_of(series.buckets.begin(), series.buckets.end(),
                                 [](const auto& bucket) { return bucket.volume > 0; });
    // Buckets may outlive their items (retention), so items are only asked when the range is empty.
    found = found || !reader->items({.dimension = dimension, .value = value, .limit = 1}).empty();
  }
  if (!found) throw ApiError(404, fmt::format("{} not found: no stored items for {}", dimension, value));
  json buckets = json::array();
  for (const auto& bucket : series.buckets) {
    json entry = {{"start", format_time(bucket.start, offset)}, {"start_ms", bucket.start}};
    for (const std::string_view name : kMeasures) {
      const bool wanted = measure == "all" ? name != "keywords" : name == measure;
      if (wanted) entry[std::string(name)] = measure_json(bucket, name);
    }
    buckets.push_back(std::move(entry));
  }
  json body = {{"dimension", dimension},
               {"value", value},
               {"granularity", std::string(store::to_string(granularity))},
               {"from", format_time(query.from, offset)},
               {"to", format_time(query.to, offset)},
               {"buckets", std::move(buckets)}};
  body.update(bucket_zone_json(context.store));
  return body;
}

json handle_values(Context& context, const httplib::Request& request) {
  const std::string dimension = dimension_parameter(request, "dimension");
  if (dimension.empty()) throw ApiError(400, "missing parameter dimension");
  const auto granularity = granularity_parameter(request, "granularity", store::Granularity::day);
  const std::string sort = sort_parameter(request);
  const std::string compare = text_parameter(request, "compare");
  if (!compare.empty() && compare != "previous") throw ApiError(400, "invalid parameter compare: expected previous");
  // A ranking by the change needs the previous range, with or without compare=previous.
  const bool with_previous = compare == "previous" || sort == "negative_share_change";
  const std::int64_t limit = integer_parameter(request, "limit", 20, 1, 1000);
  const std::int64_t min_volume = integer_parameter(request, "min_volume", 1, 1, std::numeric_limits<std::int32_t>::max());
  const TimeRange range = time_range_parameters(context, request, default_values_span(granularity));
  const std::int64_t offset = context.store.bucket_offset();
  const store::SeriesQuery query = series_query(dimension, "", granularity, range, offset);
  const std::int64_t previous_from = query.from - (query.to - query.from);

  std::vector<store::ValueSummary> current;
  std::vector<store::ValueSummary> previous;
  {
    const StoreReaders::Lease reader = context.readers.acquire();
    // Volume order needs only the first `limit`; another order needs them all.
    current = reader->values(dimension, granularity, query.from, query.to, sort == "volume" ? limit : 0);
    if (with_previous) previous = reader->values(dimension, granularity, previous_from, query.from);
  }
  std::erase_if(current, [&](const auto& value) { return value.volume < min_volume; });

  std::map<std::string, const store::ValueSummary*> previous_by_value;
  for (const auto& value : previous) previous_by_value[value.value] = &value;
  std::vector<ComparedValue> values;
  values.reserve(current.size());
  for (auto& value : current) {
    ComparedValue compared{std::move(value), std::nullopt};
    const auto found = previous_by_value.find(compared.current.value);
    if (found != previous_by_value.end() && found->second->volume > 0) compared.previous = *found->second;
    values.push_back(std::move(compared));
  }
  sort_values(values, sort);
  if (static_cast<std::int64_t>(values.size()) > limit) values.resize(static_cast<std::size_t>(limit));

  json out = json::array();
  for (const auto& value : values) {
    json entry = summary_json(value.current);
    if (with_previous) {
      entry["previous_volume"] = value.previous ? value.previous->volume : 0;
      entry["previous_negative_share"] =
          value.previous ? json(share(value.previous->negative, value.previous->volume)) : json(nullptr);
      const std::optional<double> change = value.negative_share_change();
      entry["negative_share_change"] = change ? json(*change) : json(nullptr);
    }
    out.push_back(std::move(entry));
  }
  json body = {{"dimension", dimension},
               {"granularity", std::string(store::to_string(granularity))},
               {"from", format_time(query.from, offset)},
               {"to", format_time(query.to, offset)},
               {"sort", sort},
               {"values", std::move(out)}};
  if (with_previous) {
    body["previous_from"] = format_time(previous_from, offset);
    body["previous_to"] = format_time(query.from, offset);
  }
  body.update(bucket_zone_json(context.store));
  return body;
}

json handle_alerts(Context& context, const httplib::Request& request) {
  store::AlertQuery query;
  query.detector = text_parameter(request, "detector");
  query.dimension = dimension_parameter(request, "dimension");
  query.value = context.store.stored_value(query.dimension, text_parameter(request, "value"));
  query.severity = text_parameter(request, "severity");
  if (!query.severity.empty() && query.severity != "info" && query.severity != "warning" &&
      query.severity != "critical") {
    throw ApiError(400, "invalid parameter severity: expected info, warning or critical");
  }
  const OpenTimeRange range = open_time_range_parameters(request);
  query.from = range.from;
  query.to = range.to;
  query.limit = integer_parameter(request, "limit", 100, 1, 1000);

  // The JSON that the detect stage's JSON Lines and webhook sinks write, plus the delivery states.
  json out = json::array();
  const StoreReaders::Lease reader = context.readers.acquire();
  for (const auto& alert : reader->alerts(query)) {
    const std::vector<store::StoredItem> examples = reader->items_by_row(alert.examples);
    out.push_back(detect::alert_to_json(alert, examples, reader->deliveries(alert.fingerprint)));
  }
  return json{{"alerts", std::move(out)}};
}

json handle_alert(Context& context, const httplib::Request& request) {
  const std::string fingerprint = request.matches[1].str();
  const StoreReaders::Lease reader = context.readers.acquire();
  const std::optional<store::Alert> alert = reader->alert(fingerprint);
  if (!alert) throw ApiError(404, "alert not found: no stored alert has this fingerprint");
  const std::vector<store::StoredItem> examples = reader->items_by_row(alert->examples);
  return detect::alert_to_json(*alert, examples, reader->deliveries(alert->fingerprint));
}

json handle_product(Context& context, const httplib::Request& request) {
  const std::string product = request.matches[1].str();
  const std::int64_t top_keywords = integer_parameter(request, "keywords", 10, 0, 100);
  const std::int64_t recent = integer_parameter(request, "recent", 5, 0, 50);
  const TimeRange range = time_range_parameters(context, request, 365 * kDayMs);
  const std::int64_t offset = context.store.bucket_offset();
  store::SeriesQuery query = series_query("product", product, store::Granularity::day, range, offset);
  query.keywords = top_keywords > 0;

  store::ItemQuery recent_query;
  recent_query.dimension = "product";
  recent_query.value = product;
  recent_query.from = query.from;
  recent_query.to = query.to;
  recent_query.limit = std::max<std::int64_t>(recent, 1);
  store::Series series;
  std::vector<store::StoredItem> items;
  {
    const StoreReaders::Lease reader = context.readers.acquire();
    series = reader->series(query);
    items = reader->items(recent_query);
  }
  if (items.empty()) throw ApiError(404, fmt::format("product not found in the time range: {}", product));

  store::BucketMeasures total;
  std::map<std::string, std::int64_t> keywords;
  for (const auto& bucket : series.buckets) {
    total.volume += bucket.volume;
    total.positive += bucket.positive;
    total.negative += bucket.negative;
    total.neutral += bucket.neutral;
    total.score_sum += bucket.score_sum;
    for (const auto& [category, counts] : bucket.aspects) {
      total.aspects[category].mentions += counts.mentions;
      total.aspects[category].positive += counts.positive;
      total.aspects[category].negative += counts.negative;
    }
    add_keyword_counts(keywords, bucket);
  }
  json recent_items = json::array();
  for (std::size_t i = 0; i < items.size() && static_cast<std::int64_t>(i) < recent; ++i) {
    recent_items.push_back(stored_item_json(items[i]));
  }
  json body = {{"product", product},
               {"from", format_time(query.from, offset)},
               {"to", format_time(query.to, offset)},
               {"volume", total.volume},
               {"positive", total.positive},
               {"negative", total.negative},
               {"neutral", total.neutral},
               {"negative_share", share(total.negative, total.volume)},
               {"mean_score", total.mean_score()},
               {"aspects", aspects_json(total.aspects)},
               {"keywords", top_keywords_json(keywords, static_cast<std::size_t>(top_keywords))},
               {"recent_items", std::move(recent_items)}};
  body.update(bucket_zone_json(context.store));
  return body;
}

}  // namespace shopsight::serve

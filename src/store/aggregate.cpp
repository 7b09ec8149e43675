// Aggregator: turns stored items into time-bucket increments. Increments of
// one transaction are summed in memory first, so a bucket row is written
// once per transaction however many of its items arrive together.

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <nlohmann/json.hpp>

#include "common/json_writer.h"
#include "store/internal.h"

namespace shopsight::store {
namespace {

constexpr std::array<Granularity, 3> kGranularities = {Granularity::minute, Granularity::hour, Granularity::day};

void count_item(BucketMeasures& bucket, const Analysis& analysis, std::optional<double> rating, bool aspects) {
  const Sentiment& sentiment = analysis.sentiment;
  ++bucket.volume;
  if (sentiment.label == "positive") ++bucket.positive;
  else if (sentiment.label == "negative") ++bucket.negative;
  else ++bucket.neutral;
  bucket.score_sum += sentiment.score;
  if (rating) {
    const long stars = std::lround(*rating);
    if (stars >= 1 && stars <= 5) ++bucket.ratings[static_cast<std::size_t>(stars - 1)];
  }
  if (!aspects) return;
  for (const AspectMention& mention : analysis.aspects) {
    AspectCounts& counts = bucket.aspects[mention.category];
    ++counts.mentions;
    if (mention.polarity == "positive") ++counts.positive;
    if (mention.polarity == "negative") ++counts.negative;
  }
}

void count_keywords(BucketMeasures& bucket, const Analysis& analysis) {
  for (const Keyword& keyword : analysis.keywords) ++bucket.keywords[keyword.word];
}

// The SQL function that the bucket upsert calls to add the aspect counts of
// a transaction to those of the stored row. Either argument may be NULL.
void add_aspect_counts_function(sqlite3_context* context, int, sqlite3_value** arguments) {
  std::map<std::string, AspectCounts> counts;
  for (int i = 0; i < 2; ++i) {
    if (sqlite3_value_type(arguments[i]) == SQLITE_NULL) continue;
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(arguments[i]));
    read_aspect_counts({text, static_cast<std::size_t>(sqlite3_value_bytes(arguments[i]))}, counts);
  }
  if (counts.empty()) {
    sqlite3_result_null(context);
    return;
  }
  const std::string json = write_aspect_counts(counts);
  sqlite3_result_text(context, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
}

}  // namespace

std::size_t Aggregator::KeyHash::operator()(const Key& key) const {
  std::size_t hash = std::hash<std::string>{}(key.value);
  hash ^= std::hash<std::int64_t>{}(key.start) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return hash ^ static_cast<std::size_t>(key.granularity * 16 + key.dimension);
}

void Aggregator::add(const StoredItem& item, const Analysis& analysis) {
  // The aspect dimension counts an item once per aspect category it
  // mentions, so its volume counts items rather than mentions.
  aspect_values_.clear();
  for (const AspectMention& mention : analysis.aspects) aspect_values_.push_back(&mention.category);
  std::sort(aspect_values_.begin(), aspect_values_.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  aspect_values_.erase(std::unique(aspect_values_.begin(), aspect_values_.end(),
                                   [](const std::string* a, const std::string* b) { return *a == *b; }),
                       aspect_values_.end());

  const auto count = [&](int dimension, const std::string& value) {
    for (const Granularity granularity : kGranularities) {
      if (!keeps_granularity(dimension, granularity)) continue;
      Key key{static_cast<int>(granularity), dimension, value, bucket_start(item.time, granularity, offset_)};
      BucketMeasures& bucket = buckets_[std::move(key)].measures;
      count_item(bucket, analysis, item.rating, keeps_aspects(dimension, granularity));
      if (keeps_keywords(dimension, granularity)) count_keywords(bucket, analysis);
    }
  };
  static const int kShop = dimension_index("shop");
  static const int kProduct = dimension_index("product");
  static const int kCategory = dimension_index("category");
  static const int kChannel = dimension_index("channel");
  static const int kUser = dimension_index("user");
  static const int kAspect = dimension_index("aspect");
  static const std::string kShopValue;
  count(kShop, kShopValue);
  if (!item.product.empty()) count(kProduct, item.product);
  if (!item.category.empty()) count(kCategory, item.category);
  count(kChannel, item.channel);
  if (!item.user.empty()) count(kUser, item.user);
  for (const std::string* aspect : aspect_values_) count(kAspect, *aspect);
}

void Aggregator::prepare() {
  for (auto& [key, increment] : buckets_) {
    if (!increment.measures.aspects.empty()) increment.aspects = write_aspect_counts(increment.measures.aspects);
  }
}

void Aggregator::flush(sqlite3* db) {
  // One row per statement: a statement of several upserts made SQLite keep
  // a statement journal of every page they touched, which outgrew its
  // in-memory limit and cost more in writes to a temporary file than it
  // saved in statement overhead.
  Statement bucket(db,
                   "INSERT INTO buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                   "ON CONFLICT DO UPDATE SET volume = volume + excluded.volume, "
                   "positive = positive + excluded.positive, negative = negative + excluded.negative, "
                   "neutral = neutral + excluded.neutral, score_sum = score_sum + excluded.score_sum, "
                   "rating1 = rating1 + excluded.rating1, rating2 = rating2 + excluded.rating2, "
                   "rating3 = rating3 + excluded.rating3, rating4 = rating4 + excluded.rating4, "
                   "rating5 = rating5 + excluded.rating5, "
                   "aspects = shopsight_add_aspect_counts(aspects, excluded.aspects)");
  Statement read_keywords(db,
                          "SELECT counts FROM keyword_counts WHERE granularity = ?1 AND dimension = ?2 "
                          "AND value = ?3 AND start = ?4");
  Statement write_keywords(db, "INSERT OR REPLACE INTO keyword_counts VALUES (?1, ?2, ?3, ?4, ?5)");

  // Rows are written in primary key order, so each upsert finds the pages of
  // the one before it in the CPU cache. std::string compares bytes as
  // unsigned char, as SQLite's BINARY collation does.
  std::vector<std::pair<const Key, Increment>*> ordered;
  ordered.reserve(buckets_.size());
  for (auto& entry : buckets_) ordered.push_back(&entry);
  std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    const Key& x = a->first;
    const Key& y = b->first;
    return std::tie(x.granularity, x.dimension, x.value, x.start) < std::tie(y.granularity, y.dimension, y.value, y.start);
  });

  std::string aspects;
  for (auto* entry : ordered) {
    const Key& key = entry->first;
    Increment& increment = entry->second;
    BucketMeasures& measures = increment.measures;
    // The key and the JSON text outlive each run, so SQLite reads them in place.
    const auto bind_key = [&](Statement& statement) {
      statement.bind(1, std::int64_t{key.granularity}).bind(2, std::int64_t{key.dimension});
      statement.bind_static(3, key.value).bind(4, key.start);
    };
    bind_key(bucket);
    bucket.bind(5, measures.volume).bind(6, measures.positive).bind(7, measures.negative);
    bucket.bind(8, measures.neutral).bind(9, measures.score_sum);
    for (int star = 0; star < 5; ++star) bucket.bind(10 + star, measures.ratings[static_cast<std::size_t>(star)]);
    if (measures.aspects.empty()) {
      bucket.bind_null(15);
    } else if (!increment.aspects.empty()) {
      bucket.bind_static(15, increment.aspects);
    } else {
      aspects = write_aspect_counts(measures.aspects);
      bucket.bind_static(15, aspects);
    }
    bucket.run();

    if (measures.keywords.empty()) continue;
    bind_key(read_keywords);
    if (read_keywords.step()) read_keyword_counts(read_keywords.text(0), measures.keywords);
    read_keywords.reset();
    bind_key(write_keywords);
    const std::string counts = write_keyword_counts(measures.keywords);
    write_keywords.bind_static(5, counts);
    write_keywords.run();
  }
  buckets_.clear();
}

void register_functions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(db, "shopsight_add_aspect_counts", 2, flags, nullptr, add_aspect_counts_function,
                                 nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(db, "shopsight_add_aspect_counts");
  }
}

namespace {

// A SAX handler that reads object keys and integers only and stops at a
// syntax error. The counts readers below override the events they use.
class CountsSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// Adds each "word": count member of a keyword_counts object to a map while
// nlohmann's SAX parser reads it. Building the parsed object first took
// half the time of a recommendation on a store of 100 products.
class KeywordCountsReader : public CountsSax {
 public:
  explicit KeywordCountsReader(std::map<std::string, std::int64_t>& counts) : counts_(counts) {}

  bool key(string_t& word) override {
    word_ = std::move(word);
    return true;
  }
  bool number_integer(number_integer_t count) override {
    counts_[word_] += count;
    return true;
  }
  bool number_unsigned(number_unsigned_t count) override {
    counts_[word_] += static_cast<std::int64_t>(count);
    return true;
  }

 private:
  std::map<std::string, std::int64_t>& counts_;
  std::string word_;
};

// Adds each "category": [mentions, positive, negative] member of an aspect
// counts object to a map while nlohmann's SAX parser reads it.
class AspectCountsReader : public CountsSax {
 public:
  explicit AspectCountsReader(std::map<std::string, AspectCounts>& counts) : counts_(counts) {}

  bool key(string_t& category) override {
    current_ = &counts_[category];
    position_ = 0;
    return true;
  }
  bool number_integer(number_integer_t count) override { return add(count); }
  bool number_unsigned(number_unsigned_t count) override { return add(static_cast<std::int64_t>(count)); }

 private:
  bool add(std::int64_t count) {
    if (current_ == nullptr) return true;
    if (position_ == 0) current_->mentions += count;
    if (position_ == 1) current_->positive += count;
    if (position_ == 2) current_->negative += count;
    ++position_;
    return true;
  }

  std::map<std::string, AspectCounts>& counts_;
  AspectCounts* current_ = nullptr;
  int position_ = 0;
};

}  // namespace

void read_aspect_counts(std::string_view json, std::map<std::string, AspectCounts>& counts) {
  AspectCountsReader reader(counts);
  nlohmann::json::sax_parse(json, &reader);
}

std::string write_aspect_counts(const std::map<std::string, AspectCounts>& counts) {
  JsonWriter json;
  json.begin_object();
  for (const auto& [category, count] : counts) {
    json.key(category);
    json.begin_array();
    json.value(count.mentions);
    json.value(count.positive);
    json.value(count.negative);
    json.end_array();
  }
  json.end_object();
  return std::move(json.text());
}

void read_keyword_counts(std::string_view json, std::map<std::string, std::int64_t>& counts) {
  KeywordCountsReader reader(counts);
  nlohmann::json::sax_parse(json, &reader);
}

std::string write_keyword_counts(const std::map<std::string, std::int64_t>& counts) {
  JsonWriter json;
  json.begin_object();
  for (const auto& [word, count] : counts) {
    json.key(word);
    json.value(count);
  }
  json.end_object();
  return std::move(json.text());
}

}  // namespace shopsight::store

// Aggregator: turns stored items into time-bucket increments. Increments of
// one transaction are summed in memory first, so a bucket row is written
// once per transaction however many of its items arrive together.

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "common/json_writer.h"
#include "store/internal.h"

namespace shopsight::store {
namespace {

constexpr std::array<Granularity, 3> kGranularities = {Granularity::minute, Granularity::hour, Granularity::day};

void count_item(BucketMeasures& bucket, const StoredItem& item, bool aspects) {
  const Sentiment& sentiment = item.analysis.sentiment;
  ++bucket.volume;
  if (sentiment.label == "positive") ++bucket.positive;
  else if (sentiment.label == "negative") ++bucket.negative;
  else ++bucket.neutral;
  bucket.score_sum += sentiment.score;
  if (item.rating) {
    const long stars = std::lround(*item.rating);
    if (stars >= 1 && stars <= 5) ++bucket.ratings[static_cast<std::size_t>(stars - 1)];
  }
  if (!aspects) return;
  for (const AspectMention& mention : item.analysis.aspects) {
    AspectCounts& counts = bucket.aspects[mention.category];
    ++counts.mentions;
    if (mention.polarity == "positive") ++counts.positive;
    if (mention.polarity == "negative") ++counts.negative;
  }
}

void count_keywords(BucketMeasures& bucket, const StoredItem& item) {
  for (const Keyword& keyword : item.analysis.keywords) ++bucket.keywords[keyword.word];
}

}  // namespace

std::size_t Aggregator::KeyHash::operator()(const Key& key) const {
  std::size_t hash = std::hash<std::string>{}(key.value);
  hash ^= std::hash<std::int64_t>{}(key.start) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return hash ^ static_cast<std::size_t>(key.granularity * 16 + key.dimension);
}

void Aggregator::add(const StoredItem& item) {
  // The aspect dimension counts an item once per aspect category it
  // mentions, so its volume counts items rather than mentions.
  std::set<std::string> aspect_values;
  for (const AspectMention& mention : item.analysis.aspects) aspect_values.insert(mention.category);

  const auto count = [&](int dimension, const std::string& value) {
    for (const Granularity granularity : kGranularities) {
      if (!keeps_granularity(dimension, granularity)) continue;
      Key key{static_cast<int>(granularity), dimension, value, bucket_start(item.time, granularity)};
      BucketMeasures& bucket = buckets_[key];
      count_item(bucket, item, keeps_aspects(dimension, granularity));
      if (keeps_keywords(dimension, granularity)) count_keywords(bucket, item);
    }
  };
  count(dimension_index("shop"), "");
  if (!item.product.empty()) count(dimension_index("product"), item.product);
  if (!item.category.empty()) count(dimension_index("category"), item.category);
  count(dimension_index("channel"), item.channel);
  if (!item.user.empty()) count(dimension_index("user"), item.user);
  for (const std::string& aspect : aspect_values) count(dimension_index("aspect"), aspect);
}

void Aggregator::flush(sqlite3* db) {
  Statement bucket(db,
                   "INSERT INTO buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                   "ON CONFLICT DO UPDATE SET volume = volume + excluded.volume, "
                   "positive = positive + excluded.positive, negative = negative + excluded.negative, "
                   "neutral = neutral + excluded.neutral, score_sum = score_sum + excluded.score_sum, "
                   "rating1 = rating1 + excluded.rating1, rating2 = rating2 + excluded.rating2, "
                   "rating3 = rating3 + excluded.rating3, rating4 = rating4 + excluded.rating4, "
                   "rating5 = rating5 + excluded.rating5");
  Statement aspect(db,
                   "INSERT INTO aspect_buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                   "ON CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions, "
                   "positive = positive + excluded.positive, negative = negative + excluded.negative");
  Statement read_keywords(db,
                          "SELECT counts FROM keyword_counts WHERE granularity = ?1 AND dimension = ?2 "
                          "AND value = ?3 AND start = ?4");
  Statement write_keywords(db, "INSERT OR REPLACE INTO keyword_counts VALUES (?1, ?2, ?3, ?4, ?5)");

  for (auto& [key, measures] : buckets_) {
    const auto bind_key = [&](Statement& statement) {
      statement.bind(1, std::int64_t{key.granularity}).bind(2, std::int64_t{key.dimension});
      statement.bind(3, key.value).bind(4, key.start);
    };
    bind_key(bucket);
    bucket.bind(5, measures.volume).bind(6, measures.positive).bind(7, measures.negative);
    bucket.bind(8, measures.neutral).bind(9, measures.score_sum);
    for (int star = 0; star < 5; ++star) bucket.bind(10 + star, measures.ratings[static_cast<std::size_t>(star)]);
    bucket.run();

    for (const auto& [name, counts] : measures.aspects) {
      bind_key(aspect);
      aspect.bind(5, name).bind(6, counts.mentions).bind(7, counts.positive).bind(8, counts.negative);
      aspect.run();
    }
    if (measures.keywords.empty()) continue;
    bind_key(read_keywords);
    if (read_keywords.step()) read_keyword_counts(read_keywords.text(0), measures.keywords);
    read_keywords.reset();
    bind_key(write_keywords);
    write_keywords.bind(5, write_keyword_counts(measures.keywords));
    write_keywords.run();
  }
  buckets_.clear();
}

namespace {

// Adds each "word": count member of a keyword_counts object to a map while
// nlohmann's SAX parser reads it. Building the parsed object first took
// half the time of a recommendation on a store of 100 products.
class KeywordCountsReader : public nlohmann::json_sax<nlohmann::json> {
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

 private:
  std::map<std::string, std::int64_t>& counts_;
  std::string word_;
};

}  // namespace

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

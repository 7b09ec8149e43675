#pragma once

// Topics: groups reviews by what they talk about and names each group by
// its most distinctive words. Reviews become vectors (TF-IDF of the
// segmented words, or embeddings of a GGUF encoder), a mutual k-nearest
// neighbour graph links similar reviews, dlib's Chinese Whispers splits the
// graph into clusters, and class-based TF-IDF picks each cluster's keywords.
// The method and its parameters are described in docs/topics.md.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace shopsight {

/// Settings of topic discovery; the defaults are what `shopsight topics` uses.
struct TopicOptions {
  int min_topic_size = 10;                ///< clusters with fewer reviews are noise
  int max_topics = 20;                    ///< larger clusters first; the reviews of the rest are noise
  int neighbours = 0;                     ///< k of the mutual k-nearest neighbour graph; 0 picks 1.5 times the square root of the review count, within [5, 20]
  /// Smallest cosine similarity of a graph edge. Below 0 picks it: for TF-IDF
  /// vectors the lowest of 0.1, 0.15, 0.2, 0.25 and 0.3 at which no cluster
  /// contains more than half the reviews (else 0.3), for embeddings 0.
  double min_similarity = -1;
  int keywords = 8;                       ///< keywords per topic
  int snippets = 3;                       ///< representative reviews per topic
  int snippet_length = 40;                ///< code points of a snippet before it is cut
  std::string embedding_model;            ///< GGUF encoder; empty means TF-IDF vectors
  std::string embedding_cache;            ///< SQLite embedding cache; empty means none
  int threads = 0;                        ///< 0 means every core
  unsigned seed = 1;                      ///< seed of Chinese Whispers' visiting order
  /// Day since 1970-01-01 in the timeline's time zone of a Unix time in
  /// milliseconds; unset means UTC days.
  std::function<std::int64_t(std::int64_t)> local_day;
  std::string timezone = "UTC";           ///< IANA name of the zone that local_day counts days in
  /// Called with (step name, done, total) as the work advances, for a progress display.
  std::function<void(const std::string&, long long, long long)> progress;
};

/// One review to group.
struct TopicItem {
  std::string id;
  std::optional<std::int64_t> time;       ///< Unix time in milliseconds, UTC
  std::string text;                       ///< text as decoded, before normalization
};

/// A keyword and its class-based TF-IDF weight.
struct TopicKeyword {
  std::string word;
  double weight = 0;
};

/// One topic: its reviews, keywords and examples.
struct Topic {
  int id = 0;                             ///< 1 for the largest topic, 2 for the next, ...
  std::vector<std::size_t> members;       ///< indices into the items, in input order
  std::vector<TopicKeyword> keywords;     ///< heaviest first
  std::vector<std::string> snippets;      ///< reviews nearest the topic's centre, personal data masked, cut short
  std::vector<std::int64_t> timeline;     ///< reviews per period of TopicResult::periods
};

/// Everything topic discovery found.
struct TopicResult {
  std::size_t items = 0;
  std::string vectors;                    ///< "tf-idf" or "embedding"
  int neighbours = 0;                     ///< k that was used
  double min_similarity = 0;              ///< edge threshold that was used
  std::vector<Topic> topics;              ///< largest first
  std::vector<std::size_t> noise;         ///< items in no topic, in input order
  std::vector<int> assignment;            ///< per item: topic id, or -1 for noise
  std::string period;                     ///< "day", "week", or empty when no item has a time
  std::vector<std::string> periods;       ///< first day of each period, YYYY-MM-DD in `timezone`
  std::string timezone;                   ///< IANA zone of the periods' days (TopicOptions::timezone)
  std::vector<std::int64_t> noise_timeline;  ///< noise reviews per period
  std::int64_t items_without_time = 0;
};

/// Groups `items` into topics; throws shopsight::Error when an option is out
/// of range or the embedding model cannot be used.
TopicResult discover_topics(const std::vector<TopicItem>& items, const TopicOptions& options);

/// The result as a table for a terminal, in the current message language;
/// `items` gives the ids of the noise reviews.
std::string format_topics(const TopicResult& result, const std::vector<TopicItem>& items);

/// The result as JSON with the same content as format_topics.
nlohmann::json topics_to_json(const TopicResult& result, const std::vector<TopicItem>& items);

}  // namespace shopsight

#pragma once

// Internal to the report stage: the running aggregates that ReportBuilder
// keeps, and the finished view that the Markdown, HTML and JSON writers
// render. The view is computed once per render, so writers only format.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "report/report.h"

namespace shopsight::report {

/// Items per sentiment label.
struct SentimentCounts {
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  std::int64_t neutral = 0;

  /// Counts one item; a label other than positive or negative counts as neutral.
  void add(std::string_view label);
  std::int64_t total() const { return positive + negative + neutral; }
};

/// Short extract of an item's masked text around one aspect mention.
/// Offsets are code points of `text`, end exclusive, -1 when absent.
struct Snippet {
  std::string item_id;
  std::string text;                      ///< includes a leading or trailing "…" where the text was cut
  std::int32_t aspect_begin = -1;
  std::int32_t aspect_end = -1;
  std::int32_t opinion_begin = -1;
  std::int32_t opinion_end = -1;
};

/// A run of snippet text and whether it belongs to the aspect or opinion term.
struct SnippetPart {
  enum class Role { plain, aspect, opinion };
  std::string text;
  Role role = Role::plain;
};

/// Cuts a snippet of at most `max_chars` code points (plus ellipses) from
/// valid UTF-8 `masked_text` around `mention`, preferring sentence
/// boundaries. Returns nullopt when the mention has no usable span.
std::optional<Snippet> make_snippet(std::string_view masked_text, const AspectMention& mention,
                                    std::int32_t max_chars);

/// Splits a snippet into plain, aspect and opinion runs; an opinion wins
/// where the two spans overlap.
std::vector<SnippetPart> split_snippet(const Snippet& snippet);

/// A snippet candidate with its rank; smaller ranks are better examples.
struct RankedSnippet {
  int clarity = 0;                       ///< 0 when the item itself is negative, 1 otherwise
  float score = 0;                       ///< item sentiment score, more negative first
  std::uint64_t tie_break = 0;           ///< hash of the item id, so ties do not depend on input order
  Snippet snippet;

  bool better_than(const RankedSnippet& other) const;
};

/// Mentions of one aspect category in a group, and its best negative examples.
struct AspectStats {
  std::int64_t mentions = 0;
  SentimentCounts polarity;
  std::vector<RankedSnippet> examples;   ///< best first, at most examples_per_aspect
};

/// Items of each polarity whose keywords include a word.
struct WordCounts {
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  std::int64_t other = 0;

  std::int64_t total() const { return positive + negative + other; }
};

/// Running figures of one group: all items, a category or a product.
struct GroupStats {
  std::string name;
  std::int64_t items = 0;
  SentimentCounts sentiment;
  double score_sum = 0;
  std::int64_t scored = 0;               ///< items with a finite sentiment score
  std::int64_t rated = 0;
  double rating_sum = 0;
  std::optional<std::int64_t> first_time;
  std::optional<std::int64_t> last_time;
  std::map<std::string, std::int64_t> channels;
  std::map<std::string, std::int64_t> categories;  ///< product categories, used for products
  std::map<std::string, AspectStats> aspects;
  std::unordered_map<std::string, WordCounts> words;
  bool words_pruned = false;             ///< rare words were dropped to bound memory
};

/// One aspect category of a group, ready to render.
struct AspectView {
  std::string key;
  std::string name;                      ///< localized display name
  std::int64_t mentions = 0;
  SentimentCounts polarity;
  double negative_share = 0;             ///< negative mentions / mentions
  std::vector<Snippet> examples;
};

/// A keyword that separates negative from positive items, with its z-score.
struct KeywordContrast {
  std::string word;
  double z = 0;                          ///< > 0 leans to the side the keyword is listed under
  std::int64_t negative_items = 0;
  std::int64_t positive_items = 0;
};

/// One group, ready to render.
struct GroupView {
  std::string name;
  std::int64_t items = 0;
  SentimentCounts sentiment;
  double mean_score = 0;
  std::int64_t rated = 0;
  std::optional<double> mean_rating;
  std::optional<std::int64_t> first_time;
  std::optional<std::int64_t> last_time;
  std::map<std::string, std::int64_t> channels;
  std::string category;                  ///< most frequent product category, for products
  std::int64_t aspect_mentions = 0;
  std::vector<AspectView> negative_aspects;  ///< most negative mentions first
  std::vector<KeywordContrast> negative_keywords;
  std::vector<KeywordContrast> positive_keywords;
  bool keywords_approximate = false;
};

/// Sentiment counts of one time bucket.
struct TimeBucket {
  std::string label;                     ///< first day of the bucket, YYYY-MM-DD, or YYYY-MM for months
  SentimentCounts counts;
  std::int64_t days = 1;                 ///< calendar days in the bucket
  /// Days of the bucket from the first to the last item's day. Only a first
  /// or last week or month that the data covers in part has fewer than `days`.
  std::int64_t covered_days = 1;
  std::string covered_from;              ///< first covered day, YYYY-MM-DD
  std::string covered_to;                ///< last covered day, YYYY-MM-DD

  bool partial() const { return covered_days < days; }
};

/// Everything a writer needs, in render order.
struct ReportView {
  std::string title;
  std::string language;                  ///< "zh-CN" or "en"
  std::string timezone;
  std::string first_time_local;          ///< first item time, "YYYY-MM-DD hh:mm" in the zone; empty without times
  std::string last_time_local;
  ReportOptions options;
  GroupView totals;
  std::vector<GroupView> categories;     ///< by volume, then name
  std::vector<GroupView> products;       ///< top products by volume
  std::int64_t product_count = 0;
  std::string bucket;                    ///< day, week or month
  std::vector<TimeBucket> timeline;      ///< every bucket from first to last, empty ones included
};

/// Ranks words by the log-odds ratio with an informative Dirichlet prior
/// between items with negative and positive sentiment (Monroe, Colaresi and
/// Quinn 2008, "Fightin' Words"). The prior of each word is its count over
/// all items of the group, neutral ones included. A side lists words with
/// |z| >= 1 that occur in at least two of its items, highest |z| first.
void rank_keywords(const std::unordered_map<std::string, WordCounts>& words, int top,
                   std::vector<KeywordContrast>& negative, std::vector<KeywordContrast>& positive);

/// Converts time to a civil date string in a zone; the zone is checked by
/// ReportBuilder first.
class Calendar {
 public:
  explicit Calendar(const std::string& zone_name);
  ~Calendar();
  Calendar(const Calendar&) = delete;
  Calendar& operator=(const Calendar&) = delete;

  /// Whether the zone name was known to ICU.
  bool valid() const { return valid_; }

  /// Days since 1970-01-01 in the zone, for Unix milliseconds.
  std::int64_t local_day(std::int64_t unix_ms) const;

  /// "YYYY-MM-DD hh:mm" in the zone, for Unix milliseconds.
  std::string format_minute(std::int64_t unix_ms) const;

 private:
  std::int64_t offset_ms(std::int64_t unix_ms) const;

  struct Zone;
  std::unique_ptr<Zone> zone_;
  bool valid_ = false;
};

/// "YYYY-MM-DD" of a day number since 1970-01-01.
std::string format_day(std::int64_t day);

/// ISO 8601 UTC time with seconds, e.g. "2026-11-03T00:53:23Z", for Unix milliseconds.
std::string format_iso_utc(std::int64_t unix_ms);

/// Groups daily counts into buckets of a day, a week (Monday first) or a
/// month, whichever keeps the series at most about a hundred points long.
void build_timeline(const std::map<std::int64_t, SentimentCounts>& days, std::string& bucket,
                    std::vector<TimeBucket>& timeline);

/// Share as a percentage with one decimal, e.g. "62.5%"; "-" when `total` is 0.
std::string format_percent(std::int64_t part, std::int64_t total);

/// Count with its share, e.g. "62 (62.0%)".
std::string format_count_share(std::int64_t part, std::int64_t total);

/// Sentiment score with a sign and two decimals, e.g. "+0.25".
std::string format_score(double score);

/// Mean star rating with two decimals, or "-" when no item had a rating.
std::string format_rating(const std::optional<double>& rating);

/// Localized display name of a product category; the empty one is "(no category)".
std::string category_display_name(const std::string& category);

/// Localized name of an item channel: review, query or chat.
std::string channel_display_name(const std::string& channel);

/// Localized "first to last (zone)" line for the totals, empty without times.
std::string format_time_range(const ReportView& view);

/// Localized sentence with the group's items per channel and rated items.
std::string channel_summary(const GroupView& group);

/// Localized sentence for a group without distinguishing keywords, saying why.
std::string no_keywords_message(const GroupView& group);

/// Localized heading of the timeline's bucket column: day, week or month.
std::string bucket_display_name(const std::string& bucket);

/// Localized sentence saying which days a partial bucket covers and that its
/// count is not comparable with whole buckets.
std::string partial_bucket_note(const std::string& bucket, const TimeBucket& point);

/// Writers, one per format.
std::string render_markdown(const ReportView& view);
std::string render_html(const ReportView& view);
std::string render_json(const ReportView& view);

}  // namespace shopsight::report

#pragma once

// Store: keeps analyzed items and their time-bucket aggregates in one SQLite
// file (WAL mode), so later stages can see what changed and when. Adding
// items is idempotent and atomic: an item is stored once whatever the number
// of replays, and its aggregates change in the same transaction as its row.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyze.h"

namespace shopsight::store {

/// Length of a time bucket. Buckets start at multiples of their length from
/// midnight in the store's bucket time zone (UTC unless set; docs/store.md).
enum class Granularity { minute, hour, day };

/// "minute", "hour" or "day".
std::string_view to_string(Granularity granularity);

/// Parses "minute", "hour" or "day"; nullopt for anything else.
std::optional<Granularity> parse_granularity(std::string_view text);

/// Length of one bucket in milliseconds.
std::int64_t bucket_milliseconds(Granularity granularity);

/// Start of the bucket that contains `time` (Unix milliseconds), for buckets
/// that start at midnight of a zone `offset` milliseconds east of UTC
/// (Store::bucket_offset()).
std::int64_t bucket_start(std::int64_t time, Granularity granularity, std::int64_t offset);

/// Names of the dimensions that buckets are kept for. The shop dimension has
/// one value, the empty string; aspect values are aspect category keys.
inline constexpr std::array<std::string_view, 6> kDimensions = {"shop", "product", "category",
                                                                 "channel", "aspect", "user"};

/// True when `name` is one of kDimensions.
bool is_dimension(std::string_view name);

/// True when the store counts keywords in buckets of this dimension and
/// granularity, which the emerging_keyword detector needs.
bool has_keyword_counts(std::string_view dimension, Granularity granularity);

/// Mentions of one aspect category within a bucket.
struct AspectCounts {
  std::int64_t mentions = 0;
  std::int64_t positive = 0;
  std::int64_t negative = 0;
};

/// Measures of one dimension value over one time bucket.
struct BucketMeasures {
  std::int64_t start = 0;                          ///< bucket start, Unix milliseconds UTC
  std::int64_t volume = 0;                         ///< items
  std::int64_t positive = 0;                       ///< items by sentiment label
  std::int64_t negative = 0;
  std::int64_t neutral = 0;
  double score_sum = 0;                            ///< sum of sentiment scores (each in [-1, 1])
  std::array<std::int64_t, 5> ratings{};           ///< items rated 1 to 5 (rounded), index 0 is 1
  std::map<std::string, AspectCounts> aspects;     ///< by aspect category; hour and day buckets only
  std::map<std::string, std::int64_t> keywords;    ///< day buckets of shop, product, category; when asked for

  /// Mean sentiment score, 0 for an empty bucket.
  double mean_score() const { return volume > 0 ? score_sum / static_cast<double>(volume) : 0.0; }
};

/// Query of Store::series: one dimension value over a time range.
struct SeriesQuery {
  std::string dimension = "shop";
  std::string value;                               ///< empty for the shop dimension
  Granularity granularity = Granularity::day;
  std::int64_t from = 0;                           ///< first bucket start, inclusive (Unix ms)
  std::int64_t to = 0;                             ///< last bucket start, exclusive (Unix ms)
  bool keywords = false;                           ///< also read keyword counts (slower)
};

/// Consecutive buckets of one dimension value, [from, to), empty ones included.
struct Series {
  std::string dimension;
  std::string value;
  Granularity granularity = Granularity::day;
  std::vector<BucketMeasures> buckets;
};

/// Volume and sentiment of one dimension value summed over a time range.
struct ValueSummary {
  std::string value;
  std::int64_t volume = 0;
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  std::int64_t neutral = 0;
  double score_sum = 0;
};

/// An item as stored: its fields, its masked text and its analysis.
struct StoredItem {
  std::int64_t row = 0;                            ///< store-wide sequence number
  std::string key;                                 ///< what makes the item unique, see docs/store.md
  std::string id;                                  ///< source id; empty when the source had none
  std::int64_t time = 0;                           ///< Unix milliseconds UTC
  std::string product;
  std::string category;
  std::string channel;
  std::string user;
  std::optional<double> rating;
  std::string source;                              ///< file it came from
  Analysis analysis;                               ///< masked_text holds the text; normalized_text is empty
};

/// Filters of Store::items. Empty strings and nullopt match everything.
struct ItemQuery {
  std::string dimension;                           ///< with `value`: items in that dimension value
  std::string value;
  std::optional<std::int64_t> from;                ///< item time, inclusive
  std::optional<std::int64_t> to;                  ///< item time, exclusive
  std::string sentiment;                           ///< positive, negative or neutral
  std::string aspect;                              ///< aspect category mentioned
  std::string aspect_polarity;                     ///< polarity of that aspect mention
  std::string keyword;                             ///< one of the item's keywords
  std::string language;
  std::string text;                                ///< substring of the masked text
  std::string words;                               ///< words that must all occur, as search_words() joins them
  std::int64_t limit = 20;
  std::int64_t offset = 0;
};

/// One alert raised by a detector, with its evidence.
struct Alert {
  std::string fingerprint;                         ///< detector, dimension, value, subject and window; unique
  std::string detector;                            ///< negative_share, sentiment_score, volume, aspect_negative, emerging_keyword
  std::string dimension;
  std::string value;
  std::string subject;                             ///< aspect category or keyword the alert is about, else empty
  Granularity granularity = Granularity::day;
  std::int64_t window_start = 0;                   ///< Unix ms, inclusive
  std::int64_t window_end = 0;                     ///< Unix ms, exclusive
  std::string severity;                            ///< info, warning or critical
  double observed = 0;                             ///< value in the window
  double baseline = 0;                             ///< expected value from the history
  double statistic = 0;                            ///< test statistic, named by statistic_name
  std::string statistic_name;                      ///< for example p_value or robust_z
  std::int64_t count = 0;                          ///< items behind `observed`
  std::vector<std::int64_t> examples;              ///< rows of example items
  std::int64_t raised_at = 0;                      ///< wall-clock Unix ms when it was raised
};

/// Delivery state of one alert at one sink.
struct Delivery {
  std::string fingerprint;                         ///< the alert's
  std::string sink;                                ///< the sink's name, as detect::Sink::name() gives it
  std::string status = "pending";                  ///< pending (waiting to be sent), delivered or failed
  std::int64_t attempts = 0;                       ///< requests sent, over all runs
  std::string error;                               ///< why the last attempt failed or was not made; empty after a delivery
  std::int64_t updated_at = 0;                     ///< wall-clock Unix ms of the last change
};

/// Filters of Store::alerts.
struct AlertQuery {
  std::string detector;
  std::string dimension;
  std::string value;
  std::string severity;
  std::optional<std::int64_t> from;                ///< window_start, inclusive
  std::optional<std::int64_t> to;                  ///< window_start, exclusive
  std::int64_t limit = 100;
};

/// Durable read position of one followed source.
struct SourcePosition {
  std::string source;                              ///< path; `watch` gives the canonical one
  std::string identity;                            ///< what tells a replaced or rewritten file, opaque to the store
  std::int64_t offset = 0;                         ///< bytes consumed
  std::int64_t line = 0;                           ///< lines consumed
};

/// How long each kind of data is kept, in days; 0 keeps it forever. Older
/// minute and hour buckets are dropped while the day buckets stay, which is
/// how the store downsamples.
struct Retention {
  int minute_days = 3;
  int hour_days = 90;
  int day_days = 0;
  int item_days = 0;
};

/// Settings of a store.
struct StoreOptions {
  std::string path;                                ///< SQLite file; ":memory:" for a private one
  bool read_only = false;
  int busy_timeout_ms = 10000;                     ///< wait for another writer this long
  Retention retention;
  std::string bucket_timezone;                     ///< IANA zone of the day buckets; empty keeps the store's
};

/// Outcome of Store::add.
struct AddResult {
  std::int64_t added = 0;                          ///< items new to the store
  std::int64_t duplicates = 0;                     ///< items already stored, skipped
};

/// Counts and time range of a whole store.
struct StoreSummary {
  std::int64_t items = 0;
  std::int64_t alerts = 0;
  std::optional<std::int64_t> earliest;            ///< time of the earliest item, Unix ms
  std::optional<std::int64_t> latest;              ///< time of the latest item, Unix ms
  bool topics = false;                             ///< a topic run is saved
};

/// A keyword and the number of items that have it.
struct KeywordCount {
  std::string word;
  std::int64_t count = 0;
};

/// Outcome of Store::keyword_counts.
struct KeywordCounts {
  std::int64_t items = 0;                          ///< items matching the query
  std::int64_t scanned = 0;                        ///< newest of them whose keywords were counted
  std::vector<KeywordCount> keywords;              ///< most items first, then by word
};

/// One saved topic discovery.
struct TopicRun {
  std::int64_t row = 0;
  std::int64_t computed_at = 0;                    ///< wall-clock Unix ms of the discovery
  std::string document;                            ///< JSON text as saved
};

/// Current version of the store schema; older files are migrated on open.
inline constexpr int kSchemaVersion = 5;

/// Key that makes an item unique: `id:` and its source id when `has_id` and
/// the item's id did not come from its line number (Item::id_from_line),
/// else `hash:` and a hash of its time, product, user and text.
std::string item_key(const Item& item, bool has_id);

/// The SQLite store. One writer at a time; readers may share the file.
/// Calls on one Store take turns on its single connection, so threads may
/// share it. Threads that read side by side each open a read-only Store.
class Store {
 public:
  /// Opens or creates the store and migrates an older schema. Throws
  /// shopsight::Error naming the file when it is not a shopsight store, is
  /// newer than this build, or cannot be opened.
  explicit Store(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Schema version of the open file.
  int schema_version() const;

  /// Settings the store was opened with.
  const StoreOptions& options() const;

  /// IANA name of the zone whose midnight starts day buckets, as it was set; "UTC" unless set.
  const std::string& bucket_timezone() const;

  /// Offset of that zone's standard time east of UTC, in milliseconds, as bucket_start() takes it.
  std::int64_t bucket_offset() const;

  /// Returns the user id as stored: the keyed pseudonym of an id that is
  /// personal data, anything else (a pseudonym among them) as given. Lookups
  /// by user pass their argument through it.
  std::string stored_user(std::string_view user) const;

  /// Returns a dimension value as stored: stored_user(value) for the user
  /// dimension, `value` for the others.
  std::string stored_value(std::string_view dimension, std::string_view value) const;

  /// Adds analyzed items and their aggregates in one transaction, skipping
  /// items whose key is already stored. `has_id` is true when Item::id came
  /// from the source, except in items with Item::id_from_line set.
  /// `position`, when given, is saved in the same transaction.
  AddResult add(std::span<const Item> items, std::span<const Analysis> analyses, bool has_id,
                const SourcePosition* position = nullptr);

  /// Saved read position of `source`, if any.
  std::optional<SourcePosition> position(const std::string& source) const;

  /// Number of stored items.
  std::int64_t item_count() const;

  /// Time of the latest stored item, Unix ms.
  std::optional<std::int64_t> latest_time() const;

  /// Time of the earliest stored item, Unix ms.
  std::optional<std::int64_t> earliest_time() const;

  /// Buckets of one dimension value; throws shopsight::Error for an unknown dimension.
  Series series(const SeriesQuery& query) const;

  /// Values of `dimension` with items in [from, to), by volume, largest first.
  std::vector<ValueSummary> values(std::string_view dimension, Granularity granularity, std::int64_t from,
                                   std::int64_t to, std::int64_t limit = 0) const;

  /// Items matching `query`, newest first.
  std::vector<StoredItem> items(const ItemQuery& query) const;

  /// Items with these rows, in the given order; unknown rows are left out.
  std::vector<StoredItem> items_by_row(std::span<const std::int64_t> rows) const;

  /// Saves an alert; false when one with the same fingerprint exists.
  bool add_alert(const Alert& alert);

  /// Alerts matching `query`, newest window first.
  std::vector<Alert> alerts(const AlertQuery& query) const;

  /// Adds a pending delivery of an alert at a sink unless the store has one.
  void add_pending_delivery(std::string_view fingerprint, std::string_view sink);

  /// Saves the delivery state of an alert at a sink. Its attempts are added
  /// to those stored, and updated_at 0 stands for now.
  void record_delivery(const Delivery& delivery);

  /// Delivery states of one alert, by sink name.
  std::vector<Delivery> deliveries(std::string_view fingerprint) const;

  /// Alerts that `sink` has not received yet (pending or failed) and whose
  /// window ends at or after `window_end_from`, oldest window first.
  std::vector<Alert> undelivered_alerts(std::string_view sink, std::int64_t window_end_from) const;

  /// Window end of the latest alert for this detector, dimension, value and
  /// subject, for cooldowns.
  std::optional<std::int64_t> last_alert_end(std::string_view detector, std::string_view dimension,
                                             std::string_view value, std::string_view subject) const;

  /// A named progress mark (for example the last bucket checked by the
  /// detectors), kept across runs.
  std::optional<std::int64_t> mark(std::string_view name) const;

  /// Sets a progress mark.
  void set_mark(std::string_view name, std::int64_t value);

  /// Deletes buckets and items older than the retention allows, counted back
  /// from the latest item time or now, whichever is earlier. Returns the rows deleted.
  std::int64_t apply_retention();

  /// Item and alert counts, item time range and whether topics are saved,
  /// read under one lock. Cheap enough to poll: counts use an index scan and
  /// the time range two index look-ups.
  StoreSummary summary() const;

  /// Items matching `query` (its limit and offset are ignored) and their most
  /// frequent keywords, most items first, at most `limit` of them. With
  /// `max_items` above 0 only the keywords of that many newest items count.
  KeywordCounts keyword_counts(const ItemQuery& query, std::int64_t limit, std::int64_t max_items = 0) const;

  /// The alert with this fingerprint, if stored.
  std::optional<Alert> alert(std::string_view fingerprint) const;

  /// Saves a topic discovery as a new run; `document` is its JSON text.
  /// Returns the run's row.
  std::int64_t save_topics(std::string_view document, std::int64_t computed_at);

  /// The most recently saved topic run, if any.
  std::optional<TopicRun> latest_topics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Settings of ingest().
struct IngestOptions {
  /// Analysis options. The analyzer threads raise their nice value by 10,
  /// because the writer thread, which owns the SQLite connection, limits ingest.
  PipelineOptions pipeline{.analyzer_nice = 10};
  std::size_t batch_items = 4096;                  ///< items per transaction
};

/// Counts of an ingest() run.
struct IngestStats {
  std::int64_t read = 0;                           ///< items read and analyzed
  std::int64_t added = 0;                          ///< items new to the store
  std::int64_t duplicates = 0;                     ///< items already stored
  std::int64_t rejected = 0;                       ///< rows that could not be read
  std::int64_t without_id = 0;                     ///< items keyed by content because their id field was empty
  double seconds = 0;
};

/// Reads every item of `reader`, analyzes it with `engine` and adds it to
/// `store` in transactions of `options.batch_items`. `position`, when given,
/// is saved with the last transaction. Rejected rows go to `on_reject`;
/// `on_progress` gets the items done so far.
IngestStats ingest(Reader& reader, const Engine& engine, Store& store, const IngestOptions& options,
                   const SourcePosition* position, const std::function<void(const Reject&)>& on_reject,
                   const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace shopsight::store

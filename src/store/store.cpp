// Store: opening, adding items idempotently, positions, alerts, marks and
// retention. Queries over stored data are in queries.cpp.

#include <unistd.h>
#include <xxhash.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <optional>
#include <thread>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/i18n.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "store/internal.h"
#include "text/text.h"

namespace shopsight::store {
namespace {

constexpr std::int64_t kDayMilliseconds = 86'400'000;

std::int64_t now_milliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hex(std::uint64_t value, int digits) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return std::string(buffer + 16 - digits, buffer + 16);
}

// Whether `item` is keyed by its source id. `has_id` is true when the source
// has an id column, but a row whose id field was empty still has no id.
bool keyed_by_id(const Item& item, bool has_id) { return has_id && !item.id_from_line; }

// The analysis stays with the caller, because copying it into
// StoredItem::analysis for each item showed in Store::add's profile.
StoredItem to_stored(const Item& item, bool has_id, std::int64_t now, std::string_view pseudonym_key) {
  StoredItem stored;
  stored.key = item_key(item, has_id);
  stored.id = keyed_by_id(item, has_id) ? item.id : std::string();
  stored.time = item.time.value_or(now);
  stored.product = item.product;
  stored.category = item.category;
  stored.channel = item.channel.empty() ? "review" : item.channel;
  // A user id that is itself personal data (a phone number or an e-mail
  // address, as shops often use) is replaced by a stable pseudonym, so that
  // profiles still group one user's items while the store contains no such data.
  stored.user = pseudonymous_user(item.user, pseudonym_key);
  stored.rating = item.rating;
  stored.source = item.source;
  return stored;
}

// Text is bound without copies, so `item`, `analysis` and the two JSON
// buffers must stay unchanged until the insert has run.
void bind_item(Statement& insert, const StoredItem& item, const Analysis& analysis, const std::string& aspects,
               const std::string& keywords) {
  insert.bind_static(1, item.key).bind_static(2, item.id).bind(3, item.time);
  insert.bind_static(4, item.product).bind_static(5, item.category);
  insert.bind_static(6, item.channel).bind_static(7, item.user);
  if (item.rating) insert.bind(8, *item.rating);
  else insert.bind_null(8);
  insert.bind_static(9, analysis.language).bind_static(10, analysis.sentiment.label);
  insert.bind(11, double{analysis.sentiment.probability}).bind(12, double{analysis.sentiment.score});
  insert.bind_static(13, analysis.masked_text).bind_static(14, aspects).bind_static(15, keywords);
  if (analysis.summary) insert.bind_static(16, *analysis.summary);
  else insert.bind_null(16);
  insert.bind_static(17, item.source);
}

// Keeps a transaction open for the scope; rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { execute(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    execute(db_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

std::optional<std::int64_t> single_integer(sqlite3* db, std::string_view sql) {
  Statement statement(db, sql);
  if (!statement.step() || statement.is_null(0)) return std::nullopt;
  return statement.integer(0);
}

sqlite3* open_file(const StoreOptions& options) {
  const int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(options.path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string reason = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Error(tr("cannot open the store {}: {}", options.path, reason));
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return db;
}

// The migration writes the file, and SQLite writes its WAL files beside it.
bool is_writable(const std::string& path) {
  const std::filesystem::path file(path);
  const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  return ::access(file.c_str(), W_OK) == 0 && ::access(folder.c_str(), W_OK) == 0;
}

// Read-only commands migrate a store of an older shopsight too, so that an
// upgrade of shopsight does not lock its user out until something writes.
void migrate_for_reading(const StoreOptions& options, int version) {
  if (!is_writable(options.path)) {
    throw Error(tr("store {} was written by an older shopsight (schema version {}) and must be migrated to "
                   "version {}, but this user cannot write the file or its folder; give write access to both "
                   "and run the command again, which migrates the store",
                   options.path, version, kSchemaVersion));
  }
  spdlog::info("{}", tr("store {} was written by an older shopsight (schema version {}); migrating it to version {}",
                        options.path, version, kSchemaVersion));
  StoreOptions writable = options;
  writable.read_only = false;
  const Store migrated(writable);
}

// The zone that the settings name, or UTC for a store that names none.
StandardOffset saved_bucket_zone(sqlite3* db) {
  Statement select(db, "SELECT value FROM settings WHERE name = 'bucket_timezone'");
  if (!select.step()) return {"UTC", 0};
  const std::string name = select.text(0);
  Statement offset(db, "SELECT value FROM settings WHERE name = 'bucket_offset_minutes'");
  if (!offset.step()) return standard_offset(name);
  return {name, offset.integer(0) * 60'000};
}

// The zone of the day buckets: the one saved in the store, which a new or
// still empty store takes from StoreOptions::bucket_timezone. Once buckets
// exist it stays, since another zone would move every bucket boundary. The
// offset is saved with the name, so that a later time zone database cannot
// move them either. The name is saved as given, because ICU's canonical
// names are often the older ones (Asia/Calcutta for Asia/Kolkata), and
// aliases of the saved zone are accepted.
StandardOffset bucket_zone(sqlite3* db, const StoreOptions& options) {
  if (options.bucket_timezone.empty()) return saved_bucket_zone(db);
  StandardOffset requested = standard_offset(options.bucket_timezone);
  // Two processes creating the store at once must not both see it empty.
  std::optional<Transaction> transaction;
  if (!options.read_only) transaction.emplace(db);
  const StandardOffset saved = saved_bucket_zone(db);
  if (requested.name == standard_offset(saved.name).name) return saved;
  const bool has_data = single_integer(db, "SELECT EXISTS (SELECT 1 FROM buckets) OR EXISTS (SELECT 1 FROM items)")
                            .value_or(0) != 0;
  if (options.read_only || has_data) {
    throw Error(tr("the store {} keeps its day buckets in the time zone {}, so it cannot take --bucket-timezone {}: "
                   "every stored bucket would have to be computed again. Leave the option out, or use a new store",
                   options.path, saved.name, options.bucket_timezone));
  }
  if (requested.name != "UTC") requested.name = options.bucket_timezone;
  Statement save(db, "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)");
  save.bind(1, std::string_view("bucket_timezone")).bind(2, requested.name).run();
  save.bind(1, std::string_view("bucket_offset_minutes")).bind(2, std::to_string(requested.offset / 60'000)).run();
  transaction->commit();
  return requested;
}

}  // namespace

std::string_view to_string(Granularity granularity) {
  switch (granularity) {
    case Granularity::minute: return "minute";
    case Granularity::hour: return "hour";
    case Granularity::day: return "day";
  }
  return "day";
}

std::optional<Granularity> parse_granularity(std::string_view text) {
  if (text == "minute") return Granularity::minute;
  if (text == "hour") return Granularity::hour;
  if (text == "day") return Granularity::day;
  return std::nullopt;
}

std::int64_t bucket_milliseconds(Granularity granularity) {
  switch (granularity) {
    case Granularity::minute: return 60'000;
    case Granularity::hour: return 3'600'000;
    case Granularity::day: return kDayMilliseconds;
  }
  return kDayMilliseconds;
}

// Buckets are laid out on the zone's wall clock, so that a day bucket is a
// local day. The offset is fixed (standard time), which keeps every bucket of
// one granularity the same length: a day of daylight saving time would
// otherwise last 23 or 25 hours. Whole-hour offsets leave hour and minute
// buckets where UTC has them.
std::int64_t bucket_start(std::int64_t time, Granularity granularity, std::int64_t offset) {
  const std::int64_t length = bucket_milliseconds(granularity);
  const std::int64_t wall = time + offset;
  // Floor division, so times before 1970 fall into the bucket before zero.
  std::int64_t start = wall / length * length;
  if (start > wall) start -= length;
  return start - offset;
}

bool is_dimension(std::string_view name) { return dimension_index(name) >= 0; }

std::string item_key(const Item& item, bool has_id) {
  if (keyed_by_id(item, has_id)) return "id:" + item.id;
  std::string content = item.time ? std::to_string(*item.time) : std::string();
  for (const std::string* field : {&item.product, &item.user, &item.text}) {
    content += '\x1f';
    content += *field;
  }
  const XXH128_hash_t hash = XXH3_128bits(content.data(), content.size());
  return "hash:" + hex(hash.high64, 16) + hex(hash.low64, 16);
}

Store::Impl::~Impl() { sqlite3_close(db); }

Store::Store(const StoreOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->db = open_file(options);
  if (!options.read_only) {
    sqlite3* db = impl_->db;
    // 8 KiB pages for a new store (an existing one keeps its size): ingest
    // ran 2% faster than with 4 KiB, with fewer and shallower b-tree pages.
    execute(db, "PRAGMA page_size = 8192");
    // WAL lets the server and dashboards read while one process ingests.
    // NORMAL syncs at checkpoints, so a killed process loses nothing that
    // was committed. A power cut may lose the last transactions, never consistency.
    execute(db, "PRAGMA journal_mode = WAL");
    execute(db, "PRAGMA synchronous = NORMAL");
    // Bucket upserts touch pages all over their tables; a 64 MiB page cache
    // keeps them in memory instead of re-reading them for each batch.
    execute(db, "PRAGMA cache_size = -65536");
    register_functions(db);
    migrate(db, options.path);
  } else if (const std::optional<int> version = older_schema_version(impl_->db, options.path)) {
    migrate_for_reading(options, *version);
    sqlite3_close(impl_->db);
    impl_->db = nullptr;
    impl_->db = open_file(options);
  }
  impl_->pseudonym_key = pseudonym_key(impl_->db);
  impl_->bucket_zone = bucket_zone(impl_->db, options);
}

Store::~Store() = default;

const StoreOptions& Store::options() const { return impl_->options; }

const std::string& Store::bucket_timezone() const { return impl_->bucket_zone.name; }

std::int64_t Store::bucket_offset() const { return impl_->bucket_zone.offset; }

std::string Store::stored_user(std::string_view user) const { return pseudonymous_user(user, impl_->pseudonym_key); }

std::string Store::stored_value(std::string_view dimension, std::string_view value) const {
  return dimension == "user" ? stored_user(value) : std::string(value);
}

int Store::schema_version() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(single_integer(impl_->db, "PRAGMA user_version").value_or(0));
}

namespace {

// Batches of at least this many items are prepared on a helper thread;
// smaller ones are not worth starting a thread.
constexpr std::size_t kHelperItems = 256;

// An item ready for its insert: its stored fields and its JSON columns.
struct PreparedItem {
  StoredItem stored;
  std::string aspects;
  std::string keywords;
};

// The items of one Store::add, prepared in input order and counted in an
// Aggregator as if every one of them were new. A large batch is prepared on
// a helper thread while the caller inserts the items prepared so far,
// because ingest waits for the thread that owns the SQLite connection, and
// the preparation was about a quarter of that thread's work.
class BatchPreparation {
 public:
  BatchPreparation(std::span<const Item> items, std::span<const Analysis> analyses, bool has_id, std::int64_t now,
                   std::string_view pseudonym_key, std::int64_t bucket_offset)
      : items_(items),
        analyses_(analyses),
        has_id_(has_id),
        now_(now),
        pseudonym_key_(pseudonym_key),
        prepared_(items.size()),
        aggregator_(bucket_offset) {
    if (items.size() >= kHelperItems) {
      helper_ = std::jthread([this] { prepare_all(); });
    } else {
      prepare_all();
    }
  }

  /// Returns item `i`, waiting until it is prepared. Rethrows the helper's failure.
  const PreparedItem& get(std::size_t i) {
    std::size_t ready = ready_.load(std::memory_order_acquire);
    while (ready <= i) {
      ready_.wait(ready, std::memory_order_acquire);
      ready = ready_.load(std::memory_order_acquire);
    }
    if (ready == kFailed) std::rethrow_exception(failure_);
    return prepared_[i];
  }

  /// Stops counting items, because the caller found a duplicate and counts
  /// the new items itself. Saves a replay the work of counting every item.
  void stop_counting() { counting_.store(false, std::memory_order_relaxed); }

  /// Waits until every item is counted and returns the aggregates; they are
  /// incomplete after stop_counting().
  Aggregator& aggregator() {
    if (helper_.joinable()) helper_.join();
    if (failure_) std::rethrow_exception(failure_);
    return aggregator_;
  }

 private:
  static constexpr std::size_t kFailed = std::numeric_limits<std::size_t>::max();

  void prepare_all() {
    try {
      for (std::size_t i = 0; i < items_.size(); ++i) {
        PreparedItem& item = prepared_[i];
        item.stored = to_stored(items_[i], has_id_, now_, pseudonym_key_);
        item.aspects = aspects_to_json(analyses_[i].aspects);
        item.keywords = keywords_to_json(analyses_[i].keywords);
        ready_.store(i + 1, std::memory_order_release);
        ready_.notify_one();
        if (counting_.load(std::memory_order_relaxed)) aggregator_.add(item.stored, analyses_[i]);
      }
      if (counting_.load(std::memory_order_relaxed)) aggregator_.prepare();
    } catch (...) {
      failure_ = std::current_exception();
      ready_.store(kFailed, std::memory_order_release);
      ready_.notify_one();
    }
  }

  std::span<const Item> items_;
  std::span<const Analysis> analyses_;
  bool has_id_;
  std::int64_t now_;
  std::string_view pseudonym_key_;
  std::vector<PreparedItem> prepared_;
  Aggregator aggregator_;
  std::exception_ptr failure_;
  std::atomic<std::size_t> ready_ = 0;  ///< items prepared, or kFailed
  std::atomic<bool> counting_ = true;
  std::jthread helper_;                 ///< last, so that it is joined before the rest is destroyed
};

}  // namespace

// TODO: ingest stores 16,900 to 20,200 new items/s on 2 cores with both
// cores busy, around the bar of 20,000 depending on the day (docs/benchmarks.md). A margin needs
// less CPU per item: here in the item insert with its full-text words and
// about 4 bucket upserts, or in the analysis (ICU's word break, the aspect tagger).
AddResult Store::add(std::span<const Item> items, std::span<const Analysis> analyses, bool has_id,
                     const SourcePosition* position) {
  if (items.size() != analyses.size()) throw std::invalid_argument("Store::add: items and analyses differ in size");
  std::lock_guard lock(impl_->mutex);
  sqlite3* db = impl_->db;
  Transaction transaction(db);
  Statement insert(db,
                   "INSERT INTO items (key, id, time, product, category, channel, user, rating, language, "
                   "sentiment, probability, score, text, aspects, keywords, summary, source) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
                   "ON CONFLICT (key) DO NOTHING");
  Statement words(db, "INSERT INTO item_words (rowid, words) VALUES (?1, ?2)");

  AddResult result;
  BatchPreparation preparation(items, analyses, has_id, now_milliseconds(), impl_->pseudonym_key,
                               impl_->bucket_zone.offset);
  std::vector<bool> added(items.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const PreparedItem& item = preparation.get(i);
    bind_item(insert, item.stored, analyses[i], item.aspects, item.keywords);
    insert.run();
    if (sqlite3_changes(db) == 1) {
      ++result.added;
      added[i] = true;
      words.bind(1, std::int64_t{sqlite3_last_insert_rowid(db)}).bind_static(2, analyses[i].search_words);
      words.run();
    } else {
      ++result.duplicates;
      preparation.stop_counting();
    }
  }

  // Only rows that the insert really added reach the aggregates, which is
  // what keeps replays from counting an item twice. The preparation counts
  // items whether they are new or not, so a batch with duplicates is counted
  // again without them.
  Aggregator& aggregator = preparation.aggregator();
  if (result.duplicates > 0) {
    aggregator.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (added[i]) aggregator.add(preparation.get(i).stored, analyses[i]);
    }
  }
  aggregator.flush(db);

  if (position != nullptr) {
    Statement save(db, "INSERT OR REPLACE INTO positions VALUES (?1, ?2, ?3, ?4)");
    save.bind(1, position->source).bind(2, position->identity).bind(3, position->offset).bind(4, position->line);
    save.run();
  }
  transaction.commit();
  return result;
}

std::optional<SourcePosition> Store::position(const std::string& source) const {
  std::lock_guard lock(impl_->mutex);
  Statement select(impl_->db, "SELECT identity, offset, line FROM positions WHERE source = ?1");
  select.bind(1, source);
  if (!select.step()) return std::nullopt;
  return SourcePosition{source, select.text(0), select.integer(1), select.integer(2)};
}

std::int64_t Store::item_count() const {
  std::lock_guard lock(impl_->mutex);
  return single_integer(impl_->db, "SELECT count(*) FROM items").value_or(0);
}

std::optional<std::int64_t> Store::latest_time() const {
  std::lock_guard lock(impl_->mutex);
  return single_integer(impl_->db, "SELECT max(time) FROM items");
}

std::optional<std::int64_t> Store::earliest_time() const {
  std::lock_guard lock(impl_->mutex);
  return single_integer(impl_->db, "SELECT min(time) FROM items");
}

bool Store::add_alert(const Alert& alert) {
  std::lock_guard lock(impl_->mutex);
  Statement insert(impl_->db,
                   "INSERT INTO alerts (fingerprint, detector, dimension, value, subject, granularity, "
                   "window_start, window_end, severity, observed, baseline, statistic, statistic_name, count, "
                   "examples, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                   "?15, ?16) ON CONFLICT (fingerprint) DO NOTHING");
  insert.bind(1, alert.fingerprint).bind(2, alert.detector).bind(3, alert.dimension).bind(4, alert.value);
  insert.bind(5, alert.subject).bind(6, static_cast<std::int64_t>(alert.granularity));
  insert.bind(7, alert.window_start).bind(8, alert.window_end).bind(9, alert.severity);
  insert.bind(10, alert.observed).bind(11, alert.baseline).bind(12, alert.statistic);
  insert.bind(13, alert.statistic_name).bind(14, alert.count);
  insert.bind(15, nlohmann::json(alert.examples).dump());
  insert.bind(16, alert.raised_at != 0 ? alert.raised_at : now_milliseconds());
  insert.run();
  return sqlite3_changes(impl_->db) == 1;
}

void Store::add_pending_delivery(std::string_view fingerprint, std::string_view sink) {
  std::lock_guard lock(impl_->mutex);
  Statement save(impl_->db, "INSERT OR IGNORE INTO deliveries VALUES (?1, ?2, 'pending', 0, '', ?3)");
  save.bind(1, fingerprint).bind(2, sink).bind(3, now_milliseconds());
  save.run();
}

void Store::record_delivery(const Delivery& delivery) {
  std::lock_guard lock(impl_->mutex);
  Statement save(impl_->db,
                 "INSERT INTO deliveries VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (fingerprint, sink) DO UPDATE SET "
                 "status = excluded.status, attempts = attempts + excluded.attempts, error = excluded.error, "
                 "updated_at = excluded.updated_at");
  save.bind(1, delivery.fingerprint).bind(2, delivery.sink).bind(3, delivery.status).bind(4, delivery.attempts);
  save.bind(5, delivery.error).bind(6, delivery.updated_at != 0 ? delivery.updated_at : now_milliseconds());
  save.run();
}

std::optional<std::int64_t> Store::last_alert_end(std::string_view detector, std::string_view dimension,
                                                  std::string_view value, std::string_view subject) const {
  std::lock_guard lock(impl_->mutex);
  Statement select(impl_->db,
                   "SELECT max(window_end) FROM alerts WHERE detector = ?1 AND dimension = ?2 AND value = ?3 "
                   "AND subject = ?4");
  select.bind(1, detector).bind(2, dimension).bind(3, value).bind(4, subject);
  if (!select.step() || select.is_null(0)) return std::nullopt;
  return select.integer(0);
}

std::optional<std::int64_t> Store::mark(std::string_view name) const {
  std::lock_guard lock(impl_->mutex);
  Statement select(impl_->db, "SELECT value FROM marks WHERE name = ?1");
  select.bind(1, name);
  if (!select.step()) return std::nullopt;
  return select.integer(0);
}

void Store::set_mark(std::string_view name, std::int64_t value) {
  std::lock_guard lock(impl_->mutex);
  Statement save(impl_->db, "INSERT OR REPLACE INTO marks VALUES (?1, ?2)");
  save.bind(1, name).bind(2, value);
  save.run();
}

std::int64_t Store::apply_retention() {
  std::lock_guard lock(impl_->mutex);
  sqlite3* db = impl_->db;
  // Counted back from the latest item, or from now when an item claims a
  // later time, so that one item from the future cannot expire the history.
  std::optional<std::int64_t> latest = single_integer(db, "SELECT max(time) FROM items");
  if (!latest) return 0;
  latest = std::min(*latest, now_milliseconds());
  const Retention& retention = impl_->options.retention;

  Transaction transaction(db);
  std::int64_t deleted = 0;
  const auto drop = [&](std::string_view sql, int days, std::optional<Granularity> granularity) {
    if (days <= 0) return;
    Statement statement(db, sql);
    statement.bind(1, *latest - std::int64_t{days} * kDayMilliseconds);
    if (granularity) statement.bind(2, static_cast<std::int64_t>(*granularity));
    statement.run();
    deleted += sqlite3_changes(db);
  };
  for (const std::string_view table : {"buckets", "keyword_counts"}) {
    const std::string sql = "DELETE FROM " + std::string(table) + " WHERE start < ?1 AND granularity = ?2";
    drop(sql, retention.minute_days, Granularity::minute);
    drop(sql, retention.hour_days, Granularity::hour);
    drop(sql, retention.day_days, Granularity::day);
  }
  // Removing old items leaves their buckets alone: the aggregates still
  // describe the past, only the example texts are gone.
  drop("DELETE FROM item_words WHERE rowid IN (SELECT row FROM items WHERE time < ?1)", retention.item_days,
       std::nullopt);
  drop("DELETE FROM items WHERE time < ?1", retention.item_days, std::nullopt);
  transaction.commit();
  return deleted;
}

namespace {

// Writes a mention's term and its offsets under the three keys, in order.
void write_term(JsonWriter& json, const std::array<std::string_view, 3>& keys, std::string_view term,
                std::int32_t begin, std::int32_t end) {
  json.key(keys[0]);
  json.value(term);
  json.key(keys[1]);
  json.value(std::int64_t{begin});
  json.key(keys[2]);
  json.value(std::int64_t{end});
}

}  // namespace

// Written with JsonWriter, because building nlohmann::json values took a
// third of Store::add's time. The keys keep nlohmann's sorted order, so the
// stored text is the same.
std::string aspects_to_json(const std::vector<AspectMention>& aspects) {
  JsonWriter json;
  json.begin_array();
  for (const AspectMention& mention : aspects) {
    json.begin_object();
    write_term(json, {"aspect", "aspect_begin", "aspect_end"}, mention.aspect, mention.aspect_begin,
               mention.aspect_end);
    json.key("category");
    json.value(mention.category);
    write_term(json, {"opinion", "opinion_begin", "opinion_end"}, mention.opinion, mention.opinion_begin,
               mention.opinion_end);
    json.key("polarity");
    json.value(mention.polarity);
    json.end_object();
  }
  json.end_array();
  return std::move(json.text());
}

std::string keywords_to_json(const std::vector<Keyword>& keywords) {
  JsonWriter json;
  json.begin_array();
  for (const Keyword& keyword : keywords) {
    json.begin_object();
    json.key("score");
    json.value(static_cast<double>(keyword.score));
    json.key("word");
    json.value(keyword.word);
    json.end_object();
  }
  json.end_array();
  return std::move(json.text());
}

std::vector<AspectMention> aspects_from_json(std::string_view text) {
  std::vector<AspectMention> aspects;
  for (const auto& entry : nlohmann::json::parse(text, nullptr, false)) {
    if (!entry.is_object()) continue;
    AspectMention mention;
    mention.category = entry.value("category", "");
    mention.aspect = entry.value("aspect", "");
    mention.aspect_begin = entry.value("aspect_begin", -1);
    mention.aspect_end = entry.value("aspect_end", -1);
    mention.opinion = entry.value("opinion", "");
    mention.opinion_begin = entry.value("opinion_begin", -1);
    mention.opinion_end = entry.value("opinion_end", -1);
    mention.polarity = entry.value("polarity", "");
    aspects.push_back(std::move(mention));
  }
  return aspects;
}

std::vector<Keyword> keywords_from_json(std::string_view text) {
  std::vector<Keyword> keywords;
  for (const auto& entry : nlohmann::json::parse(text, nullptr, false)) {
    if (entry.is_object()) keywords.push_back({entry.value("word", ""), entry.value("score", 0.0f)});
  }
  return keywords;
}

}  // namespace shopsight::store

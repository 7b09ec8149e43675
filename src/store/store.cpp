// Store: opening, adding items idempotently, positions, alerts, marks and
// retention. Queries over stored data are in queries.cpp.

#include <xxhash.h>

#include <chrono>
#include <cstdio>
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

// A user id that is itself personal data (a phone number or an e-mail
// address, as shops often use) is replaced by a stable pseudonym, so that
// profiles still group one user's items while the store contains no such data.
std::string pseudonymous_user(const std::string& user) {
  if (user.empty() || mask_personal_data(user) == user) return user;
  return "user-" + hex(XXH3_64bits(user.data(), user.size()), 12);
}

StoredItem to_stored(const Item& item, const Analysis& analysis, bool has_id, std::int64_t now) {
  StoredItem stored;
  stored.key = item_key(item, has_id);
  stored.id = has_id ? item.id : std::string();
  stored.time = item.time.value_or(now);
  stored.product = item.product;
  stored.category = item.category;
  stored.channel = item.channel.empty() ? "review" : item.channel;
  stored.user = pseudonymous_user(item.user);
  stored.rating = item.rating;
  stored.source = item.source;
  stored.analysis = analysis;
  stored.analysis.normalized_text.clear();
  return stored;
}

void bind_item(Statement& insert, const StoredItem& item) {
  const Analysis& analysis = item.analysis;
  insert.bind(1, item.key).bind(2, item.id).bind(3, item.time).bind(4, item.product).bind(5, item.category);
  insert.bind(6, item.channel).bind(7, item.user);
  if (item.rating) insert.bind(8, *item.rating);
  insert.bind(9, analysis.language).bind(10, analysis.sentiment.label);
  insert.bind(11, double{analysis.sentiment.probability}).bind(12, double{analysis.sentiment.score});
  insert.bind(13, analysis.masked_text).bind(14, aspects_to_json(analysis.aspects));
  insert.bind(15, keywords_to_json(analysis.keywords));
  if (analysis.summary) insert.bind(16, *analysis.summary);
  insert.bind(17, item.source);
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

std::int64_t bucket_start(std::int64_t time, Granularity granularity) {
  const std::int64_t length = bucket_milliseconds(granularity);
  // Floor division, so times before 1970 fall into the bucket before zero.
  std::int64_t start = time / length * length;
  if (start > time) start -= length;
  return start;
}

bool is_dimension(std::string_view name) { return dimension_index(name) >= 0; }

std::string item_key(const Item& item, bool has_id) {
  if (has_id) return "id:" + item.id;
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
  const int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(options.path.c_str(), &impl_->db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string reason = impl_->db != nullptr ? sqlite3_errmsg(impl_->db) : "out of memory";
    throw Error(tr("cannot open the store {}: {}", options.path, reason));
  }
  sqlite3* db = impl_->db;
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  if (!options.read_only) {
    // WAL lets the server and dashboards read while one process ingests.
    // NORMAL syncs at checkpoints, so a killed process loses nothing that
    // was committed. A power cut may lose the last transactions, never consistency.
    execute(db, "PRAGMA journal_mode = WAL");
    execute(db, "PRAGMA synchronous = NORMAL");
    // Bucket upserts touch pages all over their tables; a 64 MiB page cache
    // keeps them in memory instead of re-reading them for each batch.
    execute(db, "PRAGMA cache_size = -65536");
    migrate(db, options.path);
  } else if (single_integer(db, "PRAGMA user_version").value_or(0) != kSchemaVersion) {
    throw Error(tr("{} is not a shopsight store of schema version {}", options.path, kSchemaVersion));
  }
}

Store::~Store() = default;

const StoreOptions& Store::options() const { return impl_->options; }

int Store::schema_version() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(single_integer(impl_->db, "PRAGMA user_version").value_or(0));
}

// TODO: ingest stores about 10,600 new items/s on 2 cores (docs/benchmarks.md),
// short of 20,000. This function costs about 280,000 instructions per item,
// most of them in SQLite upserts of about 9 bucket rows per item.
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

  // Only rows that the insert really added reach the aggregates, which is
  // what keeps replays from counting an item twice.
  AddResult result;
  Aggregator aggregator;
  const std::int64_t now = now_milliseconds();
  for (std::size_t i = 0; i < items.size(); ++i) {
    StoredItem stored = to_stored(items[i], analyses[i], has_id, now);
    bind_item(insert, stored);
    insert.run();
    if (sqlite3_changes(db) == 1) {
      ++result.added;
      words.bind(1, std::int64_t{sqlite3_last_insert_rowid(db)}).bind(2, analyses[i].search_words);
      words.run();
      aggregator.add(stored);
    } else {
      ++result.duplicates;
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
  for (const std::string_view table : {"buckets", "aspect_buckets", "keyword_counts"}) {
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

// Written with JsonWriter, because building nlohmann::json values took a
// third of Store::add's time. The keys keep nlohmann's sorted order, so the
// stored text is the same.
std::string aspects_to_json(const std::vector<AspectMention>& aspects) {
  JsonWriter json;
  json.begin_array();
  for (const AspectMention& mention : aspects) {
    json.begin_object();
    json.key("aspect");
    json.value(mention.aspect);
    json.key("aspect_begin");
    json.value(std::int64_t{mention.aspect_begin});
    json.key("aspect_end");
    json.value(std::int64_t{mention.aspect_end});
    json.key("category");
    json.value(mention.category);
    json.key("opinion");
    json.value(mention.opinion);
    json.key("opinion_begin");
    json.value(std::int64_t{mention.opinion_begin});
    json.key("opinion_end");
    json.value(std::int64_t{mention.opinion_end});
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

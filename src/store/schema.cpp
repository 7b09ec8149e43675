// The store's schema, its migrations, and the SQLite statement wrapper.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "store/internal.h"
#include "text/text.h"

namespace shopsight::store {
namespace {

// Written to the file header (PRAGMA application_id) so that a foreign
// SQLite file is refused instead of being filled with shopsight's tables.
constexpr std::int64_t kApplicationId = 0x53485053;  // "SHPS"

// Migration i brings a store from version i to version i + 1. Released
// migrations never change; a new schema version appends one.
constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {
    R"sql(
CREATE TABLE items (
  row INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  id TEXT NOT NULL,
  time INTEGER NOT NULL,
  product TEXT NOT NULL,
  category TEXT NOT NULL,
  channel TEXT NOT NULL,
  user TEXT NOT NULL,
  rating REAL,
  language TEXT NOT NULL,
  sentiment TEXT NOT NULL,
  probability REAL NOT NULL,
  score REAL NOT NULL,
  text TEXT NOT NULL,
  aspects TEXT NOT NULL,
  keywords TEXT NOT NULL,
  summary TEXT,
  source TEXT NOT NULL
);
CREATE INDEX items_time ON items (time);
CREATE INDEX items_product ON items (product, time);
CREATE INDEX items_category ON items (category, time);
CREATE INDEX items_user ON items (user, time);

CREATE TABLE buckets (
  granularity INTEGER NOT NULL,
  dimension INTEGER NOT NULL,
  value TEXT NOT NULL,
  start INTEGER NOT NULL,
  volume INTEGER NOT NULL,
  positive INTEGER NOT NULL,
  negative INTEGER NOT NULL,
  neutral INTEGER NOT NULL,
  score_sum REAL NOT NULL,
  rating1 INTEGER NOT NULL,
  rating2 INTEGER NOT NULL,
  rating3 INTEGER NOT NULL,
  rating4 INTEGER NOT NULL,
  rating5 INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start)
) WITHOUT ROWID;

CREATE TABLE aspect_buckets (
  granularity INTEGER NOT NULL,
  dimension INTEGER NOT NULL,
  value TEXT NOT NULL,
  start INTEGER NOT NULL,
  aspect TEXT NOT NULL,
  mentions INTEGER NOT NULL,
  positive INTEGER NOT NULL,
  negative INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start, aspect)
) WITHOUT ROWID;

CREATE TABLE keyword_buckets (
  granularity INTEGER NOT NULL,
  dimension INTEGER NOT NULL,
  value TEXT NOT NULL,
  start INTEGER NOT NULL,
  keyword TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start, keyword)
) WITHOUT ROWID;

CREATE TABLE alerts (
  row INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,
  detector TEXT NOT NULL,
  dimension TEXT NOT NULL,
  value TEXT NOT NULL,
  subject TEXT NOT NULL,
  granularity INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  severity TEXT NOT NULL,
  observed REAL NOT NULL,
  baseline REAL NOT NULL,
  statistic REAL NOT NULL,
  statistic_name TEXT NOT NULL,
  count INTEGER NOT NULL,
  examples TEXT NOT NULL,
  raised_at INTEGER NOT NULL
);
CREATE INDEX alerts_window ON alerts (window_start);
CREATE INDEX alerts_subject ON alerts (detector, dimension, value, subject, window_end);

CREATE TABLE positions (
  source TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  offset INTEGER NOT NULL,
  line INTEGER NOT NULL
);

CREATE TABLE marks (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql",
    // Version 2: full-text search, saved topic discoveries, and keyword
    // counts as one JSON object per bucket. item_words contains each item's
    // segmented words (Analysis::search_words) under the item's row, because
    // SQLite's tokenizers cannot split Chinese into words; fill_search_words()
    // fills it for the items of a version 1 store. A row per bucket and word
    // made ingest write about twenty keyword rows per item; one object per
    // bucket is rewritten once per transaction instead.
    R"sql(
CREATE VIRTUAL TABLE item_words USING fts5 (words, tokenize = 'unicode61', detail = 'none', columnsize = 0);

CREATE TABLE keyword_counts (
  granularity INTEGER NOT NULL,
  dimension INTEGER NOT NULL,
  value TEXT NOT NULL,
  start INTEGER NOT NULL,
  counts TEXT NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start)
) WITHOUT ROWID;
INSERT INTO keyword_counts
  SELECT granularity, dimension, value, start, json_group_object(keyword, count)
  FROM keyword_buckets GROUP BY granularity, dimension, value, start;
DROP TABLE keyword_buckets;

CREATE TABLE topic_runs (
  row INTEGER PRIMARY KEY,
  computed_at INTEGER NOT NULL,
  document TEXT NOT NULL
);
)sql",
    // Version 3: aspect counts move into their bucket's row, as a JSON object
    // of aspect category to [mentions, positive, negative], NULL where the
    // bucket keeps none. A row per bucket and aspect category made ingest
    // upsert about five aspect rows per item, more than its bucket rows.
    R"sql(
ALTER TABLE buckets ADD COLUMN aspects TEXT;
UPDATE buckets SET aspects = counts.aspects
  FROM (SELECT granularity, dimension, value, start,
               json_group_object(aspect, json_array(mentions, positive, negative)) AS aspects
        FROM aspect_buckets GROUP BY granularity, dimension, value, start) AS counts
  WHERE buckets.granularity = counts.granularity AND buckets.dimension = counts.dimension
    AND buckets.value = counts.value AND buckets.start = counts.start;
DROP TABLE aspect_buckets;
)sql",
    // Version 4: settings of the store, among them the secret key of the user
    // pseudonyms, which create_pseudonym_key() adds.
    R"sql(
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    // Version 5: delivery state of each alert at each sink, so that a run can
    // send again what an earlier run failed to deliver. Alerts raised before
    // have no rows and are not sent again.
    R"sql(
CREATE TABLE deliveries (
  fingerprint TEXT NOT NULL,
  sink TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (fingerprint, sink)
) WITHOUT ROWID;
CREATE INDEX deliveries_status ON deliveries (sink, status);
)sql",
};

std::int64_t pragma_integer(sqlite3* db, std::string_view name) {
  Statement statement(db, "PRAGMA " + std::string(name));
  return statement.step() ? statement.integer(0) : 0;
}

bool has_tables(sqlite3* db) {
  Statement statement(db, "SELECT count(*) FROM sqlite_schema");
  return statement.step() && statement.integer(0) > 0;
}

// Indexes the words of items stored before version 2. Their stored text is
// already masked, so it is segmented as it is.
void fill_search_words(sqlite3* db) {
  const Normalizer normalizer;
  Statement select(db, "SELECT row, text FROM items");
  Statement insert(db, "INSERT INTO item_words (rowid, words) VALUES (?1, ?2)");
  while (select.step()) {
    insert.bind(1, select.integer(0)).bind(2, search_words(make_document(normalizer, select.text(1))));
    insert.run();
  }
}

// Pseudonyms of earlier versions were an unkeyed hash, which enumerating
// phone numbers reverses. They are rewritten with the new key, as the ids
// behind them would be, so each user keeps one pseudonym across old and new
// items. A raw user id that only looks like a pseudonym is rewritten too.
void create_pseudonym_key(sqlite3* db) {
  const std::string key = new_pseudonym_key();
  Statement save(db, "INSERT INTO settings (name, value) VALUES ('pseudonym_key', ?1)");
  save.bind(1, key).run();

  std::string pattern = "'user-";
  for (int i = 0; i < 12; ++i) pattern += "[0-9a-f]";
  pattern += "'";
  const std::string user_dimension = std::to_string(dimension_index("user"));
  std::vector<std::string> pseudonyms;
  Statement select(db, "SELECT user FROM items WHERE user GLOB " + pattern +
                           " UNION SELECT value FROM buckets WHERE dimension = " + user_dimension +
                           " AND value GLOB " + pattern + " UNION SELECT value FROM alerts WHERE dimension = 'user'"
                           " AND value GLOB " + pattern);
  while (select.step()) pseudonyms.push_back(select.text(0));

  Statement items(db, "UPDATE items SET user = ?2 WHERE user = ?1");
  Statement buckets(db, "UPDATE buckets SET value = ?2 WHERE dimension = " + user_dimension + " AND value = ?1");
  Statement keywords(db,
                     "UPDATE keyword_counts SET value = ?2 WHERE dimension = " + user_dimension + " AND value = ?1");
  Statement alerts(db, "UPDATE alerts SET value = ?2 WHERE dimension = 'user' AND value = ?1");
  for (const std::string& old_pseudonym : pseudonyms) {
    const std::string new_pseudonym = rekeyed_pseudonym(old_pseudonym, key);
    for (Statement* update : {&items, &buckets, &keywords, &alerts}) {
      update->bind(1, old_pseudonym).bind(2, new_pseudonym).run();
    }
  }
}

Error newer_store_error(const std::string& path, std::int64_t version) {
  return Error(tr("store {} has schema version {}, newer than this shopsight ({}); upgrade shopsight", path, version,
                  kSchemaVersion));
}

}  // namespace

std::optional<int> older_schema_version(sqlite3* db, const std::string& path) {
  const std::int64_t version = pragma_integer(db, "user_version");
  if (version == kSchemaVersion) return std::nullopt;
  if (pragma_integer(db, "application_id") != kApplicationId || version <= 0) {
    throw Error(tr("{} is not a shopsight store of schema version {}", path, kSchemaVersion));
  }
  if (version > kSchemaVersion) throw newer_store_error(path, version);
  return static_cast<int>(version);
}

std::string pseudonym_key(sqlite3* db) {
  Statement select(db, "SELECT value FROM settings WHERE name = 'pseudonym_key'");
  if (!select.step()) throw Error(tr("store {}: the pseudonym key is missing", sqlite3_db_filename(db, "main")));
  return select.text(0);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &handle_,
                         nullptr) != SQLITE_OK) {
    fail(db, sql);
  }
}

Statement::~Statement() { sqlite3_finalize(handle_); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(handle_, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(handle_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(handle_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
  sqlite3_bind_text(handle_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(handle_, index);
  return *this;
}

bool Statement::step() {
  const int status = sqlite3_step(handle_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  fail(db_, sqlite3_sql(handle_));
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() { sqlite3_reset(handle_); }

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(handle_, column);
  if (bytes == nullptr) return {};
  return {reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))};
}

void execute(sqlite3* db, std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    const char* file = sqlite3_db_filename(db, "main");
    throw Error(tr("store {}: {}", file != nullptr && *file != '\0' ? file : ":memory:", reason));
  }
}

void fail(sqlite3* db, std::string_view sql) {
  const char* file = sqlite3_db_filename(db, "main");
  spdlog::debug("SQLite failed on: {}", sql.substr(0, 200));
  throw Error(tr("store {}: {}", file != nullptr && *file != '\0' ? file : ":memory:", sqlite3_errmsg(db)));
}

void migrate(sqlite3* db, const std::string& path) {
  const std::int64_t application = pragma_integer(db, "application_id");
  if (application != kApplicationId && (application != 0 || has_tables(db))) {
    throw Error(tr("{} is not a shopsight store; give --db a new file or an existing store", path));
  }
  std::int64_t version = pragma_integer(db, "user_version");
  if (version > kSchemaVersion) throw newer_store_error(path, version);
  if (version == kSchemaVersion) return;

  // All steps in one transaction: a failed migration leaves the old schema intact.
  execute(db, "BEGIN IMMEDIATE");
  // Another process may have migrated the file while this one waited for the lock.
  version = pragma_integer(db, "user_version");
  if (version == kSchemaVersion) {
    execute(db, "COMMIT");
    return;
  }
  try {
    for (auto step = static_cast<std::size_t>(version); step < kMigrations.size(); ++step) {
      execute(db, kMigrations[step]);
      if (step == 1) fill_search_words(db);
      if (step == 3) create_pseudonym_key(db);
      // A new file gets every step too; only an upgrade of a used store is news.
      if (version > 0) spdlog::info("{}", tr("store {}: schema migrated to version {}", path, step + 1));
    }
    execute(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
    execute(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion));
    execute(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int dimension_index(std::string_view dimension) {
  for (std::size_t i = 0; i < kDimensions.size(); ++i) {
    if (kDimensions[i] == dimension) return static_cast<int>(i);
  }
  return -1;
}

bool keeps_granularity(int dimension, Granularity granularity) {
  const std::string_view name = kDimensions[static_cast<std::size_t>(dimension)];
  if (name == "user") return granularity == Granularity::day;
  return granularity != Granularity::minute || name == "shop" || name == "channel";
}

bool keeps_aspects(int dimension, Granularity granularity) {
  return granularity != Granularity::minute && kDimensions[static_cast<std::size_t>(dimension)] != "aspect";
}

bool keeps_keywords(int dimension, Granularity granularity) {
  const std::string_view name = kDimensions[static_cast<std::size_t>(dimension)];
  return granularity == Granularity::day && (name == "shop" || name == "product" || name == "category");
}

bool has_keyword_counts(std::string_view dimension, Granularity granularity) {
  const int index = dimension_index(dimension);
  return index >= 0 && keeps_keywords(index, granularity);
}

}  // namespace shopsight::store

#pragma once

// Pieces shared by the store's source files: a thin owner of SQLite
// statements and the store's private state. Not part of the public header.

#include <sqlite3.h>

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace shopsight::store {

/// A prepared statement, reset and cleared of bindings when released.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds by 1-based index.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  /// Binds text without copying it, so `value` must stay valid and unchanged
  /// until the statement has run with it.
  Statement& bind_static(int index, std::string_view value);
  Statement& bind_null(int index);

  /// Steps once; true when a row is ready.
  bool step();

  /// Steps until done, then resets.
  void run();

  /// Makes the statement ready to run again. Bindings stay, so each run
  /// binds every parameter it uses, NULLs included.
  void reset();

  std::int64_t integer(int column) const { return sqlite3_column_int64(handle_, column); }
  double real(int column) const { return sqlite3_column_double(handle_, column); }
  bool is_null(int column) const { return sqlite3_column_type(handle_, column) == SQLITE_NULL; }
  std::string text(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* handle_ = nullptr;
};

/// Runs SQL without results; throws shopsight::Error with SQLite's message.
void execute(sqlite3* db, std::string_view sql);

/// Throws shopsight::Error naming the store file for a failed SQLite call.
[[noreturn]] void fail(sqlite3* db, std::string_view sql);

/// Reads the secret key of the store's user pseudonyms from the settings table.
std::string pseudonym_key(sqlite3* db);

/// Creates the schema or migrates it to kSchemaVersion; `path` names the file in errors.
void migrate(sqlite3* db, const std::string& path);

/// Schema version of a store that a read-only open finds older than
/// kSchemaVersion, nullopt when it is current. Throws shopsight::Error for a
/// file that is not a shopsight store or that a newer shopsight wrote.
std::optional<int> older_schema_version(sqlite3* db, const std::string& path);

/// Position of a dimension name in kDimensions, stored instead of the name.
int dimension_index(std::string_view dimension);

/// Granularities kept for a dimension: minutes only for the shop and the
/// channels, users only by day. A product's minute contains too few items
/// to tell anything, and such rows would be most of the table.
bool keeps_granularity(int dimension, Granularity granularity);

/// Aspect counts are kept for hour and day buckets, except in the aspect
/// dimension, whose own measures already are per aspect category.
bool keeps_aspects(int dimension, Granularity granularity);

/// Keyword counts are kept for day buckets of shop, product and category:
/// they are the largest table, and new words take days to matter.
bool keeps_keywords(int dimension, Granularity granularity);

/// Registers the SQL functions that the store's statements call.
void register_functions(sqlite3* db);

/// Items and analyses turned into bucket increments, written with upserts.
class Aggregator {
 public:
  /// Counts into buckets laid out from midnight `offset` milliseconds east of UTC.
  explicit Aggregator(std::int64_t offset) : offset_(offset) {}

  /// Counts one item, analyzed as `analysis`, in every bucket it belongs
  /// to. `item.analysis` is ignored.
  void add(const StoredItem& item, const Analysis& analysis);

  /// Writes the JSON text of each bucket's aspect counts ahead of flush(),
  /// so that a helper thread can do it. flush() writes what is missing.
  void prepare();

  /// Adds the counted increments to the store's tables and clears them.
  void flush(sqlite3* db);

  /// Drops the counted increments.
  void clear() { buckets_.clear(); }

 private:
  struct Key {
    int granularity;
    int dimension;
    std::string value;
    std::int64_t start;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Increment {
    BucketMeasures measures;
    std::string aspects;  ///< measures.aspects as JSON once prepare() ran, else empty
  };
  std::int64_t offset_;
  std::unordered_map<Key, Increment, KeyHash> buckets_;
  std::vector<const std::string*> aspect_values_;  ///< aspect categories of the item being added
};

/// Private state of Store.
struct Store::Impl {
  StoreOptions options;
  sqlite3* db = nullptr;
  mutable std::mutex mutex;  // one connection, so calls take turns
  std::string pseudonym_key;  // never logged
  StandardOffset bucket_zone;  // fixed once the store contains buckets

  ~Impl();
};

/// Aspects of an analysis as the JSON text stored with the item.
std::string aspects_to_json(const std::vector<AspectMention>& aspects);

/// Keywords of an analysis as the JSON text stored with the item.
std::string keywords_to_json(const std::vector<Keyword>& keywords);

/// Reads back what aspects_to_json wrote.
std::vector<AspectMention> aspects_from_json(std::string_view text);

/// Adds the counts of a keyword_counts row, a JSON object of word to count, to `counts`.
void read_keyword_counts(std::string_view json, std::map<std::string, std::int64_t>& counts);

/// A keyword_counts row's JSON object.
std::string write_keyword_counts(const std::map<std::string, std::int64_t>& counts);

/// Adds the counts of a buckets row's aspects column, a JSON object of aspect
/// category to [mentions, positive, negative], to `counts`.
void read_aspect_counts(std::string_view json, std::map<std::string, AspectCounts>& counts);

/// A buckets row's aspects column.
std::string write_aspect_counts(const std::map<std::string, AspectCounts>& counts);

/// Reads back what keywords_to_json wrote.
std::vector<Keyword> keywords_from_json(std::string_view text);

}  // namespace shopsight::store

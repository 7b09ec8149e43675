#pragma once

// Recomputes a store's aggregates from its items with plain SQL and lists
// every bucket where the two disagree, for tests of idempotence and crashes.

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace shopsight::testing {

namespace detail {

using BucketKey = std::tuple<int, int, std::string, long long>;
using Measures = std::vector<double>;

inline void read_rows(sqlite3* db, const std::string& sql, int key_columns, std::map<BucketKey, Measures>& rows) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    rows[{-1, -1, sqlite3_errmsg(db), 0}] = {};
    return;
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* value = sqlite3_column_text(statement, 2);
    BucketKey key{sqlite3_column_int(statement, 0), sqlite3_column_int(statement, 1),
                  value != nullptr ? reinterpret_cast<const char*>(value) : "", sqlite3_column_int64(statement, 3)};
    Measures measures;
    for (int column = key_columns; column < sqlite3_column_count(statement); ++column) {
      measures.push_back(sqlite3_column_double(statement, column));
    }
    rows[key] = measures;
  }
  sqlite3_finalize(statement);
}

// Recomputed buckets: granularity g (0 minute, 1 hour, 2 day) of length
// `length` ms, dimension index `dimension`, grouped by `value_sql`.
inline std::string recompute_sql(int granularity, long long length, int dimension, const std::string& value_sql,
                                 const std::string& from) {
  const std::string g = std::to_string(granularity);
  const std::string start = "(time / " + std::to_string(length) + ") * " + std::to_string(length);
  return "SELECT " + g + ", " + std::to_string(dimension) + ", " + value_sql + " AS v, " + start +
         " AS s, count(*), sum(sentiment = 'positive'), sum(sentiment = 'negative'), "
         "sum(sentiment NOT IN ('positive', 'negative')), round(sum(score), 3) FROM " + from + " GROUP BY v, s";
}

}  // namespace detail

/// Differences between the buckets table and a recomputation from the items
/// table; empty when they agree. Needs a store without item retention.
inline std::vector<std::string> aggregates_match_items(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"cannot open " + path};
  }
  std::map<detail::BucketKey, detail::Measures> stored;
  std::map<detail::BucketKey, detail::Measures> recomputed;
  detail::read_rows(db,
                    "SELECT granularity, dimension, value, start, volume, positive, negative, neutral, "
                    "round(score_sum, 3) FROM buckets",
                    4, stored);
  const long long lengths[] = {60'000, 3'600'000, 86'400'000};
  // Dimension indexes follow store::kDimensions: shop, product, category, channel, aspect, user.
  const std::pair<int, std::string> columns[] = {{0, "''"}, {1, "product"}, {2, "category"}, {3, "channel"}};
  for (int g = 0; g < 3; ++g) {
    for (const auto& [dimension, column] : columns) {
      // Minute buckets are kept for the shop and the channels only.
      if (g == 0 && (dimension == 1 || dimension == 2)) continue;
      std::string from = "items";
      if (dimension == 1 || dimension == 2) from = "items WHERE " + column + " <> ''";
      detail::read_rows(db, detail::recompute_sql(g, lengths[g], dimension, column, from), 4, recomputed);
    }
    if (g == 0) continue;
    detail::read_rows(db,
                      detail::recompute_sql(g, lengths[g], 4, "aspect",
                                            "(SELECT DISTINCT items.row, time, sentiment, score, "
                                            "json_each.value ->> 'category' AS aspect FROM items, "
                                            "json_each(items.aspects))"),
                      4, recomputed);
  }
  detail::read_rows(db, detail::recompute_sql(2, lengths[2], 5, "user", "items WHERE user <> ''"), 4, recomputed);
  sqlite3_close(db);

  std::vector<std::string> differences;
  for (const auto& [key, measures] : recomputed) {
    const auto found = stored.find(key);
    const std::string name = std::to_string(std::get<0>(key)) + "/" + std::to_string(std::get<1>(key)) + "/" +
                             std::get<2>(key) + "/" + std::to_string(std::get<3>(key));
    if (found == stored.end()) {
      differences.push_back("missing bucket " + name);
      continue;
    }
    for (std::size_t i = 0; i < measures.size(); ++i) {
      if (std::abs(measures[i] - found->second[i]) > 0.01) {
        differences.push_back("bucket " + name + " measure " + std::to_string(i) + ": stored " +
                              std::to_string(found->second[i]) + ", recomputed " + std::to_string(measures[i]));
      }
    }
    stored.erase(found);
  }
  for (const auto& [key, measures] : stored) {
    differences.push_back("bucket without items: " + std::get<2>(key) + " at " + std::to_string(std::get<3>(key)));
  }
  return differences;
}

}  // namespace shopsight::testing

// Saved topic discoveries: `shopsight topics --db` adds a run, the API reads
// the latest one.

#include "store/internal.h"

namespace shopsight::store {

std::int64_t Store::save_topics(std::string_view document, std::int64_t computed_at) {
  std::lock_guard lock(impl_->mutex);
  Statement insert(impl_->db, "INSERT INTO topic_runs (computed_at, document) VALUES (?1, ?2)");
  insert.bind(1, computed_at).bind(2, document);
  insert.run();
  return sqlite3_last_insert_rowid(impl_->db);
}

std::optional<TopicRun> Store::latest_topics() const {
  std::lock_guard lock(impl_->mutex);
  // The row, not computed_at, orders the runs: a wall clock can step back.
  Statement select(impl_->db, "SELECT row, computed_at, document FROM topic_runs ORDER BY row DESC LIMIT 1");
  if (!select.step()) return std::nullopt;
  return TopicRun{select.integer(0), select.integer(1), select.text(2)};
}

}  // namespace shopsight::store

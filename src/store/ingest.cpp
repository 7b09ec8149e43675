// ingest(): the analyze pipeline feeding the store in transactions.

#include <chrono>
#include <ctime>
#include <thread>

#include "common/log.h"
#include "store/internal.h"

namespace shopsight::store {
namespace {

// CPU time of the calling thread, which unlike wall time barely depends on
// what else runs on the machine.
std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// Frees the items of a stored transaction on a thread of its own. Freeing
// thousands of strings that analyzer threads allocated took a tenth of the
// writer thread's time, and that thread limits ingest.
class Disposal {
 public:
  void dispose(std::vector<Item>& items, std::vector<Analysis>& analyses) {
    if (thread_.joinable()) thread_.join();
    thread_ = std::jthread([old_items = std::move(items), old_analyses = std::move(analyses)] {});
    items = {};
    analyses = {};
  }

 private:
  std::jthread thread_;
};

}  // namespace

IngestStats ingest(Reader& reader, const Engine& engine, Store& store, const IngestOptions& options,
                   const SourcePosition* position, const std::function<void(const Reject&)>& on_reject,
                   const std::function<void(std::int64_t)>& on_progress) {
  // Without an id column, or where a row leaves it empty, Item::id is a line
  // number, which shifts when a file is edited. The item's content then
  // makes its key instead.
  const bool has_id = !reader.resolved_columns().id.empty();
  const std::size_t batch_items = std::max<std::size_t>(options.batch_items, 1);

  // The writer thread spends each transaction in Store::add, unable to take
  // analyzed items. Queues that hold a whole transaction let the analyzer
  // threads work on meanwhile, where the default bound blocked them within a
  // fraction of each transaction.
  PipelineOptions pipeline = options.pipeline;
  pipeline.queue_items = std::max(pipeline.queue_items, batch_items);

  IngestStats stats;
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  Disposal disposal;
  std::chrono::steady_clock::duration in_store{};
  std::chrono::nanoseconds store_cpu{};
  std::int64_t transactions = 0;
  const auto flush = [&](const SourcePosition* saved) {
    const auto started = std::chrono::steady_clock::now();
    const auto started_cpu = thread_cpu_time();
    const AddResult result = store.add(items, analyses, has_id, saved);
    in_store += std::chrono::steady_clock::now() - started;
    store_cpu += thread_cpu_time() - started_cpu;
    ++transactions;
    stats.added += result.added;
    stats.duplicates += result.duplicates;
    disposal.dispose(items, analyses);
  };

  const PipelineStats run = run_pipeline(
      reader, engine, pipeline,
      // Moved rather than copied, because copying and freeing twice showed in
      // the profile of this thread, which is the one that limits ingest.
      [&](Item& item, Analysis& analysis) {
        // Growing the vectors would move every item already in them.
        if (items.empty()) {
          items.reserve(batch_items);
          analyses.reserve(batch_items);
        }
        if (has_id && item.id_from_line) ++stats.without_id;
        items.push_back(std::move(item));
        analyses.push_back(std::move(analysis));
        if (items.size() >= batch_items) flush(nullptr);
      },
      on_reject ? on_reject : [](const Reject&) {}, on_progress ? on_progress : [](std::int64_t) {});

  // The position goes with the last transaction, so it never runs ahead of
  // the items: after a crash, the items past it are read again and the
  // keys keep them from being counted twice.
  if (!items.empty() || position != nullptr) flush(position);
  spdlog::debug("ingest: {} transactions took {:.2f} s in Store::add, {:.2f} s of it on the CPU", transactions,
                std::chrono::duration<double>(in_store).count(), std::chrono::duration<double>(store_cpu).count());
  stats.read = run.items;
  stats.rejected = run.rejected;
  stats.seconds = run.seconds;
  return stats;
}

}  // namespace shopsight::store

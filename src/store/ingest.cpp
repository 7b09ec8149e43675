// ingest(): the analyze pipeline feeding the store in transactions.

#include "store/internal.h"

namespace shopsight::store {

IngestStats ingest(Reader& reader, const Engine& engine, Store& store, const IngestOptions& options,
                   const SourcePosition* position, const std::function<void(const Reject&)>& on_reject,
                   const std::function<void(std::int64_t)>& on_progress) {
  // Without an id column, Item::id is a line number, which shifts when a
  // file is edited. The item's content then makes its key instead.
  const bool has_id = !reader.resolved_columns().id.empty();
  const std::size_t batch_items = std::max<std::size_t>(options.batch_items, 1);

  IngestStats stats;
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  const auto flush = [&](const SourcePosition* saved) {
    const AddResult result = store.add(items, analyses, has_id, saved);
    stats.added += result.added;
    stats.duplicates += result.duplicates;
    items.clear();
    analyses.clear();
  };

  const PipelineStats run = run_pipeline(
      reader, engine, options.pipeline,
      [&](const Item& item, const Analysis& analysis) {
        items.push_back(item);
        analyses.push_back(analysis);
        if (items.size() >= batch_items) flush(nullptr);
      },
      on_reject ? on_reject : [](const Reject&) {}, on_progress ? on_progress : [](std::int64_t) {});

  // The position goes with the last transaction, so it never runs ahead of
  // the items: after a crash, the items past it are read again and the
  // keys keep them from being counted twice.
  if (!items.empty() || position != nullptr) flush(position);
  stats.read = run.items;
  stats.rejected = run.rejected;
  stats.seconds = run.seconds;
  return stats;
}

}  // namespace shopsight::store

// `shopsight topics`: groups reviews into topics and names them by keywords.
// The reviews come from a file, or with --db from a store, which then keeps
// the result for GET /api/v1/topics.

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "store/store.h"
#include "topics/topics.h"

namespace shopsight::cli {
namespace {

constexpr std::int64_t kMillisecondsPerDay = 86'400'000;

struct TopicsArguments {
  std::string input;
  std::string db;
  std::string from;
  std::string to;
  std::int64_t limit = 10000;
  std::string output;
  std::string assignments;
  std::string embedding_cache;
  TopicOptions options;
  ReaderOptions reader;
};

/// Items of one source and the count of rows that could not be read.
struct TopicRows {
  std::vector<TopicItem> items;
  std::int64_t rejected = 0;
};

TopicRows read_items(const std::string& path, ReaderOptions options) {
  options.path = path;
  auto reader = Reader::open(options);
  spdlog::info("{}", tr("reading {} ({})", path, reader->encoding()));
  TopicRows rows;
  Item item;
  Reject reject;
  Progress progress(tr("reading {}", path), 0);
  long long read = 0;
  for (ReadStatus status = reader->next(item, reject); status != ReadStatus::end; status = reader->next(item, reject)) {
    progress.update(++read);
    if (status == ReadStatus::rejected) {
      ++rows.rejected;
      warn_skipped(reject);
      continue;
    }
    rows.items.push_back({item.id, item.time, std::move(item.text)});
  }
  progress.finish();
  return rows;
}

// The newest `limit` stored items in [from, to), oldest first, with their
// masked texts. Items without a source id are named "row:N" by their row.
std::vector<TopicItem> read_store_items(const store::Store& store, const TopicsArguments& args,
                                        const TimeRangeOptions& range) {
  store::ItemQuery query;
  query.from = range.from;
  query.to = range.to;
  query.limit = args.limit;
  std::vector<store::StoredItem> stored = store.items(query);
  std::vector<TopicItem> items;
  items.reserve(stored.size());
  for (auto it = stored.rbegin(); it != stored.rend(); ++it) {
    std::string id = it->id.empty() ? "row:" + std::to_string(it->row) : it->id;
    items.push_back({std::move(id), it->time, std::move(it->analysis.masked_text)});
  }
  return items;
}

std::string iso_time(std::int64_t milliseconds) {
  const auto seconds = static_cast<std::time_t>(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000);
  const auto remainder = milliseconds - static_cast<std::int64_t>(seconds) * 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(seconds), remainder);
}

// The JSON document of a topic run kept in the store: topics_to_json plus
// when it was computed and the time range of the items it grouped.
nlohmann::json topic_run_document(const TopicResult& result, const std::vector<TopicItem>& items,
                                  std::int64_t computed_at, std::int64_t limit) {
  nlohmann::json document = topics_to_json(result, items);
  const std::int64_t from = *items.front().time;
  const std::int64_t to = *items.back().time + 1;
  document["computed_at"] = iso_time(computed_at);
  document["computed_at_ms"] = computed_at;
  document["from"] = iso_time(from);
  document["from_ms"] = from;
  document["to"] = iso_time(to);
  document["to_ms"] = to;
  document["limit"] = limit;
  return document;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(tr("cannot write {}: check that the folder exists and is writable", path));
  out << content;
  out.close();
  if (!out) throw Error(tr("cannot write {}: the disk may be full", path));
}

// Sets the time zone whose days the topic timeline counts. With --db these
// are the store's day buckets, so that topic counts line up with the series
// that the store and the API show. For a file they are the days of
// --timezone, the zone its times without an offset are read in, with
// daylight saving time as the report of `analyze` counts it.
void set_timeline_days(TopicOptions& options, const store::Store* item_store, const ReaderOptions& reader) {
  if (item_store != nullptr) {
    const std::int64_t offset = item_store->bucket_offset();
    options.timezone = item_store->bucket_timezone();
    options.local_day = [offset](std::int64_t time) {
      return (store::bucket_start(time, store::Granularity::day, offset) + offset) / kMillisecondsPerDay;
    };
    return;
  }
  const std::string zone = reader.timezone;
  options.timezone = zone;
  options.local_day = [zone](std::int64_t time) {
    const std::int64_t local = time + utc_offset_at(time, zone);
    return local / kMillisecondsPerDay - (local % kMillisecondsPerDay < 0 ? 1 : 0);
  };
}

std::int64_t now_milliseconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

void run_topics(TopicsArguments& args) {
  if (args.input.empty() == args.db.empty()) throw Error(tr("name either an input file or a store with --db"));
  check_outputs_differ_from_inputs({args.input, args.db},
                                   {{"--output", args.output}, {"--assignments", args.assignments}});
  const TimeRangeOptions range = parse_time_range(args.from, args.to);
  std::unique_ptr<store::Store> item_store;
  TopicRows rows;
  if (!args.db.empty()) {
    store::StoreOptions options;
    options.path = args.db;
    item_store = std::make_unique<store::Store>(options);
    rows.items = read_store_items(*item_store, args, range);
    if (rows.items.empty()) throw Error(tr("the store {} has no items in the time range", args.db));
    spdlog::info("{}", tr("grouping {} items of the store {}", rows.items.size(), args.db));
  } else {
    rows = read_items(args.input, args.reader);
    if (rows.items.empty()) throw Error(tr("no reviews in {}; name the text column with --text", args.input));
  }

  // One progress display per step; a new step closes the previous one.
  std::unique_ptr<Progress> progress;
  std::string current_step;
  args.options.embedding_cache = args.embedding_cache == "none" ? std::string() : args.embedding_cache;
  args.options.progress = [&](const std::string& step, long long done, long long total) {
    if (step != current_step) {
      if (progress) progress->finish();
      progress = std::make_unique<Progress>(step, total);
      current_step = step;
    }
    progress->update(done);
  };
  set_timeline_days(args.options, item_store.get(), args.reader);
  const TopicResult result = discover_topics(rows.items, args.options);
  if (progress) progress->finish();

  std::cout << format_topics(result, rows.items);
  if (!args.output.empty()) {
    write_file(args.output, topics_to_json(result, rows.items).dump(2) + "\n");
    spdlog::info("{}", tr("topics written to {}", args.output));
  }
  if (!args.assignments.empty()) {
    std::string lines;
    for (std::size_t i = 0; i < rows.items.size(); ++i) {
      const nlohmann::json line = {{"id", rows.items[i].id}, {"topic", result.assignment[i]}};
      lines += line.dump() + "\n";
    }
    write_file(args.assignments, lines);
    spdlog::info("{}", tr("topic of each review written to {}", args.assignments));
  }
  if (item_store) {
    const std::int64_t computed_at = now_milliseconds();
    const nlohmann::json document = topic_run_document(result, rows.items, computed_at, args.limit);
    const std::int64_t run = item_store->save_topics(
        document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), computed_at);
    spdlog::info("{}", tr("topics saved in the store {} as run {}", args.db, run));
  }
  if (rows.rejected > 0) set_exit_status(kExitRowsRejected);
}

}  // namespace

void add_topics_command(CLI::App& app) {
  auto args = std::make_shared<TopicsArguments>();
  CLI::App* command = app.add_subcommand(
      "topics", tr("group reviews into topics and name each topic by its most distinctive words"));
  CLI::Option* input =
      command->add_option("input", args->input, tr("input file (CSV, TSV or JSON Lines), or - for standard input"));
  CLI::Option* db = command->add_option(
      "--db", args->db, tr("group the items of this store instead of a file, and save the topics in it"));
  db->check(CLI::ExistingFile)->excludes(input);
  command->add_option("--from", args->from, tr("with --db: only items from this time on (ISO 8601 or a date)"))
      ->needs(db);
  command->add_option("--to", args->to, tr("with --db: only items before this time (ISO 8601 or a date)"))
      ->needs(db);
  command->add_option("--limit", args->limit, tr("with --db: the newest items grouped, at most"))
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}))
      ->capture_default_str()
      ->needs(db);

  command->add_option("--embedding-model", args->options.embedding_model,
                      tr("GGUF embedding model for the review vectors (default: TF-IDF of the words)"));
  command->add_option("--embedding-cache", args->embedding_cache,
                      tr("SQLite file that keeps embeddings between runs (default: none)"));
  command->add_option("--min-topic-size", args->options.min_topic_size,
                      tr("smallest topic, in reviews; reviews of smaller clusters are listed as noise"))
      ->check(CLI::Range(2, 1000000))
      ->capture_default_str();
  command->add_option("--max-topics", args->options.max_topics,
                      tr("most topics to report, largest first; the reviews of the rest are listed as noise"))
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->add_option("--neighbours", args->options.neighbours,
                      tr("neighbours per review in the similarity graph (0: from the review count, 5 to 20)"))
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  // CLI::Range lets NaN through, because every comparison with NaN is false.
  const CLI::Validator unit_interval(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !(value >= 0.0 && value <= 1.0)) {
          return tr("{} is not a number from 0 to 1", text);
        }
        return "";
      },
      "[0 - 1]");
  command->add_option("--min-similarity", args->options.min_similarity,
                      tr("smallest cosine similarity that links two reviews, 0 to 1 (default: for TF-IDF the "
                         "lowest of 0.1, 0.15, ... 0.3 at which no topic takes half the reviews; 0 for embeddings)"))
      ->check(unit_interval);
  command->add_option("--keywords", args->options.keywords, tr("keywords per topic"))
      ->check(CLI::Range(1, 100))
      ->capture_default_str();

  command->add_option("-o,--output", args->output, tr("JSON file to write the topics to"));
  command->add_option("--assignments", args->assignments,
                      tr("JSON Lines file to write each review's topic to (-1 for noise)"));
  command->add_option("--threads", args->options.threads, tr("threads (0: every core)"))
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  add_input_options(*command, args->reader);
  command->callback([args] { run_topics(*args); });
}

}  // namespace shopsight::cli

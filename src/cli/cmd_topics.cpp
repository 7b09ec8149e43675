// `shopsight topics`: groups reviews into topics and names them by keywords.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "topics/topics.h"

namespace shopsight::cli {
namespace {

struct TopicsArguments {
  std::string input;
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
      spdlog::warn("{}", tr("{}:{}: row skipped: {}", reject.source, reject.line, reject.reason));
      continue;
    }
    rows.items.push_back({item.id, item.time, std::move(item.text)});
  }
  progress.finish();
  return rows;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(tr("cannot write {}: check that the folder exists and is writable", path));
  out << content;
  out.close();
  if (!out) throw Error(tr("cannot write {}: the disk may be full", path));
}

void run_topics(TopicsArguments& args) {
  const TopicRows rows = read_items(args.input, args.reader);
  if (rows.items.empty()) throw Error(tr("no reviews in {}; name the text column with --text", args.input));

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
  if (rows.rejected > 0) set_exit_status(kExitRowsRejected);
}

}  // namespace

void add_topics_command(CLI::App& app) {
  auto args = std::make_shared<TopicsArguments>();
  CLI::App* command = app.add_subcommand(
      "topics", tr("group reviews into topics and name each topic by its most distinctive words"));
  command->add_option("input", args->input, tr("input file (CSV, TSV or JSON Lines), or - for standard input"))
      ->required();

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
  command->add_option("--min-similarity", args->options.min_similarity,
                      tr("smallest cosine similarity that links two reviews (default: 0.1 for TF-IDF, 0 for "
                         "embeddings)"));
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

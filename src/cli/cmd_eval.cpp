// `shopsight eval`: measures a text classifier on labelled rows.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "model/model.h"

namespace shopsight::cli {

/// Labelled rows read from one or more sources, with the counts of rows left out.
struct LabelledRows {
  std::vector<Example> examples;
  std::int64_t without_label = 0;
  std::int64_t rejected = 0;
};

LabelledRows read_labelled_rows(const std::vector<std::string>& paths, const ReaderOptions& options, int threads,
                                const std::vector<std::string>& text_columns) {
  LabelledRows rows;
  std::vector<std::string> texts;
  Item item;
  Reject reject;
  for (std::size_t source = 0; source < paths.size(); ++source) {
    const std::string& path = paths[source];
    ReaderOptions reader_options = options;
    reader_options.path = path;
    if (source < text_columns.size() && !text_columns[source].empty()) reader_options.columns.text = text_columns[source];
    auto reader = Reader::open(reader_options);
    spdlog::info("{}", tr("reading {} ({})", path, reader->encoding()));
    Progress progress(tr("reading {}", path), 0);
    long long read = 0;
    for (ReadStatus status = reader->next(item, reject); status != ReadStatus::end;
         status = reader->next(item, reject)) {
      progress.update(++read);
      if (status == ReadStatus::rejected) {
        ++rows.rejected;
        warn_skipped(reject);
        continue;
      }
      if (item.label.empty()) {
        ++rows.without_label;
        continue;
      }
      Example example;
      example.label = item.label;
      example.category = item.category;
      rows.examples.push_back(std::move(example));
      texts.push_back(std::move(item.text));
    }
    progress.finish();
  }

  // Normalization and segmentation dominate the reading time, so they run
  // on every thread; the normalizer is shared, as it is thread-safe.
  const Normalizer normalizer;
  Progress progress(tr("normalizing"), static_cast<long long>(texts.size()));
  std::atomic<long long> done{0};
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  std::vector<std::thread> pool;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    pool.emplace_back([&, worker] {
      for (std::size_t i = worker; i < texts.size(); i += workers) {
        rows.examples[i].document = make_document(normalizer, texts[i]);
        ++done;
      }
    });
  }
  while (done.load() < static_cast<long long>(texts.size())) {
    progress.update(done.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (std::thread& thread : pool) thread.join();
  progress.finish();
  return rows;
}

namespace {

// Joins at most `limit` values with commas, and "..." when there are more.
std::string list_of(const std::vector<std::string>& values, std::size_t limit) {
  std::string list;
  for (std::size_t i = 0; i < values.size() && i < limit; ++i) list += (i == 0 ? "" : ", ") + values[i];
  if (values.size() > limit) list += ", ...";
  return list;
}

// A gold label that the model does not have always counts as wrong, so the
// figures mean little: for example data labelled 0/1 for a model of
// negative/positive, or star ratings for a sentiment model.
void warn_when_labels_differ(const std::vector<std::string>& gold, const std::vector<std::string>& model_labels) {
  const std::set<std::string> known(model_labels.begin(), model_labels.end());
  std::set<std::string> missing;
  std::size_t rows_missing = 0;
  for (const std::string& label : gold) {
    if (known.contains(label)) continue;
    missing.insert(label);
    ++rows_missing;
  }
  if (missing.empty()) return;

  const std::string data_list = list_of({missing.begin(), missing.end()}, 10);
  const std::string model_list = list_of(model_labels, 10);
  if (rows_missing == gold.size()) {
    spdlog::warn("{}", tr("none of the data's labels ({}) is among the model's labels ({}), so every prediction "
                          "counts as wrong; map them with --label-names, e.g. --label-names 0=negative,1=positive",
                          data_list, model_list));
    return;
  }
  spdlog::warn("{}", tr("{} of {} rows have labels that the model does not have ({}); the model's labels are {}. "
                        "Those rows count as wrong; check --label and --label-names",
                        rows_missing, gold.size(), data_list, model_list));
}

struct EvalArguments {
  std::string model = default_model_dir() + "/sentiment.ssm";
  std::string embedding_model;
  std::string embedding_cache;
  std::string label_names;
  std::vector<std::string> data;
  std::string output_format = "text";
  int threads = 0;
  ReaderOptions reader;
};

nlohmann::json to_json(const EvalReport& report, std::int64_t without_label, std::int64_t rejected) {
  nlohmann::json out = {{"count", report.count},
                        {"rows_without_label", without_label},
                        {"rows_rejected", rejected},
                        {"accuracy", report.accuracy},
                        {"macro_f1", report.macro_f1},
                        {"confusion_labels", report.confusion_labels},
                        {"confusion", report.confusion}};
  nlohmann::json labels = nlohmann::json::array();
  for (const LabelMetrics& metrics : report.labels) {
    labels.push_back({{"label", metrics.label},
                      {"precision", metrics.precision},
                      {"recall", metrics.recall},
                      {"f1", metrics.f1},
                      {"support", metrics.support}});
  }
  out["labels"] = std::move(labels);
  nlohmann::json categories = nlohmann::json::object();
  for (const auto& [category, figures] : report.category_accuracy) {
    categories[category] = {{"count", figures.first}, {"accuracy", figures.second}};
  }
  out["category_accuracy"] = std::move(categories);
  return out;
}

void print_text(const EvalReport& report, std::int64_t without_label, std::int64_t rejected) {
  std::cout << tr("Rows evaluated: {} ({} without a label skipped, {} rejected)", report.count, without_label,
                  rejected)
            << '\n';
  std::cout << tr("Accuracy: {:.4f}", report.accuracy) << '\n';
  std::cout << tr("Macro-F1: {:.4f}", report.macro_f1) << "\n\n";

  std::cout << "  " << utf8::pad_right(tr("label"), 16) << ' ' << utf8::pad_left(tr("precision"), 9) << ' '
            << utf8::pad_left(tr("recall"), 9) << ' ' << utf8::pad_left("F1", 9) << ' '
            << utf8::pad_left(tr("support"), 9) << '\n';
  for (const LabelMetrics& metrics : report.labels) {
    std::cout << "  " << utf8::pad_right(metrics.label, 16)
              << fmt::format(" {:>9.4f} {:>9.4f} {:>9.4f} {:>9}\n", metrics.precision, metrics.recall, metrics.f1,
                             metrics.support);
  }

  std::cout << '\n' << tr("Confusion matrix (rows: gold, columns: predicted)") << '\n';
  std::cout << "  " << utf8::pad_right("", 16);
  for (const std::string& label : report.confusion_labels) std::cout << ' ' << utf8::pad_left(label, 10);
  std::cout << '\n';
  for (std::size_t row = 0; row < report.confusion.size(); ++row) {
    std::cout << "  " << utf8::pad_right(report.confusion_labels[row], 16);
    for (std::int64_t count : report.confusion[row]) std::cout << fmt::format(" {:>10}", count);
    std::cout << '\n';
  }

  if (!report.category_accuracy.empty()) {
    std::cout << '\n' << tr("Accuracy per category") << '\n';
    for (const auto& [category, figures] : report.category_accuracy) {
      std::cout << "  " << utf8::pad_right(category, 16)
                << fmt::format(" {:>8} {:>9.4f}\n", figures.first, figures.second);
    }
  }
}

// --embedding-model and --embedding-cache serve a head only; any other model
// would ignore them and hide the mistake.
void check_head_options(const EvalArguments& args) {
  const std::string option = !args.embedding_model.empty()   ? "--embedding-model"
                             : !args.embedding_cache.empty() ? "--embedding-cache"
                                                             : "";
  if (option.empty() || detect_classifier_kind(args.model) == ClassifierKind::embedding_head) return;
  throw CLI::ValidationError(tr("{} only applies to a head written by `shopsight train --embedding-model`, and "
                                "{} is not one; leave {} out",
                                option, args.model, option));
}

void run_eval(const EvalArguments& args) {
  check_head_options(args);
  ClassifierOptions options;
  options.threads = args.threads;
  options.embedding_model = args.embedding_model;
  options.embedding_cache = args.embedding_cache;
  const std::unique_ptr<Classifier> classifier = open_classifier(args.model, options);
  const int threads =
      args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const LabelledRows rows = read_labelled_rows(args.data, args.reader, threads, {});

  // Batches let the GGUF kinds run many texts per llama.cpp call and keep the progress bar moving.
  constexpr std::size_t kBatch = 256;
  std::vector<std::string> predicted;
  Progress progress(tr("predicting"), static_cast<long long>(rows.examples.size()));
  for (std::size_t start = 0; start < rows.examples.size(); start += kBatch) {
    const std::size_t end = std::min(rows.examples.size(), start + kBatch);
    std::vector<const Document*> documents;
    for (std::size_t i = start; i < end; ++i) documents.push_back(&rows.examples[i].document);
    for (const Prediction& prediction : classifier->predict(documents)) predicted.push_back(prediction.label);
    progress.update(static_cast<long long>(end));
  }
  progress.finish();

  std::vector<std::string> gold;
  std::vector<std::string> categories;
  bool has_categories = false;
  const std::map<std::string, std::string> renamed = parse_label_names(args.label_names);
  for (const Example& example : rows.examples) {
    const auto name = renamed.find(example.label);
    gold.push_back(name != renamed.end() ? name->second : classifier->display_label(example.label));
    categories.push_back(example.category);
    has_categories = has_categories || !example.category.empty();
  }
  if (!has_categories) categories.clear();
  warn_when_labels_differ(gold, classifier->labels());
  const EvalReport report = evaluate(gold, predicted, categories);

  if (args.output_format == "json") {
    std::cout << to_json(report, rows.without_label, rows.rejected).dump(2) << '\n';
  } else {
    print_text(report, rows.without_label, rows.rejected);
  }
  if (rows.rejected > 0) set_exit_status(kExitRowsRejected);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArguments>();
  CLI::App* command = app.add_subcommand("eval", tr("measure a text classifier on labelled rows"));
  command->add_option("--model", args->model,
                      tr("classifier file: a model or head written by `shopsight train`, or a GGUF classifier"))
      ->capture_default_str();
  command->add_option("--label-names", args->label_names,
                      tr("names of the data's labels in the model's terms, e.g. 0=negative,1=positive "
                         "(default: the labels as written)"));
  command->add_option("--embedding-model", args->embedding_model,
                      tr("GGUF embedding model of a head, when it has moved from the path stored in the head"));
  command->add_option("--embedding-cache", args->embedding_cache,
                      tr("SQLite file that keeps the embeddings of a head between runs (default: none)"));
  command->add_option("--data", args->data, tr("labelled file; repeat it to evaluate on several files"))->required();
  // --format already names the input format, shared with every command that reads rows.
  command->add_option("--format,--output-format", args->output_format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--threads", args->threads, tr("threads for reading and feature extraction (0: every core)"))
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_input_options(*command, args->reader);
  command->callback([args] { run_eval(*args); });
}

}  // namespace shopsight::cli

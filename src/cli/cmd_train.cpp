// `shopsight train`: reads labelled rows, trains the default text
// classifier and writes its model file.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "model/model.h"

namespace shopsight::cli {

/// Labelled rows read from one or more sources, with the counts of rows left out.
struct LabelledRows {
  std::vector<Example> examples;
  std::int64_t without_label = 0;
  std::int64_t rejected = 0;
};

/// Reads every source, skips rows without a label and turns the text into
/// documents on `threads` threads. `text_columns[i]`, when given and not
/// empty, replaces the text column of source i. Defined in cmd_eval.cpp.
LabelledRows read_labelled_rows(const std::vector<std::string>& paths, const ReaderOptions& options, int threads,
                                const std::vector<std::string>& text_columns);

namespace {

struct TrainArguments {
  std::vector<std::string> data;
  std::vector<std::string> dev;
  std::vector<std::string> data_text;
  std::string out;
  std::string label_names;
  double c = 0;
  int threads = 0;
  int hash_bits = TrainOptions{}.hash_bits;
  std::string embedding_model;
  std::string embedding_cache;
  std::string head = "logistic";
  ReaderOptions reader;
};

std::string join(const std::vector<std::string>& values, const std::string& separator) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += separator;
    out += value;
  }
  return out;
}

// The command line as the user could type it again, stored in the model
// so that its origin is reproducible.
std::string describe_command(const TrainArguments& args) {
  std::string command = "shopsight train";
  for (const std::string& path : args.data) command += " --data " + path;
  for (const std::string& columns : args.data_text) command += " --data-text " + columns;
  for (const std::string& path : args.dev) command += " --dev " + path;
  if (!args.reader.columns.text.empty()) command += " --text " + args.reader.columns.text;
  if (!args.reader.columns.label.empty()) command += " --label " + args.reader.columns.label;
  if (!args.label_names.empty()) command += " --label-names " + args.label_names;
  if (args.c > 0) command += fmt::format(" --c {}", args.c);
  if (args.hash_bits != TrainOptions{}.hash_bits) command += fmt::format(" --hash-bits {}", args.hash_bits);
  if (!args.embedding_model.empty()) command += " --embedding-model " + args.embedding_model + " --head " + args.head;
  command += " --out " + args.out;
  return command;
}

// Figures measured on 0 dev rows would read as perfect or as worthless.
std::string dev_figure(const std::string& dev_rows, const std::string& figure) {
  return dev_rows == "0" ? tr("n/a") : figure;
}

// Prints the figures of the calibrated model. For two labels, calibration
// moves the decision threshold, so the C search's macro-F1 in the log may
// differ for the chosen C.
void print_figures(const TextClassifier& classifier) {
  const auto& metadata = classifier.metadata();
  const auto value = [&](const std::string& key) {
    const auto found = metadata.find(key);
    return found == metadata.end() ? std::string("-") : found->second;
  };
  std::cout << tr("Dev figures after calibration (dev rows from: {})",
                  dev_source_text(value(classifier.parts().front() + ".dev_source")))
            << '\n';
  std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}\n", tr("part"), tr("train"), tr("dev"),
                           "C", tr("accuracy"), tr("macro-F1"), "ECE", "Brier");
  for (const std::string& part : classifier.parts()) {
    const std::string prefix = part + ".";
    const std::string dev_rows = value(prefix + "dev_rows");
    std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}\n", part,
                             value(prefix + "train_rows"), dev_rows, value(prefix + "c"),
                             dev_figure(dev_rows, value(prefix + "dev_accuracy")),
                             dev_figure(dev_rows, value(prefix + "dev_macro_f1")),
                             dev_figure(dev_rows, value(prefix + "dev_ece")),
                             dev_figure(dev_rows, value(prefix + "dev_brier")));
  }
}

// Embeds the documents of `rows` through the cache, with a progress bar.
std::vector<std::vector<float>> embed_rows(CachedEmbedder& embedder, const LabelledRows& rows,
                                           const std::string& label) {
  std::vector<std::string> texts;
  texts.reserve(rows.examples.size());
  for (const Example& example : rows.examples) texts.push_back(embedding_text(example.document));
  Progress progress(label, static_cast<long long>(texts.size()));
  std::vector<std::vector<float>> vectors =
      embedder.embed(texts, [&](long long done, long long) { progress.update(done); });
  progress.finish();
  return vectors;
}

// A classifier needs at least two labels to tell apart.
void check_labels(const LabelledRows& train) {
  std::set<std::string> labels;
  for (const Example& example : train.examples) labels.insert(example.label);
  if (labels.size() == 1) {
    throw Error(tr("every training row has the label {}, and a classifier needs at least two labels; check --label "
                   "and the data",
                   *labels.begin()));
  }
}

void warn_without_dev_rows(const std::string& dev_rows) {
  if (dev_rows != "0") return;
  spdlog::warn("{}", tr("no dev rows: the data is too small to hold rows out, so C was not chosen on held-out "
                        "rows and there are no dev figures; give --dev FILE or more rows"));
}

std::vector<std::string> labels_of(const LabelledRows& rows) {
  std::vector<std::string> labels;
  for (const Example& example : rows.examples) labels.push_back(example.label);
  return labels;
}

// Share of `vectors` that the head labels as `gold`, with gold labels mapped to display names.
double accuracy_of(const EmbeddingHead& head, const std::vector<std::vector<float>>& vectors,
                   const std::vector<std::string>& gold) {
  std::size_t correct = 0;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    correct += head.predict(vectors[i]).label == head.display_label(gold[i]) ? 1 : 0;
  }
  return vectors.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(vectors.size());
}

// The cache sits beside the head by default, so heads trained into one folder share it.
std::string default_cache_path(const std::string& out) {
  const std::filesystem::path folder = std::filesystem::absolute(out).parent_path();
  return (folder / "shopsight-embeddings.sqlite").string();
}

void run_train_head(const TrainArguments& args, const LabelledRows& train, const LabelledRows& dev, int threads) {
  const std::string cache = args.embedding_cache.empty() ? default_cache_path(args.out) : args.embedding_cache;
  const std::string cache_shown = cache == "none" ? std::string() : cache;
  CachedEmbedder embedder(args.embedding_model, cache_shown, threads);
  spdlog::info("{}", tr("embedding model {} ({} values per text); cache {}", args.embedding_model,
                        embedder.dimension(), cache_shown.empty() ? tr("off") : cache_shown));

  const std::vector<std::vector<float>> train_vectors = embed_rows(embedder, train, tr("embedding"));
  const std::vector<std::vector<float>> dev_vectors = embed_rows(embedder, dev, tr("embedding dev rows"));
  spdlog::info("{}", tr("{} embeddings computed, {} read from the cache", embedder.computed(), embedder.cached()));

  HeadTrainOptions options;
  options.kind = args.head;
  options.regularization = args.c;
  options.label_names = parse_label_names(args.label_names);
  Progress progress(tr("training"), 1000);
  options.progress = [&](int done, int total) {
    progress.update(static_cast<long long>(done) * 1000 / std::max(total, 1));
  };
  EmbeddingHead head =
      EmbeddingHead::train(train_vectors, labels_of(train), dev_vectors, labels_of(dev), options);
  progress.finish();

  const double train_accuracy = accuracy_of(head, train_vectors, labels_of(train));
  head.set_embedding_model(args.embedding_model, embedder.fingerprint());
  head.set_metadata("command", describe_command(args));
  head.set_metadata("training_data", join(args.data, ", "));
  head.set_metadata("train_accuracy", fmt::format("{:.4f}", train_accuracy));
  if (!args.dev.empty()) head.set_metadata("dev_data", join(args.dev, ", "));
  head.save(args.out);
  spdlog::info("{}", tr("head written to {}", args.out));
  const auto dev_rows = head.metadata().find("dev_rows");
  if (dev_rows != head.metadata().end()) warn_without_dev_rows(dev_rows->second);

  const auto value = [&](const std::string& key) {
    const auto found = head.metadata().find(key);
    return found == head.metadata().end() ? std::string("-") : found->second;
  };
  std::cout << tr("Head figures (dev rows from: {})", dev_source_text(value("dev_source"))) << '\n';
  std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>9}\n", tr("head"), tr("train"), tr("dev"), "C",
                           tr("macro-F1"), tr("train accuracy"));
  std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>9.4f}\n", head.kind(), value("train_rows"),
                           value("dev_rows"), value("c"), dev_figure(value("dev_rows"), value("dev_macro_f1")),
                           train_accuracy);
}

void run_train(const TrainArguments& args) {
  std::vector<std::string> inputs = args.data;
  inputs.insert(inputs.end(), args.dev.begin(), args.dev.end());
  check_outputs_differ_from_inputs(inputs, {{"--out", args.out}});
  TrainOptions options;
  options.regularization = args.c;
  options.threads = args.threads;
  options.hash_bits = args.hash_bits;
  options.label_names = parse_label_names(args.label_names);

  const int threads =
      args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args.data_text.size() > args.data.size()) {
    throw Error(tr("--data-text is given {} times but --data only {} times; give at most one per --data file",
                   args.data_text.size(), args.data.size()));
  }
  LabelledRows train = read_labelled_rows(args.data, args.reader, threads, args.data_text);
  LabelledRows dev;
  if (!args.dev.empty()) dev = read_labelled_rows(args.dev, args.reader, threads, {});
  if (train.examples.empty()) {
    throw Error(tr("no labelled rows in {}; name the label column with --label", join(args.data, ", ")));
  }
  spdlog::info("{}", tr("{} training rows, {} dev rows; {} rows without a label skipped", train.examples.size(),
                        dev.examples.size(), train.without_label + dev.without_label));
  check_labels(train);

  if (!args.embedding_model.empty()) {
    run_train_head(args, train, dev, threads);
    if (train.rejected + dev.rejected > 0) set_exit_status(kExitRowsRejected);
    return;
  }

  Progress progress(tr("training"), 1000);
  options.progress = [&](int done, int total) {
    progress.update(static_cast<long long>(done) * 1000 / std::max(total, 1));
  };
  TextClassifier classifier = TextClassifier::train(train.examples, dev.examples, options);
  progress.finish();

  classifier.set_metadata("command", describe_command(args));
  classifier.set_metadata("training_data", join(args.data, ", "));
  if (!args.dev.empty()) classifier.set_metadata("dev_data", join(args.dev, ", "));
  classifier.save(args.out);
  spdlog::info("{}", tr("model written to {}", args.out));
  const auto dev_rows = classifier.metadata().find(classifier.parts().front() + ".dev_rows");
  if (dev_rows != classifier.metadata().end()) warn_without_dev_rows(dev_rows->second);
  print_figures(classifier);

  if (train.rejected + dev.rejected > 0) set_exit_status(kExitRowsRejected);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArguments>();
  CLI::App* command =
      app.add_subcommand("train", tr("train the text classifier (sentiment or any label set) on labelled rows"));
  command->add_option("--data", args->data, tr("training file; repeat it to train on several files"))->required();
  command->add_option("--data-text", args->data_text,
                      tr("text columns of the matching --data file, e.g. title+review, when the files differ "
                         "(default: --text)"));
  command->add_option("--out", args->out, tr("model file to write"))->required();
  command->add_option("--dev", args->dev,
                      tr("dev file for early stopping and calibration (default: a seeded, stratified 10% of "
                         "the training rows)"));
  command->add_option("--label-names", args->label_names,
                      tr("display names of the labels, e.g. 0=negative,1=positive (default: the labels as "
                         "written)"));
  command->add_option("--c", args->c,
                      tr("LIBLINEAR regularization C, larger fits the training rows more closely (default: 0, "
                         "which searches C on the dev rows)"))
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--threads", args->threads, tr("threads for reading and feature extraction (0: every core)"))
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--hash-bits", args->hash_bits,
                      tr("log2 of the number of feature hash buckets; more buckets mean fewer collisions and "
                         "a larger model file"))
      ->check(CLI::Range(8, 26))
      ->capture_default_str();
  CLI::Option* embedding_model =
      command->add_option("--embedding-model", args->embedding_model,
                          tr("GGUF embedding model: train a head on its frozen embeddings instead of the default "
                             "classifier"));
  // Both mean nothing without an embedding model, and a silent default
  // classifier would hide the mistake.
  command->add_option("--embedding-cache", args->embedding_cache,
                      tr("SQLite file that keeps embeddings between runs, or none (default: "
                         "shopsight-embeddings.sqlite beside --out)"))
      ->needs(embedding_model);
  command->add_option("--head", args->head,
                      tr("head on the embeddings: logistic (LIBLINEAR logistic regression) or mlp (one hidden "
                         "layer)"))
      ->check(CLI::IsMember({"logistic", "mlp"}))
      ->capture_default_str()
      ->needs(embedding_model);
  add_input_options(*command, args->reader);
  command->callback([args] { run_train(*args); });
}

}  // namespace shopsight::cli

// `shopsight train`: reads labelled rows, trains the default text
// classifier and writes its model file.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
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
  ReaderOptions reader;
};

std::map<std::string, std::string> parse_label_names(const std::string& text) {
  std::map<std::string, std::string> names;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string pair = text.substr(start, comma - start);
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size()) {
      throw Error(tr("invalid --label-names entry '{}': write LABEL=NAME pairs separated by commas, "
                     "e.g. 0=negative,1=positive",
                     pair));
    }
    names[pair.substr(0, equals)] = pair.substr(equals + 1);
    start = comma + 1;
  }
  return names;
}

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
  command += " --out " + args.out;
  return command;
}

void print_figures(const TextClassifier& classifier) {
  const auto& metadata = classifier.metadata();
  const auto value = [&](const std::string& key) {
    const auto found = metadata.find(key);
    return found == metadata.end() ? std::string("-") : found->second;
  };
  std::cout << tr("Dev figures (dev rows from: {})", value(classifier.parts().front() + ".dev_source")) << '\n';
  std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}\n", tr("part"), tr("train"), tr("dev"),
                           "C", tr("accuracy"), tr("macro-F1"), "ECE", "Brier");
  for (const std::string& part : classifier.parts()) {
    const std::string prefix = part + ".";
    std::cout << fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}\n", part,
                             value(prefix + "train_rows"), value(prefix + "dev_rows"), value(prefix + "c"),
                             value(prefix + "dev_accuracy"), value(prefix + "dev_macro_f1"),
                             value(prefix + "dev_ece"), value(prefix + "dev_brier"));
  }
}

void run_train(const TrainArguments& args) {
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
  add_input_options(*command, args->reader);
  command->callback([args] { run_train(*args); });
}

}  // namespace shopsight::cli

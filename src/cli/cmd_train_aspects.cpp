// `shopsight train-aspects`: trains the learned aspect extractors from
// annotated data and writes them into a model folder.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include "analyze/aspect_eval.h"
#include "analyze/aspect_lexicon.h"
#include "analyze/aspect_model.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::cli {
namespace {

struct TrainAspectsArguments {
  std::string zh_reviews;
  std::string zh_labels;
  std::string semeval;
  bool holdout_fifth = false;
  std::string output_dir;
  std::string lexicon;
  int epochs = AspectTrainOptions{}.epochs;
};

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &utc);
  return buffer;
}

void train_and_save(const std::string& language, const std::vector<AspectReview>& reviews, const std::string& source,
                    const TrainAspectsArguments& arguments, const AspectLexicon& lexicon,
                    const Normalizer& normalizer) {
  spdlog::info("training the {} aspect model on {} texts from {}", language, reviews.size(), source);
  const auto started = std::chrono::steady_clock::now();
  AspectTrainOptions options;
  options.epochs = arguments.epochs;
  LearnedAspectModel model =
      LearnedAspectModel::train(language, make_training_examples(normalizer, reviews), lexicon, options);
  model.set_metadata("training_data", std::filesystem::path(source).filename().string());
  model.set_metadata("training_texts", std::to_string(reviews.size()));
  model.set_metadata("epochs", std::to_string(arguments.epochs));
  model.set_metadata("trained_on", today());

  const std::string path = aspect_model_path(arguments.output_dir, language);
  model.save(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("wrote {} in {:.1f} s", path, seconds);
}

void run(const TrainAspectsArguments& arguments) {
  if (arguments.zh_reviews.empty() != arguments.zh_labels.empty()) {
    throw Error(tr("--zh-reviews and --zh-labels go together: pass both files or neither."));
  }
  if (arguments.zh_reviews.empty() && arguments.semeval.empty()) {
    throw Error(tr("Nothing to train on: pass --zh-reviews with --zh-labels, or --semeval."));
  }
  if (arguments.epochs < 1 || arguments.epochs > 100) {
    throw Error(tr("--epochs {} is out of range: use 1 to 100.", arguments.epochs));
  }
  std::error_code error;
  std::filesystem::create_directories(arguments.output_dir, error);
  if (error) {
    throw Error(tr("Cannot create the output folder {}: {}.", arguments.output_dir, error.message()));
  }

  // The lexicon feeds the tagger's features, so training uses the same file
  // that extraction will load by default.
  const std::string lexicon_path =
      arguments.lexicon.empty() ? default_aspect_lexicon_path(default_model_dir()) : arguments.lexicon;
  const AspectLexicon lexicon = AspectLexicon::load(lexicon_path);
  const Normalizer normalizer;

  if (!arguments.zh_reviews.empty()) {
    train_and_save("zh", read_aspect_reviews_zh(arguments.zh_reviews, arguments.zh_labels), arguments.zh_reviews,
                   arguments, lexicon, normalizer);
  }
  if (!arguments.semeval.empty()) {
    std::vector<AspectReview> reviews = read_semeval_aspects(arguments.semeval);
    if (arguments.holdout_fifth) reviews = split_fifth(reviews, false);
    train_and_save("en", reviews, arguments.semeval, arguments, lexicon, normalizer);
  }
}

}  // namespace

void add_train_aspects_command(CLI::App& app) {
  auto arguments = std::make_shared<TrainAspectsArguments>();
  CLI::App* command =
      app.add_subcommand("train-aspects", tr("Train the learned aspect extractors and write them to a model folder"));
  add_aspect_data_options(*command, arguments->zh_reviews, arguments->zh_labels);
  command->add_option("--semeval", arguments->semeval, tr("SemEval-2014 aspect term XML file for the English model"))
      ->check(CLI::ExistingFile);
  command->add_flag("--holdout-fifth", arguments->holdout_fifth,
                    tr("leave every fifth SemEval sentence out of training, for eval-aspects --holdout-fifth"));
  command->add_option("--output-dir", arguments->output_dir,
                      tr("model folder to write aspects-zh.model and aspects-en.model into"))
      ->required();
  command->add_option("--lexicon", arguments->lexicon, tr("aspect lexicon file (default: the shipped one)"))
      ->check(CLI::ExistingFile);
  command->add_option("--epochs", arguments->epochs, tr("passes of the sequence tagger over the training data"))
      ->capture_default_str();
  command->callback([arguments] {
    run(*arguments);
    set_exit_status(kExitOk);
  });
}

}  // namespace shopsight::cli

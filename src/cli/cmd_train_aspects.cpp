// `shopsight train-aspects`: trains the learned aspect extractors from
// annotated data and writes them into a model folder.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "analyze/aspect_eval.h"
#include "analyze/aspect_lexicon.h"
#include "analyze/aspect_model.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utc_time.h"

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
  std::uint64_t seed = AspectTrainOptions{}.seed;
  int cv_folds = 0;                       // folds of cross-validation, which replaces training, or 0 to train
};

void train_and_save(const std::string& language, const std::vector<AspectReview>& reviews, const std::string& source,
                    const TrainAspectsArguments& arguments, const AspectLexicon& lexicon,
                    const Normalizer& normalizer) {
  spdlog::info("{}", tr("training the {} aspect model on {} texts from {}", language, reviews.size(), source));
  const auto started = std::chrono::steady_clock::now();
  AspectTrainOptions options;
  options.epochs = arguments.epochs;
  options.seed = arguments.seed;
  LearnedAspectModel model =
      LearnedAspectModel::train(language, make_training_examples(normalizer, reviews), lexicon, options);
  model.set_metadata("training_data", std::filesystem::path(source).filename().string());
  model.set_metadata("training_texts", std::to_string(reviews.size()));
  model.set_metadata("epochs", std::to_string(arguments.epochs));
  model.set_metadata("seed", std::to_string(arguments.seed));
  model.set_metadata("trained_on", utc_now_text("%Y-%m-%d"));

  const std::string path = aspect_model_path(arguments.output_dir, language);
  model.save(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{}", tr("wrote {} in {:.1f} s", path, seconds));
}

// Prints the cross-validation figures of one language: aspect term F1 and its counts for each fold, then
// for the counts pooled over all folds. Chinese rows add exact and (category, polarity) pair F1.
void cross_validate(const std::string& language, const std::vector<AspectReview>& reviews,
                    const TrainAspectsArguments& arguments, const std::shared_ptr<const AspectLexicon>& lexicon,
                    const Normalizer& normalizer) {
  spdlog::info("{}-fold cross-validation of the {} aspect model on {} texts", arguments.cv_folds, language,
               reviews.size());
  AspectTrainOptions options;
  options.epochs = arguments.epochs;
  options.seed = arguments.seed;
  const std::vector<AspectScores> folds =
      cross_validate_aspects(language, reviews, arguments.cv_folds, lexicon, normalizer, options);
  const auto print = [&](const std::string& label, const AspectScores& scores) {
    const F1Score& term = scores.aspect_term;
    std::cout << fmt::format("{:<8} {:<10} {:>6.3f} {:>8} {:>10} {:>6}", language, label, term.f1(), term.matched,
                             term.predicted, term.gold);
    if (language == "zh") {
      std::cout << fmt::format(" {:>6.3f} {:>6.3f}", scores.exact.f1(), scores.category_polarity.f1());
    }
    std::cout << "\n";
  };
  std::cout << fmt::format("{:<8} {:<10} {:>6} {:>8} {:>10} {:>6}", tr("language"), tr("fold"), tr("F1"),
                           tr("matched"), tr("predicted"), tr("gold"));
  if (language == "zh") std::cout << fmt::format(" {:>6} {:>6}", tr("exact"), tr("pairs"));
  std::cout << "\n";
  for (std::size_t k = 0; k < folds.size(); ++k) print(std::to_string(k + 1), folds[k]);
  print(tr("pooled"), pool_scores(folds));
}

void cross_validate_all(const TrainAspectsArguments& arguments, const std::shared_ptr<const AspectLexicon>& lexicon,
                        const Normalizer& normalizer) {
  if (!arguments.zh_reviews.empty()) {
    cross_validate("zh", read_aspect_reviews_zh(arguments.zh_reviews, arguments.zh_labels), arguments, lexicon,
                   normalizer);
  }
  if (!arguments.semeval.empty()) {
    std::vector<AspectReview> reviews = read_semeval_aspects(arguments.semeval);
    if (arguments.holdout_fifth) reviews = split_fifth(reviews, false);
    cross_validate("en", reviews, arguments, lexicon, normalizer);
  }
}

std::string file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Copies the lexicon that training used into the output folder, so that
// `eval-aspects --model-dir` finds the lexicon that the tagger's
// features were computed with. A lexicon the folder has already stays.
void copy_lexicon(const std::string& lexicon_path, const std::string& output_dir) {
  const std::string target = default_aspect_lexicon_path(output_dir);
  if (std::filesystem::exists(target)) {
    if (file_contents(target) != file_contents(lexicon_path)) {
      spdlog::warn("{}", tr("{} differs from the lexicon used for training ({}); extraction with this folder "
                            "uses {}",
                            target, lexicon_path, target));
    }
    return;
  }
  std::error_code error;
  std::filesystem::copy_file(lexicon_path, target, error);
  if (error) throw Error(tr("Cannot copy the aspect lexicon {} to {}: {}.", lexicon_path, target, error.message()));
  spdlog::info("{}", tr("copied the aspect lexicon {} to {}", lexicon_path, target));
}

void train_all(const TrainAspectsArguments& arguments, const std::string& lexicon_path, const AspectLexicon& lexicon,
               const Normalizer& normalizer) {
  std::error_code error;
  std::filesystem::create_directories(arguments.output_dir, error);
  if (error) {
    throw Error(tr("Cannot create the output folder {}: {}.", arguments.output_dir, error.message()));
  }
  copy_lexicon(lexicon_path, arguments.output_dir);

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
  if (arguments.cv_folds < 0 || arguments.cv_folds == 1) {
    throw Error(tr("--cv {} is invalid: use 2 or more folds, or leave --cv out to write the models.",
                   arguments.cv_folds));
  }
  if (arguments.cv_folds == 0 && arguments.output_dir.empty()) {
    throw Error(tr("--output-dir is missing: pass the model folder to write, or --cv to only cross-validate."));
  }

  // The lexicon feeds the tagger's features, so training uses the same file
  // that extraction will load by default.
  const std::string lexicon_path =
      arguments.lexicon.empty() ? default_aspect_lexicon_path(default_model_dir()) : arguments.lexicon;
  const auto lexicon = std::make_shared<const AspectLexicon>(AspectLexicon::load(lexicon_path));
  const Normalizer normalizer;

  if (arguments.cv_folds > 0) {
    cross_validate_all(arguments, lexicon, normalizer);
  } else {
    train_all(arguments, lexicon_path, *lexicon, normalizer);
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
                      tr("model folder to write aspects-zh.model and aspects-en.model into, with the lexicon "
                         "used for training as aspects.lexicon when the folder has none"));
  command->add_option("--lexicon", arguments->lexicon, tr("aspect lexicon file (default: the shipped one)"))
      ->check(CLI::ExistingFile);
  command->add_option("--epochs", arguments->epochs, tr("passes of the sequence tagger over the training data"))
      ->capture_default_str();
  command->add_option("--seed", arguments->seed,
                      tr("seed of the order in which the sequence tagger sees the training texts"))
      ->capture_default_str();
  command->add_option("--cv", arguments->cv_folds,
                      tr("run k-fold cross-validation on the training texts with this many folds and print the "
                         "figures instead of writing models (text i goes to fold i mod k)"));
  command->callback([arguments] {
    run(*arguments);
    set_exit_status(kExitOk);
  });
}

}  // namespace shopsight::cli

// `shopsight eval-aspects`: scores the aspect extractor of a model folder,
// and the lexicon alone as the baseline, against annotated data.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "analyze/aspect_eval.h"
#include "analyze/aspect_lexicon.h"
#include "analyze/aspects.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::cli {
namespace {

struct EvalAspectsArguments {
  std::string zh_reviews;
  std::string zh_labels;
  std::string semeval;
  bool holdout_fifth = false;
  std::string model_dir;
  std::string lexicon;
  std::string format = "text";
};

// Figures of one data set for the full extractor and the lexicon baseline.
struct DataSetResult {
  std::string name;
  bool spans_with_opinions = true;        // aspects-zh has opinions and categories, SemEval only aspect terms
  AspectScores model;
  AspectScores lexicon;
};

nlohmann::json f1_json(const F1Score& score) {
  return {{"f1", score.f1()},           {"precision", score.precision()}, {"recall", score.recall()},
          {"matched", score.matched},   {"predicted", score.predicted},   {"gold", score.gold}};
}

nlohmann::json scores_json(const AspectScores& scores, bool with_opinions) {
  nlohmann::json out = {{"aspect_term", f1_json(scores.aspect_term)},
                        {"reviews_per_second", scores.seconds > 0 ? static_cast<double>(scores.reviews) / scores.seconds : 0.0}};
  if (with_opinions) {
    out["exact"] = f1_json(scores.exact);
    out["category_polarity"] = f1_json(scores.category_polarity);
  }
  return out;
}

void print_text(const std::vector<DataSetResult>& results) {
  for (const DataSetResult& result : results) {
    std::cout << tr("{} ({} texts)", result.name, result.model.reviews) << "\n";
    std::cout << fmt::format("  {:<44} {:>9} {:>9}\n", tr("F1"), tr("model"), tr("lexicon"));
    const auto row = [](const std::string& label, const F1Score& model, const F1Score& lexicon) {
      std::cout << fmt::format("  {:<44} {:>9.3f} {:>9.3f}\n", label, model.f1(), lexicon.f1());
    };
    if (result.spans_with_opinions) {
      row(tr("exact (aspect, opinion, category, polarity)"), result.model.exact, result.lexicon.exact);
      row(tr("category and polarity per text"), result.model.category_polarity, result.lexicon.category_polarity);
    }
    row(tr("aspect term"), result.model.aspect_term, result.lexicon.aspect_term);
    const double speed = result.model.seconds > 0 ? static_cast<double>(result.model.reviews) / result.model.seconds : 0;
    std::cout << "  " << tr("model extraction speed: {:.0f} texts/s on one thread", speed) << "\n\n";
  }
}

void run(const EvalAspectsArguments& arguments) {
  if (arguments.zh_reviews.empty() != arguments.zh_labels.empty()) {
    throw Error(tr("--zh-reviews and --zh-labels go together: pass both files or neither."));
  }
  if (arguments.zh_reviews.empty() && arguments.semeval.empty()) {
    throw Error(tr("Nothing to evaluate: pass --zh-reviews with --zh-labels, or --semeval."));
  }

  const std::unique_ptr<AspectExtractor> extractor = load_aspect_extractor(arguments.model_dir, arguments.lexicon);
  const std::string folder = arguments.model_dir.empty() ? default_model_dir() : arguments.model_dir;
  const std::string lexicon_path =
      arguments.lexicon.empty() ? default_aspect_lexicon_path(folder) : arguments.lexicon;
  const LexiconAspectExtractor baseline(std::make_shared<const AspectLexicon>(AspectLexicon::load(lexicon_path)));
  const Normalizer normalizer;

  std::vector<DataSetResult> results;
  if (!arguments.zh_reviews.empty()) {
    const std::vector<AspectReview> reviews = read_aspect_reviews_zh(arguments.zh_reviews, arguments.zh_labels);
    spdlog::info("{}", tr("scoring {} annotated texts from {}", reviews.size(), arguments.zh_reviews));
    results.push_back({arguments.zh_reviews, true, evaluate_aspects(*extractor, normalizer, reviews),
                       evaluate_aspects(baseline, normalizer, reviews)});
  }
  if (!arguments.semeval.empty()) {
    std::vector<AspectReview> reviews = read_semeval_aspects(arguments.semeval);
    if (arguments.holdout_fifth) reviews = split_fifth(reviews, true);
    spdlog::info("{}", tr("scoring {} annotated texts from {}", reviews.size(), arguments.semeval));
    const std::string name = arguments.holdout_fifth ? tr("{} (held-out fifth)", arguments.semeval) : arguments.semeval;
    results.push_back({name, false, evaluate_aspects(*extractor, normalizer, reviews),
                       evaluate_aspects(baseline, normalizer, reviews)});
  }

  if (arguments.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const DataSetResult& result : results) {
      out.push_back({{"data", result.name},
                     {"texts", result.model.reviews},
                     {"model", scores_json(result.model, result.spans_with_opinions)},
                     {"lexicon", scores_json(result.lexicon, result.spans_with_opinions)}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    print_text(results);
  }
}

}  // namespace

void add_aspect_data_options(CLI::App& command, std::string& zh_reviews, std::string& zh_labels) {
  command.add_option("--zh-reviews", zh_reviews, tr("CSV of annotated Chinese reviews (id,review)"))
      ->check(CLI::ExistingFile);
  command.add_option("--zh-labels", zh_labels,
                     tr("CSV of their labels (id,AspectTerms,A_start,A_end,OpinionTerms,O_start,O_end,Categories,"
                        "Polarities)"))
      ->check(CLI::ExistingFile);
}

void add_eval_aspects_command(CLI::App& app) {
  auto arguments = std::make_shared<EvalAspectsArguments>();
  CLI::App* command = app.add_subcommand(
      "eval-aspects", tr("Score aspect extraction against annotated reviews, beside the lexicon baseline"));
  add_aspect_data_options(*command, arguments->zh_reviews, arguments->zh_labels);
  command->add_option("--semeval", arguments->semeval, tr("SemEval-2014 aspect term XML file"))
      ->check(CLI::ExistingFile);
  command->add_flag("--holdout-fifth", arguments->holdout_fifth,
                    tr("score only every fifth SemEval sentence, the part train-aspects --holdout-fifth leaves out"));
  command->add_option("--model-dir", arguments->model_dir, tr("model folder (default: the shipped model)"));
  command->add_option("--lexicon", arguments->lexicon, tr("aspect lexicon file that replaces the folder's"))
      ->check(CLI::ExistingFile);
  command->add_option("--format,--output-format", arguments->format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([arguments] {
    run(*arguments);
    set_exit_status(kExitOk);
  });
}

}  // namespace shopsight::cli

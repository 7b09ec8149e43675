#include <cmath>
#include <filesystem>
#include <string>

#include "analyze/analyze.h"
#include "analyze/aspects.h"
#include "analyze/keywords.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"

namespace shopsight {
namespace {

// The default sentiment classifier wrapped as an analyzer: a prediction
// below the threshold becomes neutral, because a binary model has no
// neutral class of its own.
class ClassifierSentiment final : public SentimentAnalyzer {
 public:
  ClassifierSentiment(TextClassifier classifier, float neutral_threshold)
      : classifier_(std::move(classifier)), neutral_threshold_(neutral_threshold) {}

  Sentiment analyze(const Document& document) const override {
    const Prediction prediction = classifier_.predict(document);
    Sentiment sentiment;
    float positive = 0;
    float negative = 0;
    for (const auto& score : prediction.scores) {
      if (score.label == "positive") positive = score.probability;
      if (score.label == "negative") negative = score.probability;
    }
    sentiment.score = positive - negative;
    sentiment.label = prediction.label;
    sentiment.probability = prediction.probability;
    if (prediction.probability < neutral_threshold_) {
      sentiment.label = "neutral";
      sentiment.probability = 1.0f - std::abs(sentiment.score);
    }
    return sentiment;
  }

 private:
  TextClassifier classifier_;
  float neutral_threshold_;
};

std::string executable_dir() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : path.parent_path().string();
}

}  // namespace

std::string default_model_dir() {
  // An installed binary finds the model under <prefix>/share/shopsight; a
  // binary in the build tree uses the source tree it was configured from.
  const std::string installed = executable_dir() + "/../share/shopsight/models/default";
  if (std::filesystem::exists(installed + "/sentiment.ssm")) return installed;
  return std::string(SHOPSIGHT_DATA_DIR) + "/models/default";
}

struct Engine::Impl {
  Normalizer normalizer;
  std::unique_ptr<SentimentAnalyzer> sentiment;
  std::unique_ptr<AspectExtractor> aspects;
  std::unique_ptr<KeywordExtractor> keywords;

  bool mask_personal_data = true;

  explicit Impl(const EngineOptions& options)
      : normalizer(options.normalize), mask_personal_data(options.normalize.mask_personal_data) {}
};

Engine::Engine(const EngineOptions& options) : impl_(std::make_unique<Impl>(options)) {
  const std::string dir = options.model_dir.empty() ? default_model_dir() : options.model_dir;
  const std::string sentiment_path =
      options.sentiment_model.empty() ? dir + "/sentiment.ssm" : options.sentiment_model;
  impl_->sentiment = std::make_unique<ClassifierSentiment>(TextClassifier::load(sentiment_path),
                                                           options.neutral_threshold);
  impl_->aspects = load_aspect_extractor(dir, options.aspect_lexicon);
  impl_->keywords = load_keyword_extractor(dir, options.max_keywords);
}

Engine::~Engine() = default;

const Normalizer& Engine::normalizer() const { return impl_->normalizer; }

// TODO: a whole `analyze` run reaches about half the reviews per second of
// `fasttext predict`. The largest costs are the aspect tagger's decoding and
// the sentiment model's weight lookups, which mostly miss the cache.
Analysis Engine::analyze(const Item& item) const {
  Analysis analysis;
  const Document document = make_document(impl_->normalizer, item.text);
  analysis.language = document.language;
  analysis.normalized_text = document.normalized.text;
  analysis.masked_text = impl_->mask_personal_data ? mask_personal_data(item.text) : item.text;
  analysis.sentiment = impl_->sentiment->analyze(document);
  analysis.keywords = impl_->keywords->extract(document);

  // Extractors work on normalized text; users need spans in the text they
  // supplied, so each span goes back through the normalizer's offset map.
  for (const AspectSpan& span : impl_->aspects->extract(document)) {
    AspectMention mention{.category = span.category, .aspect = {}, .opinion = {}, .polarity = span.polarity};
    if (span.aspect_begin >= 0) {
      const auto [begin, end] = document.normalized.to_source(span.aspect_begin, span.aspect_end);
      mention.aspect_begin = begin;
      mention.aspect_end = end;
      mention.aspect = utf8::substr(analysis.masked_text, mention.aspect_begin, mention.aspect_end);
    }
    if (span.opinion_begin >= 0) {
      const auto [begin, end] = document.normalized.to_source(span.opinion_begin, span.opinion_end);
      mention.opinion_begin = begin;
      mention.opinion_end = end;
      mention.opinion = utf8::substr(analysis.masked_text, mention.opinion_begin, mention.opinion_end);
    }
    analysis.aspects.push_back(std::move(mention));
  }
  return analysis;
}

}  // namespace shopsight

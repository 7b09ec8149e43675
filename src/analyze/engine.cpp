#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/aspects.h"
#include "analyze/keywords.h"
#include "analyze/llm_aspects.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/paths.h"
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

// Sentiment from any classifier that open_classifier opens (a GGUF model
// with a classifier head, an embedding head): its labels are mapped once to
// positive, negative and neutral, then the neutral threshold applies as for
// the default model.
class MappedClassifierSentiment final : public SentimentAnalyzer {
 public:
  MappedClassifierSentiment(std::unique_ptr<Classifier> classifier, const std::string& path, float neutral_threshold)
      : classifier_(std::move(classifier)),
        polarities_(map_sentiment_labels(classifier_->labels(), path)),
        neutral_threshold_(neutral_threshold) {}

  Sentiment analyze(const Document& document) const override {
    const Prediction prediction = classifier_->predict({&document}).front();
    float positive = 0;
    float negative = 0;
    float neutral = 0;
    for (std::size_t i = 0; i < prediction.scores.size() && i < polarities_.size(); ++i) {
      const float probability = prediction.scores[i].probability;
      if (polarities_[i] == "positive") positive += probability;
      if (polarities_[i] == "negative") negative += probability;
      if (polarities_[i] == "neutral") neutral += probability;
    }

    Sentiment sentiment;
    sentiment.score = positive - negative;
    sentiment.label = positive >= negative ? "positive" : "negative";
    sentiment.probability = std::max(positive, negative);
    if (neutral > sentiment.probability) {
      sentiment.label = "neutral";
      sentiment.probability = neutral;
    }
    if (sentiment.probability < neutral_threshold_) {
      sentiment.label = "neutral";
      sentiment.probability = 1.0f - std::abs(sentiment.score);
    }
    return sentiment;
  }

 private:
  std::unique_ptr<Classifier> classifier_;
  std::vector<std::string> polarities_;
  float neutral_threshold_;
};

// Sentiment from the LLM's "sentiment" field. The LLM gives no calibrated
// probability, so the probability is 1 and the score is +1, -1 or 0.
Sentiment llm_sentiment(const LlmResult& result) {
  Sentiment sentiment;
  if (!result.valid) {
    sentiment.label = "neutral";
    return sentiment;
  }
  sentiment.label = result.answer.sentiment;
  sentiment.probability = 1.0f;
  if (sentiment.label == "positive") sentiment.score = 1.0f;
  if (sentiment.label == "negative") sentiment.score = -1.0f;
  return sentiment;
}

std::unique_ptr<LlmAspectExtractor> load_llm_extractor(const EngineOptions& options, const std::string& model_dir) {
  LlmAspectOptions llm;
  llm.model_path = options.llm_model;
  llm.prompt_path = options.llm_prompt;
  llm.context = options.llm_context;
  llm.threads = options.llm_threads;
  llm.max_tokens = options.llm_max_tokens;
  llm.temperature = options.llm_temperature;
  llm.seed = options.llm_seed;
  llm.summary = options.summary;

  // The shop's lexicon may name categories beyond the standard ones.
  llm.categories = standard_aspect_categories();
  const std::string lexicon =
      options.aspect_lexicon.empty() ? model_dir + "/aspects.lexicon" : options.aspect_lexicon;
  if (std::filesystem::exists(lexicon)) {
    for (const std::string& category : lexicon_categories(lexicon)) llm.categories.push_back(category);
  }
  return std::make_unique<LlmAspectExtractor>(llm);
}

}  // namespace

std::vector<std::string> map_sentiment_labels(const std::vector<std::string>& labels, const std::string& path) {
  static const std::vector<std::pair<std::string, std::string>> kNames = {
      {"positive", "positive"}, {"pos", "positive"}, {"正面", "positive"}, {"积极", "positive"},
      {"negative", "negative"}, {"neg", "negative"}, {"负面", "negative"}, {"消极", "negative"},
      {"neutral", "neutral"},   {"neu", "neutral"},  {"中性", "neutral"},
  };

  std::vector<std::string> polarities;
  bool all_named = true;
  for (const std::string& label : labels) {
    std::string lower = label;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto known = std::find_if(kNames.begin(), kNames.end(), [&](const auto& name) { return name.first == lower; });
    if (known == kNames.end()) {
      all_named = false;
      break;
    }
    polarities.push_back(known->second);
  }
  if (all_named && !labels.empty()) return polarities;

  // Models exported without label names call their two outputs LABEL_0 and
  // LABEL_1; the usual binary sentiment convention puts negative first.
  auto unnamed = [](const std::string& label) {
    return label.rfind("LABEL_", 0) == 0 && label.size() > 6 &&
           std::all_of(label.begin() + 6, label.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  if (labels.size() == 2 && unnamed(labels[0]) && unnamed(labels[1])) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      spdlog::warn("the sentiment model {} names its labels {} and {}; reading them as negative and positive",
                   path, labels[0], labels[1]);
    });
    return {"negative", "positive"};
  }

  std::string listed;
  for (const std::string& label : labels) listed += (listed.empty() ? "" : ", ") + label;
  throw Error(tr("The sentiment model {} has labels {}, which shopsight cannot map to positive, negative and neutral; use a model whose labels are named positive/negative/neutral, or two labels LABEL_0 (negative) and LABEL_1 (positive).",
                 path, listed));
}

std::string default_model_dir() { return data_path("models/default", "sentiment.ssm"); }

struct Engine::Impl {
  Normalizer normalizer;
  std::unique_ptr<SentimentAnalyzer> sentiment;
  std::unique_ptr<AspectExtractor> aspects;
  std::unique_ptr<KeywordExtractor> keywords;
  std::unique_ptr<LlmAspectExtractor> llm;  ///< replaces `aspects` (and `sentiment` when it is null) when set
  bool summary = false;

  bool mask_personal_data = true;
  bool strip_html = true;

  explicit Impl(const EngineOptions& options)
      : normalizer(options.normalize),
        mask_personal_data(options.normalize.mask_personal_data),
        strip_html(options.normalize.strip_html) {}
};

Engine::Engine(const EngineOptions& options) : impl_(std::make_unique<Impl>(options)) {
  const std::string dir = options.model_dir.empty() ? default_model_dir() : options.model_dir;
  const std::string sentiment_path =
      options.sentiment_model.empty() ? dir + "/sentiment.ssm" : options.sentiment_model;

  // The aspect models load on a second thread while the sentiment model
  // loads here, because loading one after the other took about 80 ms, a
  // twentieth of analyzing 50,000 reviews on 2 cores.
  std::future<std::unique_ptr<AspectExtractor>> aspects;
  if (options.llm_model.empty()) {
    aspects = std::async(std::launch::async, [&] { return load_aspect_extractor(dir, options.aspect_lexicon); });
  }

  // With an LLM and no sentiment model, the LLM gives the sentiment too.
  const bool sentiment_from_llm = !options.llm_model.empty() && options.sentiment_model.empty();
  if (sentiment_from_llm) {
    // No sentiment model to load.
  } else if (detect_classifier_kind(sentiment_path) == ClassifierKind::text_classifier) {
    impl_->sentiment = std::make_unique<ClassifierSentiment>(TextClassifier::load(sentiment_path),
                                                             options.neutral_threshold);
  } else {
    ClassifierOptions classifier_options;
    classifier_options.threads = options.classifier_threads;
    impl_->sentiment = std::make_unique<MappedClassifierSentiment>(
        open_classifier(sentiment_path, classifier_options), sentiment_path, options.neutral_threshold);
  }

  if (aspects.valid()) {
    impl_->aspects = aspects.get();
  } else {
    impl_->llm = load_llm_extractor(options, dir);
    impl_->summary = options.summary;
  }
  impl_->keywords = load_keyword_extractor(dir, options.max_keywords);
}

Engine::~Engine() = default;

const Normalizer& Engine::normalizer() const { return impl_->normalizer; }

// NOTE: on bench/analyze_vs_fasttext.sh a whole `analyze` run matches
// `fasttext predict` (ratio 0.99 to 1.02 on an idle machine) only while both
// cores are free for its two threads, and falls to 0.6 to 0.9 when other processes take one.
// The largest remaining costs are ICU's dictionary word break, about a sixth
// of the time, and cache misses in the tagger's and the sentiment model's
// weight lookups.
Analysis Engine::analyze(const Item& item) const {
  Analysis analysis;
  Document document = make_document(impl_->normalizer, item.text);
  analysis.language = document.language;
  // People read the masked text in reports, alerts and the dashboard, so it
  // has the markup that scraped reviews carry (&hellip;, <br>) removed, and
  // every span points into it.
  DisplayText shown = impl_->strip_html ? make_display_text(item.text) : DisplayText{item.text, {}, {}};
  analysis.masked_text = impl_->mask_personal_data ? mask_personal_data(shown.text) : std::move(shown.text);
  analysis.keywords = impl_->keywords->extract(document);

  std::vector<AspectSpan> spans;
  if (impl_->llm) {
    LlmResult result = impl_->llm->run(document);
    analysis.sentiment = impl_->sentiment ? impl_->sentiment->analyze(document) : llm_sentiment(result);
    spans = std::move(result.spans);

    // Generated text may restate personal data in another form than the
    // review has, so it is masked like the review.
    if (impl_->summary) {
      analysis.summary = impl_->mask_personal_data ? mask_personal_data(result.answer.summary) : result.answer.summary;
    }
    if (impl_->mask_personal_data) {
      for (AspectSpan& span : spans) {
        span.aspect_term = mask_personal_data(span.aspect_term);
        span.opinion_term = mask_personal_data(span.opinion_term);
      }
    }
  } else {
    analysis.sentiment = impl_->sentiment->analyze(document);
    spans = impl_->aspects->extract(document);
  }

  // Extractors work on normalized text, but users need spans in the masked
  // text. So each span goes back through the normalizer's offset map to the
  // supplied text, then forward to the text without markup.
  // A generated term that is not in the text keeps offsets -1 and its wording.
  // The byte offsets are found once per text, where utf8::substr() would
  // find them again for every term. term_text() clamps the span as it does.
  std::vector<std::size_t> offsets;
  const auto term_text = [&](std::int32_t begin, std::int32_t end) {
    if (offsets.empty()) offsets = utf8::byte_offsets(analysis.masked_text);
    const auto last = static_cast<std::int32_t>(offsets.size()) - 1;
    begin = std::max(begin, 0);
    end = std::min(end, last);
    if (begin >= end) return std::string();
    const auto first_byte = offsets[static_cast<std::size_t>(begin)];
    return analysis.masked_text.substr(first_byte, offsets[static_cast<std::size_t>(end)] - first_byte);
  };
  for (const AspectSpan& span : spans) {
    AspectMention mention{.category = span.category, .aspect = span.aspect_term, .opinion = span.opinion_term,
                          .polarity = span.polarity};
    if (span.aspect_begin >= 0) {
      const auto [source_begin, source_end] = document.normalized.to_source(span.aspect_begin, span.aspect_end);
      const auto [begin, end] = shown.from_source(source_begin, source_end);
      mention.aspect_begin = begin;
      mention.aspect_end = end;
      mention.aspect = term_text(mention.aspect_begin, mention.aspect_end);
    }
    if (span.opinion_begin >= 0) {
      const auto [source_begin, source_end] = document.normalized.to_source(span.opinion_begin, span.opinion_end);
      const auto [begin, end] = shown.from_source(source_begin, source_end);
      mention.opinion_begin = begin;
      mention.opinion_end = end;
      mention.opinion = term_text(mention.opinion_begin, mention.opinion_end);
    }
    analysis.aspects.push_back(std::move(mention));
  }
  // The normalizer masks personal data too, so the words hold none.
  analysis.search_words = search_words(document);

  // Moved rather than copied, after the last reader of the document's text.
  analysis.normalized_text = std::move(document.normalized.text);
  return analysis;
}

}  // namespace shopsight

#pragma once

// Analyze: per-item analysis (sentiment, aspects, keywords) behind small
// analyzer interfaces, and the pipeline that runs them over a source with
// several threads while keeping the input order.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ingest/ingest.h"
#include "model/model.h"
#include "text/text.h"

namespace shopsight {

/// Sentiment of an item: positive, negative or neutral.
struct Sentiment {
  std::string label;
  float probability = 0;                  ///< calibrated probability of `label`
  float score = 0;                        ///< P(positive) - P(negative), in [-1, 1]
};

/// One aspect mention. Offsets are code points of Analysis::masked_text, end
/// exclusive, and -1 when the term is absent (an opinion on the whole product
/// has no aspect term).
struct AspectMention {
  std::string category;                   ///< standard key: quality, price, logistics, ...
  std::string aspect;                     ///< aspect term as written, empty when absent
  std::int32_t aspect_begin = -1;
  std::int32_t aspect_end = -1;
  std::string opinion;                    ///< opinion term as written, empty when absent
  std::int32_t opinion_begin = -1;
  std::int32_t opinion_end = -1;
  std::string polarity;                   ///< positive, negative or neutral
};

/// A word that characterizes an item, with its weight.
struct Keyword {
  std::string word;
  float score = 0;
};

/// Analysis results of one item.
struct Analysis {
  std::string language;
  std::string masked_text;                ///< original text, HTML markup removed (unless normalize.strip_html is off), personal data masked
  std::string normalized_text;
  Sentiment sentiment;
  std::vector<AspectMention> aspects;
  std::vector<Keyword> keywords;
  std::optional<std::string> summary;     ///< one-line summary from the LLM; set only when requested
  std::string search_words;               ///< words of the normalized masked text joined by spaces, for full-text search
};

/// Aspect mention found in normalized text; spans are normalized code points.
struct AspectSpan {
  std::string category;
  std::int32_t aspect_begin = -1;
  std::int32_t aspect_end = -1;
  std::int32_t opinion_begin = -1;
  std::int32_t opinion_end = -1;
  std::string polarity;
  std::string aspect_term;                ///< term from a generative extractor, kept when it is not in the text
  std::string opinion_term;               ///< same for the opinion term
};

/// Classifies the sentiment of a document.
class SentimentAnalyzer {
 public:
  virtual ~SentimentAnalyzer() = default;
  virtual Sentiment analyze(const Document& document) const = 0;
};

/// Finds aspect mentions in a document.
class AspectExtractor {
 public:
  virtual ~AspectExtractor() = default;
  virtual std::vector<AspectSpan> extract(const Document& document) const = 0;
};

/// Picks the words that best characterize a document.
class KeywordExtractor {
 public:
  virtual ~KeywordExtractor() = default;
  virtual std::vector<Keyword> extract(const Document& document) const = 0;
};

/// Standard aspect categories, in report order.
const std::vector<std::string>& standard_aspect_categories();

/// Localized display name of an aspect category key (e.g. "logistics" -> "物流").
std::string aspect_category_name(const std::string& key);

/// Key of the standard aspect category whose English or Chinese name is
/// `word` ("price", "价格" give "price"), whatever the message language;
/// empty when no category has that name.
std::string aspect_category_named(std::string_view word);

/// Settings of the analysis engine.
struct EngineOptions {
  std::string model_dir;                  ///< folder of the default model; empty for the shipped one
  std::string sentiment_model;            ///< overrides the folder's sentiment classifier
  std::string aspect_lexicon;             ///< overrides the folder's aspect lexicon file
  float neutral_threshold = 0.65f;        ///< below this probability the sentiment is neutral
  int max_keywords = 5;
  NormalizeOptions normalize;

  std::string llm_model;                  ///< decoder GGUF for aspects (and sentiment without sentiment_model); empty for none
  std::string llm_prompt;                 ///< prompt file for every language; empty for the shipped ones
  int llm_context = 0;                    ///< tokens of prompt plus output per review; 0: 4096, or the LLM's training context when smaller
  int llm_threads = 0;                    ///< llama.cpp threads per review; 0 means every core
  int llm_max_tokens = 0;                 ///< output tokens at most; 0 derives the bound from the output grammar
  float llm_temperature = 0;              ///< 0 picks the most likely token
  std::uint32_t llm_seed = 42;
  bool summary = false;                   ///< ask the LLM for a one-line summary per item
  int classifier_threads = 0;             ///< llama.cpp threads of a GGUF sentiment model; 0 means every core
};

/// Polarity (positive, negative or neutral) of each classifier label, in
/// order. Labels named like positive/pos/正面 (any case) map directly; two
/// unnamed labels such as LABEL_0/LABEL_1 mean negative/positive, with a
/// warning. Anything else throws shopsight::Error listing the labels of `path`.
std::vector<std::string> map_sentiment_labels(const std::vector<std::string>& labels, const std::string& path);

/// Folder of the shipped default model.
std::string default_model_dir();

/// Runs every analyzer on one item; immutable after construction, so one
/// engine serves all threads.
class Engine {
 public:
  /// Loads the analyzers; throws shopsight::Error when a model file is bad.
  explicit Engine(const EngineOptions& options);
  ~Engine();

  Analysis analyze(const Item& item) const;

  const Normalizer& normalizer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Settings of a pipeline run.
struct PipelineOptions {
  int threads = 0;                        ///< analyzer threads; 0 means every core
  std::size_t queue_items = 1024;         ///< bound of each queue, which keeps memory flat
  /// Added to the analyzer threads' nice value (Linux only, up to nice 19), so
  /// that a sink that limits the run, such as the store's writer, gets a core first.
  int analyzer_nice = 0;
};

/// Counts of a finished run.
struct PipelineStats {
  std::int64_t items = 0;
  std::int64_t rejected = 0;
  double seconds = 0;
};

/// Reads every item from `reader`, analyzes them on several threads and hands
/// each (item, analysis) to `sink` in input order on one thread. The sink may
/// move from both, because the pipeline drops them after the call. Rejected
/// rows go to `on_reject`. `on_progress` is called with the items done so far.
PipelineStats run_pipeline(Reader& reader, const Engine& engine, const PipelineOptions& options,
                           const std::function<void(Item&, Analysis&)>& sink,
                           const std::function<void(const Reject&)>& on_reject,
                           const std::function<void(std::int64_t)>& on_progress);

}  // namespace shopsight

#pragma once

// Learned aspect extractor for one language: a sequence tagger finds aspect
// and opinion terms, each opinion is paired with the nearest aspect term of
// its clause, and two linear classifiers give the category and the polarity.
// Stored in a versioned, checksummed binary file (docs/aspects.md).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/aspect_lexicon.h"
#include "analyze/aspect_tagger.h"

namespace shopsight {

/// A document with its gold mentions, spans in normalized code points.
struct AspectTrainingExample {
  Document document;
  std::vector<AspectSpan> gold;
};

/// Settings of aspect model training.
struct AspectTrainOptions {
  int epochs = 12;                        ///< perceptron passes over the training set
  std::uint64_t seed = 20260101;          ///< fixes the shuffling, so training is repeatable
  double regularization = 1.0;            ///< LIBLINEAR's C for the category and polarity classifiers
  std::function<void(int, int)> progress; ///< called with (step done, steps) during training
};

/// Aspect terms of the training data, which give the English tagger its
/// gazetteer features. Keys are unit hashes (TextUnit::key).
struct AspectTermGazetteer {
  /// Hash of a term's sequence of unit keys -> times the training data annotated it.
  std::unordered_map<std::uint64_t, std::uint32_t> terms;
  /// Key of a word (its unit key) or of two adjacent words -> (times inside one aspect term, occurrences),
  /// for every word and word pair of the training texts.
  std::unordered_map<std::uint64_t, std::array<std::uint32_t, 2>> words;
  /// Units of the longest stored term.
  int max_term_units = 0;
};

/// Learned extractor of one language; immutable after training or loading.
class LearnedAspectModel {
 public:
  /// Trains on examples of `language`; opinion terms are learned only when the gold data has them.
  static LearnedAspectModel train(const std::string& language, const std::vector<AspectTrainingExample>& examples,
                                  const AspectLexicon& lexicon, const AspectTrainOptions& options);

  /// Loads a model file; throws shopsight::Error naming the file when it is
  /// missing, truncated, corrupt, of another format or of another format version.
  static LearnedAspectModel load(const std::string& path);

  /// Writes the model file; throws shopsight::Error when it cannot be written.
  void save(const std::string& path) const;

  /// Mentions in decoded normalized `text` of `document`, using `lexicon`
  /// for opinion words when the model has none and for unknown categories.
  std::vector<AspectSpan> extract(const Document& document, std::u32string_view text,
                                  const AspectLexicon& lexicon) const;

  /// Language the model was trained for ("zh" or "en").
  const std::string& language() const { return language_; }

  /// Categories the category classifier can return.
  const std::vector<std::string>& categories() const { return category_classifier_.labels(); }

  /// Free-form facts stored with the model: training data, date, figures.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

 private:
  std::string language_;
  bool has_opinions_ = false;
  SequenceTagger tagger_;
  AspectTermGazetteer gazetteer_;         ///< empty unless the language is "en"
  LinearClassifier category_classifier_;
  LinearClassifier polarity_classifier_;
  std::map<std::string, std::string> metadata_;
};

/// File name of the learned model of `language` inside a model folder.
std::string aspect_model_path(const std::string& model_dir, const std::string& language);

/// Extractor that uses the learned model of a document's language and the lexicon for other languages.
class CombinedAspectExtractor : public AspectExtractor {
 public:
  CombinedAspectExtractor(std::shared_ptr<const AspectLexicon> lexicon, std::vector<LearnedAspectModel> models);

  std::vector<AspectSpan> extract(const Document& document) const override;

  /// Whether a learned model serves `language`.
  bool has_model(const std::string& language) const;

 private:
  std::shared_ptr<const AspectLexicon> lexicon_;
  LexiconAspectExtractor fallback_;
  std::vector<LearnedAspectModel> models_;
};

}  // namespace shopsight

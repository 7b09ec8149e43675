#pragma once

// Model: the default text classifier that shopsight trains and ships. A
// linear model over hashed character and word n-grams, trained with
// LIBLINEAR, stored in a versioned binary file (docs/model-format.md).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "text/text.h"

namespace shopsight {

/// Probability of one label.
struct LabelScore {
  std::string label;
  float probability = 0;
};

/// Classifier output: the most probable label and every label's probability.
struct Prediction {
  std::string label;
  float probability = 0;
  std::vector<LabelScore> scores;         ///< in the model's label order
};

/// Hyper-parameters of training; the defaults are the shipped model's.
struct TrainOptions {
  /// LIBLINEAR's C: larger fits the training data more closely. 0 or less
  /// searches C = 1/16, 1/8, ... on the dev rows until macro-F1 stops improving.
  double regularization = 0;
  int max_rounds = 10;                    ///< rounds of the C search before early stopping gives up
  int threads = 0;                        ///< 0 means every core
  std::map<std::string, std::string> label_names;  ///< optional renaming, e.g. "0" -> "negative"
  /// Called with (done, total) as training advances, for a progress display.
  std::function<void(int, int)> progress;
  double holdout_fraction = 0.1;          ///< share of training rows held out when no dev rows are given
  unsigned seed = 1;                      ///< seed of the held-out split
  bool refit = true;                      ///< after the C search, retrain on training plus dev rows
  bool per_language = true;               ///< one linear part per language with enough rows
  int hash_bits = 23;                     ///< log2 of the number of feature hash buckets
};

/// One labelled document for training or evaluation.
struct Example {
  Document document;
  std::string label;
  std::string category;                   ///< optional, for per-category figures
};

/// Text classifier for any label set; immutable after load or train, so one
/// instance can be shared between threads.
class TextClassifier {
 public:
  TextClassifier();
  ~TextClassifier();
  TextClassifier(TextClassifier&&) noexcept;
  TextClassifier& operator=(TextClassifier&&) noexcept;

  /// Trains on `train`; `dev`, when not empty, drives early stopping and the
  /// probability calibration.
  static TextClassifier train(const std::vector<Example>& train, const std::vector<Example>& dev,
                              const TrainOptions& options);

  /// Loads a model file; throws shopsight::Error naming the file when it is
  /// missing, truncated, corrupt, of another format or of a newer version.
  static TextClassifier load(const std::string& path);

  /// Writes the model file; throws shopsight::Error when it cannot be written.
  void save(const std::string& path) const;

  /// Most probable label with calibrated probabilities.
  Prediction predict(const Document& document) const;

  /// Labels in model order (display names when label names were given).
  const std::vector<std::string>& labels() const;

  /// Display name of a raw training label such as "1"; unknown labels come back unchanged.
  std::string display_label(const std::string& raw) const;

  /// Raw training label to display name table stored in the model.
  const std::map<std::string, std::string>& label_names() const;

  /// Languages that have their own linear part, e.g. {"en", "zh"}; "*" is the part for every language.
  std::vector<std::string> parts() const;

  /// Free-form facts stored with the model: training data, date, figures.
  const std::map<std::string, std::string>& metadata() const;
  void set_metadata(const std::string& key, const std::string& value);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Precision, recall and F1 of one label.
struct LabelMetrics {
  std::string label;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::int64_t support = 0;
};

/// Figures of a classifier on labelled data.
struct EvalReport {
  std::int64_t count = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  std::vector<LabelMetrics> labels;
  std::vector<std::string> confusion_labels;            ///< row and column order of `confusion`
  std::vector<std::vector<std::int64_t>> confusion;     ///< confusion[gold][predicted]
  std::map<std::string, std::pair<std::int64_t, double>> category_accuracy;  ///< category -> (count, accuracy)
};

/// Computes the figures from gold and predicted labels; `categories` may be empty.
EvalReport evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<std::string>& categories);

}  // namespace shopsight

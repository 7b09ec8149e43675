#pragma once

// One linear part of the classifier: the scaled, L2-normalized hashed
// features of one language and a LIBLINEAR weight vector per label.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/features.h"
#include "model/model.h"

namespace shopsight::model {

/// Weights and calibration of one language's linear model.
struct LinearPart {
  std::string language;                   ///< "zh", "en", ... or "*" for every language
  FeatureConfig config;
  std::vector<int> classes;               ///< model label index of each part class
  /// Dense per-bucket scale (IDF times naive Bayes ratio, 0 for dropped
  /// buckets), filled while training only. index_weights() moves it into `table`.
  std::vector<float> scale;
  /// Dense weights, filled while training only: one vector per part class,
  /// or a single vector for two classes whose positive score favours classes[0].
  std::vector<std::vector<float>> weights;
  /// The kept buckets, each with its scale in column 0 and its weights in
  /// columns 1 to bias.size(); what scores() and saving read.
  BucketTable table;
  std::vector<float> bias;                ///< one per weight vector; empty for a part with one class
  float platt_a = 1;                      ///< two classes: P(classes[0]) = sigmoid(a * score + b)
  float platt_b = 0;
  float temperature = 1;                  ///< more classes: softmax(score / temperature)

  /// Raw decision scores of `document`, one per weight vector.
  void scores(const Document& document, std::vector<double>& out) const;

  /// Moves the buckets with a positive scale from the dense `scale` and
  /// `weights` into `table` and frees the dense vectors.
  void index_weights();

  /// Calibrated probability of each part class.
  void probabilities(const std::vector<double>& scores, std::vector<double>& out) const;
};

/// Figures of a part on its dev rows, measured before any refit.
struct PartFigures {
  double c = 0;
  std::int64_t train_rows = 0;
  std::int64_t dev_rows = 0;
  bool dev_held_out = false;              ///< dev rows were taken from the training rows
  double accuracy = 0;
  double macro_f1 = 0;
  double ece = 0;                         ///< expected calibration error, 10 equal-width bins
  double brier = 0;                       ///< mean squared error of the probabilities, summed over classes
};

/// Labelled document with its label already mapped to a model label index.
struct LabelledDocument {
  const Document* document = nullptr;
  int label = 0;
};

/// Trains one part. `progress` is called after each LIBLINEAR run with (runs done, runs planned).
LinearPart train_part(const std::string& language, const std::vector<LabelledDocument>& train,
                      const std::vector<LabelledDocument>& dev, const TrainOptions& options,
                      const std::function<void(int, int)>& progress, PartFigures& figures);

}  // namespace shopsight::model

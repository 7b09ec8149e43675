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

/// Code stored as the "dev_source" metadata of a model or head: "held_out"
/// when the dev rows were held out of the training rows, else "dev_file".
std::string dev_source_code(bool held_out);

/// Returns the origin of the dev rows in the message language, for a stored
/// "dev_source" value: a code, or the English phrase of files written before
/// the codes. Other values come back unchanged.
std::string dev_source_text(const std::string& stored);

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

/// Settings of open_classifier.
struct ClassifierOptions {
  int threads = 0;                        ///< CPU threads of llama.cpp inference; 0 means every core
  std::string embedding_cache;            ///< SQLite file of cached embeddings for a head; empty means no cache
  std::string embedding_model;            ///< GGUF file used instead of the one a head file names; empty keeps it
  int batch_size = 32;                    ///< texts per llama.cpp call
};

/// Any classifier that open_classifier returns; predict() is thread-safe.
class Classifier {
 public:
  virtual ~Classifier();

  /// Labels in model order, as predictions name them.
  virtual const std::vector<std::string>& labels() const = 0;

  /// One prediction per document, in order.
  virtual std::vector<Prediction> predict(const std::vector<const Document*>& documents) const = 0;

  /// Display name of a raw training label such as "1"; unknown labels come back unchanged.
  virtual std::string display_label(const std::string& raw) const;
};

/// Kinds of classifier files, distinguished by their content.
enum class ClassifierKind {
  text_classifier,                        ///< the default NB-SVM model written by `shopsight train`
  gguf_classifier,                        ///< a GGUF encoder with a classifier head
  embedding_head,                         ///< a head written by `shopsight train --embedding-model`
};

/// Reads the first bytes of `path` to detect its kind; throws shopsight::Error
/// naming the file when it is missing or none of the kinds.
ClassifierKind detect_classifier_kind(const std::string& path);

/// Opens a classifier file of any kind; throws shopsight::Error naming the file
/// when it cannot be used.
std::unique_ptr<Classifier> open_classifier(const std::string& path, const ClassifierOptions& options);

/// Identity of a model file: its size and an XXH3 hash of every byte, so
/// that two models of the same size that differ anywhere never share vectors.
struct ModelFingerprint {
  std::uint64_t size = 0;
  std::uint64_t hash = 0;                 ///< XXH3-64 of the whole file

  /// Printable form, e.g. "xxh3-123456789-0a1b2c3d4e5f6071"; the embedding cache keys on it.
  std::string key() const;
};

/// Fingerprints the file at `path`; throws shopsight::Error when it cannot be read.
ModelFingerprint fingerprint_model_file(const std::string& path);

/// Embeds texts with a GGUF encoder and keeps every vector in an optional
/// SQLite cache keyed by (model fingerprint, hash of the text). Not
/// thread-safe: one instance per thread, or guard it.
class CachedEmbedder {
 public:
  /// Loads the model; an empty `cache_path` turns the cache off. Throws
  /// shopsight::Error when the model cannot embed or the cache cannot be opened.
  CachedEmbedder(const std::string& model_path, const std::string& cache_path, int threads);
  ~CachedEmbedder();
  CachedEmbedder(const CachedEmbedder&) = delete;
  CachedEmbedder& operator=(const CachedEmbedder&) = delete;

  /// Width of every vector.
  int dimension() const;

  /// Fingerprint of the model file.
  const ModelFingerprint& fingerprint() const;

  /// L2-normalized vector of each text, in order. `progress`, when set, is
  /// called with (texts done, texts in total).
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts,
                                        const std::function<void(long long, long long)>& progress = {});

  /// Vectors computed by the model since construction.
  std::int64_t computed() const;

  /// Vectors read from the cache since construction.
  std::int64_t cached() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// True when no value is NaN or infinite.
bool all_finite(const std::vector<float>& values);

/// Returns the text embedded for a document, which is its normalized text.
const std::string& embedding_text(const Document& document);

/// Hyper-parameters of an embedding head.
struct HeadTrainOptions {
  std::string kind = "logistic";          ///< logistic (LIBLINEAR) or mlp (one hidden layer)
  /// LIBLINEAR's C: 0 or less searches C = 1/16, 1/4, 1, ... on the dev rows
  /// until dev macro-F1 stops improving.
  double regularization = 0;
  int hidden = 128;                       ///< hidden units of the mlp head
  int epochs = 30;                        ///< passes of the mlp head over the training rows
  double holdout_fraction = 0.1;          ///< share of training rows held out when no dev rows are given
  unsigned seed = 1;                      ///< seed of the held-out split and of the mlp weights
  bool refit = true;                      ///< after the C search, retrain on training plus dev rows
  std::map<std::string, std::string> label_names;  ///< optional renaming, e.g. "0" -> "negative"
  /// Called with (done, total) as training advances, for a progress display.
  std::function<void(int, int)> progress;
};

/// Classifier over frozen embeddings: labels, weights and the identity of the
/// embedding model it was trained on (file format in docs/model-format.md).
class EmbeddingHead {
 public:
  /// Trains on row vectors and their labels; `dev_*` may be empty, then a
  /// stratified share of the training rows is held out to choose C.
  static EmbeddingHead train(const std::vector<std::vector<float>>& train_vectors,
                             const std::vector<std::string>& train_labels,
                             const std::vector<std::vector<float>>& dev_vectors,
                             const std::vector<std::string>& dev_labels, const HeadTrainOptions& options);

  /// Loads a head file; throws shopsight::Error naming the file when it is
  /// missing, truncated, corrupt, of another kind or of a newer version.
  static EmbeddingHead load(const std::string& path);

  /// Writes the head file, naming the embedding model relative to it when possible.
  void save(const std::string& path) const;

  /// Records the embedding model that the training vectors came from.
  void set_embedding_model(const std::string& path, const ModelFingerprint& fingerprint);

  /// Absolute path of the embedding model (resolved against the head file after load).
  const std::string& embedding_model_path() const { return model_path_; }

  /// Fingerprint of the embedding model recorded at training time.
  const ModelFingerprint& embedding_model_fingerprint() const { return fingerprint_; }

  /// Width of the vectors the head takes.
  int dimension() const { return dimension_; }

  /// Head kind: "logistic" or "mlp".
  const std::string& kind() const { return kind_; }

  /// Labels in model order.
  const std::vector<std::string>& labels() const { return labels_; }

  /// Display name of a raw training label; unknown labels come back unchanged.
  std::string display_label(const std::string& raw) const;

  /// Most probable label and every label's probability for one vector.
  Prediction predict(const std::vector<float>& vector) const;

  /// Free-form facts stored with the head: command, figures.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

 private:
  std::string kind_ = "logistic";
  std::vector<std::string> labels_;
  std::map<std::string, std::string> label_names_;
  std::map<std::string, std::string> metadata_;
  int dimension_ = 0;
  /// logistic: weight rows of dimension + 1 values, bias last, and the label
  /// each row scores. Two labels have a single row whose sigmoid is P(row label).
  std::vector<std::vector<float>> weights_;
  std::vector<int> row_labels_;
  /// mlp: hidden x (dimension + 1) and labels x (hidden + 1) weights, biases last.
  std::vector<std::vector<float>> hidden_weights_;
  std::string model_path_;
  ModelFingerprint fingerprint_;
};

}  // namespace shopsight

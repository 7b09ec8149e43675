// open_classifier: one interface over the three classifier files that
// shopsight reads, distinguished by their first bytes and header.

#include <cstring>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "llm/llm.h"
#include "model/model.h"

namespace shopsight {
namespace {

constexpr char kShopsightMagic[8] = {'\x89', 'S', 'S', 'M', '\r', '\n', '\x1a', '\n'};
constexpr char kGgufMagic[4] = {'G', 'G', 'U', 'F'};

// Bytes of magic, version, header size and payload size before the JSON header.
constexpr std::size_t kPreambleSize = 24;

// A JSON header larger than this is not read just to detect the kind. Such a
// file goes to the text classifier loader, which checks it fully.
constexpr std::uint32_t kMaxPeekedHeader = 64u << 20;

/// The default NB-SVM classifier, which is already immutable and thread-safe.
class TextModelClassifier final : public Classifier {
 public:
  explicit TextModelClassifier(TextClassifier classifier) : classifier_(std::move(classifier)) {}

  const std::vector<std::string>& labels() const override { return classifier_.labels(); }

  std::vector<Prediction> predict(const std::vector<const Document*>& documents) const override {
    std::vector<Prediction> predictions;
    predictions.reserve(documents.size());
    for (const Document* document : documents) predictions.push_back(classifier_.predict(*document));
    return predictions;
  }

  std::string display_label(const std::string& raw) const override { return classifier_.display_label(raw); }

 private:
  TextClassifier classifier_;
};

// Shapes probability vectors in label order into predictions.
Prediction to_prediction(const std::vector<std::string>& labels, const std::vector<float>& probabilities) {
  Prediction prediction;
  std::size_t best = 0;
  for (std::size_t c = 0; c < labels.size(); ++c) {
    const float p = c < probabilities.size() ? probabilities[c] : 0.0f;
    prediction.scores.push_back({labels[c], p});
    if (p > prediction.scores[best].probability) best = c;
  }
  if (!labels.empty()) {
    prediction.label = labels[best];
    prediction.probability = prediction.scores[best].probability;
  }
  return prediction;
}

// Runs `score` (texts to one prediction each) over the documents in batches.
// Each batch locks `mutex`, because one llama.cpp context serves every thread.
template <typename Score>
std::vector<Prediction> predict_in_batches(const std::vector<const Document*>& documents, int batch_size,
                                           std::mutex& mutex, Score score) {
  std::vector<Prediction> predictions;
  predictions.reserve(documents.size());
  const auto batch = static_cast<std::size_t>(std::max(1, batch_size));
  for (std::size_t start = 0; start < documents.size(); start += batch) {
    const std::size_t end = std::min(documents.size(), start + batch);
    std::vector<std::string> texts;
    for (std::size_t i = start; i < end; ++i) texts.push_back(embedding_text(*documents[i]));

    const std::lock_guard<std::mutex> lock(mutex);
    for (Prediction& prediction : score(texts)) predictions.push_back(std::move(prediction));
  }
  return predictions;
}

/// A GGUF encoder with a classifier head. Its llama.cpp context serves one
/// caller at a time, so predictions take a lock and go in batches.
class GgufClassifier final : public Classifier {
 public:
  GgufClassifier(const std::string& path, const ClassifierOptions& options) : batch_size_(options.batch_size) {
    model_ = llm::Model::load(path, llm::default_model_options());
    // A head can only be trained on an encoder, so a decoder gets no such advice.
    if (model_->info().class_labels.empty() && model_->info().has_decoder) {
      throw Error(tr("the GGUF model {} is a text generation model, not a classifier; pass a classifier model (an "
                     "encoder with a classifier head), or an encoder such as BERT to `shopsight train "
                     "--embedding-model`",
                     path));
    }
    if (model_->info().class_labels.empty()) {
      throw Error(tr("the GGUF model {} has no classifier head; pass a classifier model, or train a head on "
                     "its embeddings with `shopsight train --embedding-model {}`",
                     path, path));
    }
    llm::EncodeOptions encode = llm::default_encode_options();
    encode.threads = options.threads;
    classifier_ = std::make_unique<llm::SequenceClassifier>(*model_, encode);
  }

  const std::vector<std::string>& labels() const override { return classifier_->labels(); }

  std::vector<Prediction> predict(const std::vector<const Document*>& documents) const override {
    return predict_in_batches(documents, batch_size_, mutex_, [&](const std::vector<std::string>& texts) {
      std::vector<Prediction> predictions;
      for (const auto& row : classifier_->classify(texts)) predictions.push_back(to_prediction(labels(), row));
      return predictions;
    });
  }

 private:
  int batch_size_;
  std::unique_ptr<llm::Model> model_;
  std::unique_ptr<llm::SequenceClassifier> classifier_;
  mutable std::mutex mutex_;
};

/// An embedding head and the embedding model it was trained on.
class HeadClassifier final : public Classifier {
 public:
  HeadClassifier(const std::string& path, const ClassifierOptions& options)
      : head_(EmbeddingHead::load(path)), batch_size_(options.batch_size) {
    const std::string model_path = options.embedding_model.empty() ? head_.embedding_model_path()
                                                                   : options.embedding_model;
    std::ifstream probe(model_path, std::ios::binary);
    if (!probe && !options.embedding_model.empty()) {
      throw Error(tr("the embedding model {} is not found; check the path given with --embedding-model", model_path));
    }
    // analyze and serve take no --embedding-model, so they need the model where the head names it.
    if (!probe) {
      throw Error(tr("the embedding model {} that the head {} was trained with is not found; move it back to that "
                     "path (or the same path relative to the head), which analyze and serve read; eval also takes "
                     "its new path with --embedding-model",
                     model_path, path));
    }
    const ModelFingerprint found = fingerprint_model_file(model_path);
    const ModelFingerprint& expected = head_.embedding_model_fingerprint();
    if (found.key() != expected.key()) {
      throw Error(tr("the embedding model {} is not the one the head {} was trained with (size or checksum "
                     "{} instead of {}); pass the original model or train the head again",
                     model_path, path, found.key(), expected.key()));
    }
    embedder_ = std::make_unique<CachedEmbedder>(model_path, options.embedding_cache, options.threads);
    if (embedder_->dimension() != head_.dimension()) {
      throw Error(tr("the embedding model {} gives vectors of {} values but the head {} takes {}", model_path,
                     embedder_->dimension(), path, head_.dimension()));
    }
  }

  const std::vector<std::string>& labels() const override { return head_.labels(); }

  std::vector<Prediction> predict(const std::vector<const Document*>& documents) const override {
    return predict_in_batches(documents, batch_size_, mutex_, [&](const std::vector<std::string>& texts) {
      std::vector<Prediction> predictions;
      for (const auto& vector : embedder_->embed(texts)) predictions.push_back(head_.predict(vector));
      return predictions;
    });
  }

  std::string display_label(const std::string& raw) const override { return head_.display_label(raw); }

 private:
  EmbeddingHead head_;
  int batch_size_;
  std::unique_ptr<CachedEmbedder> embedder_;
  mutable std::mutex mutex_;
};

}  // namespace

Classifier::~Classifier() = default;

std::string Classifier::display_label(const std::string& raw) const { return raw; }

ClassifierKind detect_classifier_kind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(tr("cannot open the model file {}: {}; pass the path of a file written by `shopsight train`", path,
                   std::strerror(errno)));
  }
  char preamble[kPreambleSize] = {};
  in.read(preamble, sizeof preamble);
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got >= sizeof kGgufMagic && std::memcmp(preamble, kGgufMagic, sizeof kGgufMagic) == 0) {
    return ClassifierKind::gguf_classifier;
  }
  if (got < sizeof kShopsightMagic || std::memcmp(preamble, kShopsightMagic, sizeof kShopsightMagic) != 0) {
    throw Error(tr("{} is not a shopsight model file nor a GGUF model (wrong magic number); pass a file written "
                   "by `shopsight train` or a GGUF classifier",
                   path));
  }

  // The header's "format" key distinguishes a head from a text classifier.
  // Anything unreadable goes to the text classifier loader, whose checks name the fault.
  std::uint32_t header_size = 0;
  for (int i = 3; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(preamble[12 + i]);
  if (got < kPreambleSize || header_size > kMaxPeekedHeader) return ClassifierKind::text_classifier;
  std::string header(header_size, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_size));
  if (static_cast<std::uint32_t>(in.gcount()) != header_size) return ClassifierKind::text_classifier;
  const nlohmann::json parsed = nlohmann::json::parse(header, nullptr, false);
  if (parsed.is_object() && parsed.value("format", std::string()) == "shopsight-embedding-head") {
    return ClassifierKind::embedding_head;
  }
  return ClassifierKind::text_classifier;
}

std::unique_ptr<Classifier> open_classifier(const std::string& path, const ClassifierOptions& options) {
  switch (detect_classifier_kind(path)) {
    case ClassifierKind::gguf_classifier:
      spdlog::debug("{} is a GGUF classifier", path);
      return std::make_unique<GgufClassifier>(path, options);
    case ClassifierKind::embedding_head:
      spdlog::debug("{} is an embedding head", path);
      return std::make_unique<HeadClassifier>(path, options);
    case ClassifierKind::text_classifier:
      break;
  }
  return std::make_unique<TextModelClassifier>(TextClassifier::load(path));
}

}  // namespace shopsight

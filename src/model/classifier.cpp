#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utc_time.h"
#include "model/linear_part.h"
#include "model/model.h"
#include "model/model_file.h"

namespace shopsight {
namespace {

using model::LinearPart;

// A language gets its own part only with this many training rows; rarer
// languages share the largest part.
constexpr std::size_t kMinRowsPerLanguage = 500;

constexpr const char* kFormatName = "shopsight-text-classifier";

template <typename T>
void append_array(std::string& payload, const T* data, std::size_t count) {
  payload.append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

template <typename T>
void read_array(const std::string& payload, std::size_t& offset, T* data, std::size_t count) {
  std::memcpy(data, payload.data() + offset, count * sizeof(T));
  offset += count * sizeof(T);
}

}  // namespace

struct TextClassifier::Impl {
  std::vector<std::string> labels;
  std::map<std::string, std::string> label_names;
  std::map<std::string, std::string> metadata;
  std::vector<LinearPart> parts;
  std::size_t fallback = 0;               ///< part for languages without their own

  const LinearPart& part_for(const std::string& language) const {
    for (const LinearPart& part : parts) {
      if (part.language == language) return part;
    }
    return parts[fallback];
  }
};

TextClassifier::TextClassifier() : impl_(std::make_unique<Impl>()) {}
TextClassifier::~TextClassifier() = default;
TextClassifier::TextClassifier(TextClassifier&&) noexcept = default;
TextClassifier& TextClassifier::operator=(TextClassifier&&) noexcept = default;

TextClassifier TextClassifier::train(const std::vector<Example>& train, const std::vector<Example>& dev,
                                     const TrainOptions& options) {
  if (train.empty()) throw Error(tr("no training rows: the training data has no row with a label"));
  const auto started = std::chrono::steady_clock::now();

  TextClassifier classifier;
  Impl& impl = *classifier.impl_;
  impl.label_names = options.label_names;

  // Model labels are the display names of the raw training labels, in the
  // sorted order of the raw labels so that "0" (negative) comes first.
  std::set<std::string> raw_labels;
  for (const Example& example : train) raw_labels.insert(example.label);
  std::map<std::string, int> label_index;
  for (const std::string& raw : raw_labels) {
    label_index[raw] = static_cast<int>(impl.labels.size());
    impl.labels.push_back(classifier.display_label(raw));
  }

  // Parts: one per language with enough rows, the largest also serving the rest.
  std::map<std::string, std::size_t> language_rows;
  for (const Example& example : train) ++language_rows[example.document.language];
  std::vector<std::string> languages;
  if (options.per_language) {
    for (const auto& [language, rows] : language_rows) {
      if (rows >= kMinRowsPerLanguage) languages.push_back(language);
    }
  }
  if (languages.empty()) languages.push_back("*");
  std::string largest = languages.front();
  for (const std::string& language : languages) {
    if (language != "*" && language_rows[language] > language_rows[largest]) largest = language;
  }
  const auto part_name = [&](const std::string& language) {
    return std::find(languages.begin(), languages.end(), language) != languages.end() ? language : largest;
  };

  std::map<std::string, std::vector<model::LabelledDocument>> train_rows;
  std::map<std::string, std::vector<model::LabelledDocument>> dev_rows;
  for (const Example& example : train) {
    train_rows[part_name(example.document.language)].push_back({&example.document, label_index.at(example.label)});
  }
  std::size_t unknown_dev = 0;
  for (const Example& example : dev) {
    const auto found = label_index.find(example.label);
    if (found == label_index.end()) {
      ++unknown_dev;
      continue;
    }
    dev_rows[part_name(example.document.language)].push_back({&example.document, found->second});
  }
  if (unknown_dev > 0) {
    spdlog::warn("{}", tr("{} dev rows have a label that no training row has; they are left out of the dev figures",
                          unknown_dev));
  }

  int part_number = 0;
  for (const std::string& language : languages) {
    model::PartFigures figures;
    const int offset = part_number * (options.max_rounds + 1);
    const int total = static_cast<int>(languages.size()) * (options.max_rounds + 1);
    auto progress = [&](int done, int planned) {
      if (options.progress) options.progress(offset + done * (options.max_rounds + 1) / std::max(planned, 1), total);
    };
    impl.parts.push_back(model::train_part(language, train_rows[language], dev_rows[language], options, progress,
                                           figures));
    if (language == largest) impl.fallback = impl.parts.size() - 1;

    const std::string prefix = language + ".";
    impl.metadata[prefix + "c"] = fmt::format("{}", figures.c);
    impl.metadata[prefix + "train_rows"] = std::to_string(figures.train_rows);
    impl.metadata[prefix + "dev_rows"] = std::to_string(figures.dev_rows);
    impl.metadata[prefix + "dev_source"] = dev_source_code(figures.dev_held_out);
    impl.metadata[prefix + "dev_accuracy"] = fmt::format("{:.4f}", figures.accuracy);
    impl.metadata[prefix + "dev_macro_f1"] = fmt::format("{:.4f}", figures.macro_f1);
    impl.metadata[prefix + "dev_ece"] = fmt::format("{:.4f}", figures.ece);
    impl.metadata[prefix + "dev_brier"] = fmt::format("{:.4f}", figures.brier);
    ++part_number;
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  impl.metadata["trained_at"] = utc_now_text("%Y-%m-%dT%H:%M:%SZ");
  impl.metadata["training_seconds"] = fmt::format("{:.1f}", seconds);
  impl.metadata["train_rows"] = std::to_string(train.size());
  return classifier;
}

void TextClassifier::save(const std::string& path) const {
  model::ModelFile file;
  nlohmann::json parts = nlohmann::json::array();
  for (const LinearPart& part : impl_->parts) {
    // Only buckets that survived the document-frequency cut are stored.
    const std::vector<std::uint32_t> buckets = part.table.buckets();
    nlohmann::json entry = {{"language", part.language},
                            {"features", part.config.to_json()},
                            {"classes", part.classes},
                            {"vectors", part.bias.size()},
                            {"entries", buckets.size()},
                            {"offset", file.payload.size()},
                            {"bias", part.bias},
                            {"platt_a", part.platt_a},
                            {"platt_b", part.platt_b},
                            {"temperature", part.temperature}};
    parts.push_back(entry);

    // Column 0 of the table is the scale and column v + 1 the weights of vector v.
    append_array(file.payload, buckets.data(), buckets.size());
    std::vector<float> column(buckets.size());
    for (std::size_t c = 0; c < part.table.columns(); ++c) {
      for (std::size_t i = 0; i < buckets.size(); ++i) column[i] = part.table.row(i)[c];
      append_array(file.payload, column.data(), column.size());
    }
  }
  file.header = {{"format", kFormatName},
                 {"labels", impl_->labels},
                 {"label_names", impl_->label_names},
                 {"metadata", impl_->metadata},
                 {"fallback_part", impl_->fallback},
                 {"parts", parts}};
  model::write_model_file(path, file);
}

TextClassifier TextClassifier::load(const std::string& path) {
  const model::ModelFile file = model::read_model_file(path);
  TextClassifier classifier;
  Impl& impl = *classifier.impl_;
  try {
    const nlohmann::json& header = file.header;
    if (header.at("format").get<std::string>() != kFormatName) {
      throw Error(tr("{} is a shopsight file but not a text classifier; pass a model written by "
                     "`shopsight train`",
                     path));
    }
    impl.labels = header.at("labels").get<std::vector<std::string>>();
    impl.label_names = header.at("label_names").get<std::map<std::string, std::string>>();
    impl.metadata = header.at("metadata").get<std::map<std::string, std::string>>();
    impl.fallback = header.at("fallback_part").get<std::size_t>();

    for (const nlohmann::json& entry : header.at("parts")) {
      LinearPart part;
      part.language = entry.at("language").get<std::string>();
      part.config = model::FeatureConfig::from_json(entry.at("features"));
      part.classes = entry.at("classes").get<std::vector<int>>();
      part.bias = entry.at("bias").get<std::vector<float>>();
      part.platt_a = entry.at("platt_a").get<float>();
      part.platt_b = entry.at("platt_b").get<float>();
      part.temperature = entry.at("temperature").get<float>();
      const auto vectors = entry.at("vectors").get<std::size_t>();
      const auto entries = entry.at("entries").get<std::size_t>();
      std::size_t offset = entry.at("offset").get<std::size_t>();

      // Header fields that disagree with each other or with the payload are
      // rejected as corruption, which also catches writer bugs that the checksum cannot.
      const bool classes_valid = std::all_of(part.classes.begin(), part.classes.end(), [&](int c) {
        return c >= 0 && static_cast<std::size_t>(c) < impl.labels.size();
      });
      const std::size_t expected_vectors = part.classes.size() == 2 ? 1 : (part.classes.size() < 2 ? 0 : part.classes.size());
      const std::size_t bytes = entries * (4 + 4 + 4 * vectors);
      if (!classes_valid || vectors != expected_vectors || part.bias.size() != vectors ||
          offset > file.payload.size() || bytes > file.payload.size() - offset || entries > part.config.buckets()) {
        throw Error(tr("the model file {} is corrupt (part {} does not match its data); copy or train it again",
                       path, part.language));
      }

      std::vector<std::uint32_t> buckets(entries);
      read_array(file.payload, offset, buckets.data(), entries);
      const bool ascending = std::adjacent_find(buckets.begin(), buckets.end(), std::greater_equal<>()) == buckets.end();
      if (!ascending ||
          std::any_of(buckets.begin(), buckets.end(), [&](std::uint32_t b) { return b >= part.config.buckets(); })) {
        throw Error(tr("the model file {} is corrupt (part {} does not match its data); copy or train it again",
                       path, part.language));
      }
      // The file stores the scale and each weight vector as columns; the
      // table keeps a bucket's columns together in one row.
      const std::size_t columns = 1 + vectors;
      std::vector<float> column(entries);
      // Allocated as the table keeps it, so the table takes it over without a copy.
      std::vector<float, model::HugePageAllocator<float>> rows(entries * columns);
      for (std::size_t c = 0; c < columns; ++c) {
        read_array(file.payload, offset, column.data(), entries);
        for (std::size_t i = 0; i < entries; ++i) rows[i * columns + c] = column[i];
      }
      part.table = model::BucketTable::adopt(part.config.buckets(), buckets, std::move(rows), columns);
      impl.parts.push_back(std::move(part));
    }
    if (impl.parts.empty() || impl.fallback >= impl.parts.size() || impl.labels.empty()) {
      throw Error(tr("the model file {} is corrupt (no usable part); copy or train it again", path));
    }
  } catch (const nlohmann::json::exception& error) {
    throw Error(tr("the model file {} has an invalid header: {}; train the model again", path, error.what()));
  } catch (const std::invalid_argument& error) {
    throw Error(tr("the model file {} has an invalid header: {}; train the model again", path, error.what()));
  }
  return classifier;
}

Prediction TextClassifier::predict(const Document& document) const {
  const LinearPart& part = impl_->part_for(document.language);
  thread_local std::vector<double> scores;
  thread_local std::vector<double> probabilities;
  if (part.bias.empty()) {
    probabilities.assign(part.classes.size(), 1.0);
  } else {
    part.scores(document, scores);
    part.probabilities(scores, probabilities);
  }

  Prediction prediction;
  for (const std::string& label : impl_->labels) prediction.scores.push_back({label, 0.0f});
  for (std::size_t c = 0; c < part.classes.size(); ++c) {
    prediction.scores[static_cast<std::size_t>(part.classes[c])].probability = static_cast<float>(probabilities[c]);
  }
  const auto best = std::max_element(prediction.scores.begin(), prediction.scores.end(),
                                     [](const LabelScore& a, const LabelScore& b) { return a.probability < b.probability; });
  prediction.label = best->label;
  prediction.probability = best->probability;
  return prediction;
}

const std::vector<std::string>& TextClassifier::labels() const { return impl_->labels; }

std::string TextClassifier::display_label(const std::string& raw) const {
  const auto found = impl_->label_names.find(raw);
  return found == impl_->label_names.end() ? raw : found->second;
}

const std::map<std::string, std::string>& TextClassifier::label_names() const { return impl_->label_names; }

std::vector<std::string> TextClassifier::parts() const {
  std::vector<std::string> out;
  for (const LinearPart& part : impl_->parts) out.push_back(part.language);
  return out;
}

const std::map<std::string, std::string>& TextClassifier::metadata() const { return impl_->metadata; }

void TextClassifier::set_metadata(const std::string& key, const std::string& value) {
  impl_->metadata[key] = value;
}

std::string dev_source_code(bool held_out) { return held_out ? "held_out" : "dev_file"; }

std::string dev_source_text(const std::string& stored) {
  // Files written before the codes contain these English phrases.
  if (stored == "held_out" || stored == "held-out training rows") return tr("held-out training rows");
  if (stored == "dev_file" || stored == "dev file") return tr("the dev file");
  return stored;
}

}  // namespace shopsight

#pragma once

// Feature extraction of the default classifier: hashed character n-grams of
// the normalized text and hashed word n-grams of its ICU tokens.

#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/text.h"

namespace shopsight::model {

/// Feature configuration of a linear part: the n-grams it reads and their weighting. Stored in the model file.
struct FeatureConfig {
  int char_min = 1;                       ///< shortest character n-gram, in code points
  int char_max = 4;                       ///< longest character n-gram, 0 for none
  int word_min = 1;                       ///< shortest word n-gram, in tokens
  int word_max = 2;                       ///< longest word n-gram, 0 for none
  int hash_bits = 21;                     ///< log2 of the number of hash buckets
  int min_df = 2;                         ///< buckets seen in fewer training rows are dropped
  bool naive_bayes = true;                ///< scale by the log-count ratio of the labels

  /// Number of hash buckets.
  std::uint32_t buckets() const { return std::uint32_t{1} << hash_bits; }

  nlohmann::json to_json() const;

  /// Reads a configuration; throws std::invalid_argument when a field is missing or out of range.
  static FeatureConfig from_json(const nlohmann::json& json);
};

/// Hash bucket and raw count of one feature in a document.
struct FeatureCount {
  std::uint32_t bucket = 0;
  float count = 0;
};

/// Extracts the bucket counts of `document`, sorted by bucket with no repeats.
/// The result depends only on the text, the tokens and `config`.
std::vector<FeatureCount> extract_features(const Document& document, const FeatureConfig& config);

/// Default configuration for a language: character 1-4-grams for Chinese,
/// where single characters carry meaning, and 2-5-grams for other languages.
FeatureConfig default_feature_config(const std::string& language, int hash_bits);

}  // namespace shopsight::model

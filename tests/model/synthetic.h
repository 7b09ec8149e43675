#pragma once

// Small generated training sets for the model tests.

#include <random>
#include <string>
#include <vector>

#include "model/model.h"
#include "text/text.h"

namespace shopsight::testing {

/// Shared normalizer, as building one loads OpenCC's dictionaries.
inline const Normalizer& test_normalizer() {
  static const Normalizer normalizer;
  return normalizer;
}

inline Example make_example(const std::string& text, const std::string& label, const std::string& category = "") {
  Example example;
  example.document = make_document(test_normalizer(), text);
  example.label = label;
  example.category = category;
  return example;
}

/// English sentences whose label follows from one cue word among random
/// filler words: "great" is label "1", "awful" is label "0".
inline std::vector<Example> cue_word_examples(int count, unsigned seed) {
  const std::vector<std::string> filler = {"the", "box", "arrived", "today", "color", "size", "store",
                                           "phone", "shirt", "price", "delivery", "fabric"};
  std::mt19937 generator(seed);
  std::vector<Example> out;
  for (int i = 0; i < count; ++i) {
    std::string text;
    for (int k = 0; k < 5; ++k) text += filler[generator() % filler.size()] + " ";
    const bool positive = i % 2 == 0;
    text += positive ? "great " : "awful ";
    for (int k = 0; k < 3; ++k) text += filler[generator() % filler.size()] + " ";
    out.push_back(make_example(text, positive ? "1" : "0"));
  }
  return out;
}

/// Three customer-service intents, each with its own key words.
inline std::vector<Example> intent_examples(int count, unsigned seed) {
  const std::vector<std::string> products = {"shoes", "laptop", "kettle", "jacket", "camera", "lamp"};
  const std::vector<std::pair<std::string, std::string>> templates = {
      {"refund", "i want a refund for my {}"},
      {"shipping", "where is my {} parcel, tracking shows nothing"},
      {"size", "which size of the {} fits me"}};
  std::mt19937 generator(seed);
  std::vector<Example> out;
  for (int i = 0; i < count; ++i) {
    const auto& [label, pattern] = templates[static_cast<std::size_t>(i) % templates.size()];
    std::string text = pattern;
    text.replace(text.find("{}"), 2, products[generator() % products.size()]);
    out.push_back(make_example(text, label));
  }
  return out;
}

/// Options that keep test models small and quick.
inline TrainOptions small_options() {
  TrainOptions options;
  options.hash_bits = 16;
  options.threads = 2;
  return options;
}

}  // namespace shopsight::testing

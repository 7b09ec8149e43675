#include <algorithm>
#include <vector>

#include "text/text.h"

namespace shopsight {

Document make_document(const Normalizer& normalizer, std::string_view original) {
  Document document;
  document.normalized = normalizer.normalize(original);
  document.language = detect_language(document.normalized.text);
  document.tokens = segment(document.normalized.text);
  return document;
}

std::string search_words(const Document& document) {
  // Each word once: the index records which items contain a word, not how
  // often, and repeated words cost the index's tokenizer time at ingest.
  std::vector<std::string_view> words;
  for (const Token& token : document.tokens) {
    if (token.is_word) words.push_back(token.text);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());

  std::string joined;
  for (const std::string_view word : words) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

}  // namespace shopsight

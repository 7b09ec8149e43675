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
  std::string words;
  for (const Token& token : document.tokens) {
    if (!token.is_word) continue;
    if (!words.empty()) words += ' ';
    words += token.text;
  }
  return words;
}

}  // namespace shopsight

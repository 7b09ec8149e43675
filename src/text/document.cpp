#include "text/text.h"

namespace shopsight {

Document make_document(const Normalizer& normalizer, std::string_view original) {
  Document document;
  document.normalized = normalizer.normalize(original);
  document.language = detect_language(document.normalized.text);
  document.tokens = segment(document.normalized.text);
  return document;
}

}  // namespace shopsight

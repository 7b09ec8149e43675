#pragma once

// Keyword extraction: TF-IDF over the words of a document, with document
// frequencies counted on a reference corpus by `shopsight idf`.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "analyze/analyze.h"

namespace shopsight {

/// Document frequencies of words in a reference corpus.
struct DocumentFrequencies {
  std::int64_t documents = 0;
  std::unordered_map<std::string, std::int64_t> counts;

  /// Loads a table written by save(); throws shopsight::Error naming the file and line.
  static DocumentFrequencies load(const std::string& path);

  /// Writes "word<TAB>count" lines after a "#documents<TAB>N" line, keeping
  /// words seen in at least `min_count` documents.
  void save(const std::string& path, std::int64_t min_count) const;

  /// Counts each keyword candidate of `document` once.
  void add(const Document& document);
};

/// Whether a token can be a keyword: a word, not a stop word, not a number,
/// at least two ideographs or three letters long.
bool is_keyword_candidate(const Token& token);

/// Keyword extractor of a model folder; without its `idf.tsv`, every word
/// gets the same document frequency and keywords are ranked by count alone.
std::unique_ptr<KeywordExtractor> load_keyword_extractor(const std::string& model_dir, int max_keywords);

}  // namespace shopsight

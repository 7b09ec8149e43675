#pragma once

// Aspect lexicon: a per-shop TSV file of aspect terms, opinion words,
// negators, degree words and contrast words (format in docs/aspects.md), the
// matcher that finds them in normalized text, and the rule-based extractor
// built on them.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyze.h"

namespace shopsight {

/// Kind of a lexicon term.
enum class LexiconKind : std::uint8_t { aspect, opinion, negator, degree, contrast };

/// One occurrence of a lexicon term in a code point sequence.
struct LexiconMatch {
  LexiconKind kind = LexiconKind::aspect;
  std::int32_t begin = 0;                 ///< code point offset, inclusive
  std::int32_t end = 0;                   ///< code point offset, exclusive
  std::string category;                   ///< aspect category, or the category an opinion implies (may be empty)
  std::string polarity;                   ///< opinion polarity: positive, negative or neutral
};

/// An opinion word with the negators and degree words right before it.
struct OpinionGroup {
  std::int32_t begin = 0;                 ///< first modifier, or the opinion word itself
  std::int32_t end = 0;
  std::string polarity;                   ///< after negation
  std::string category;                   ///< category the opinion word implies, or empty
  bool negated = false;
};

/// Terms of every kind, matched longest first; immutable after loading, so
/// one lexicon serves all threads.
class AspectLexicon {
 public:
  AspectLexicon();
  ~AspectLexicon();
  AspectLexicon(AspectLexicon&&) noexcept;
  AspectLexicon& operator=(AspectLexicon&&) noexcept;

  /// Reads a lexicon file; throws shopsight::Error naming the file and line of a bad entry.
  static AspectLexicon load(const std::string& path);

  /// Parses lexicon text; `source` names it in error messages.
  static AspectLexicon parse(std::string_view content, const std::string& source);

  /// Every term occurrence in `text`, left to right, longest match first.
  /// Terms that start or end with a Latin letter or digit only match whole words.
  std::vector<LexiconMatch> match(std::u32string_view text) const;

  /// Category of the longest aspect term inside `term`, or empty when there is none.
  std::string aspect_category(std::u32string_view term) const;

  /// Number of terms of all kinds.
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Opinion words of `matches` grouped with the negators and degree words
/// that directly precede them in `text`.
std::vector<OpinionGroup> group_opinions(std::u32string_view text, const std::vector<LexiconMatch>& matches);

/// Clause number of each code point: clauses end at sentence and clause
/// punctuation and before the contrast words of `matches`.
std::vector<std::int32_t> clause_ids(std::u32string_view text, const std::vector<LexiconMatch>& matches);

/// Whether `c` ends a clause (Chinese and ASCII punctuation, line breaks).
bool is_clause_break(char32_t c);

/// Distance used to pair an opinion with an aspect term of its clause; the
/// smallest wins. An aspect term after the opinion is penalized by 1000 code
/// points, so one before it ("包装太差") is preferred whenever there is one.
std::int32_t pairing_distance(std::int32_t aspect_begin, std::int32_t aspect_end, std::int32_t opinion_begin,
                              std::int32_t opinion_end);

/// Returns the aspect term of `terms` with the smallest pairing_distance to the
/// opinion [begin, end) among those `candidate` accepts, the first on a tie, or nullptr.
template <typename Terms, typename Candidate>
auto nearest_aspect(Terms& terms, std::int32_t begin, std::int32_t end, Candidate candidate)
    -> decltype(&*terms.begin()) {
  decltype(&*terms.begin()) best = nullptr;
  std::int32_t best_distance = 0;
  for (auto& term : terms) {
    if (!candidate(term)) continue;
    const std::int32_t distance = pairing_distance(term.begin, term.end, begin, end);
    if (best == nullptr || distance < best_distance) {
      best = &term;
      best_distance = distance;
    }
  }
  return best;
}

/// Rule-based extractor: opinion words paired with the nearest aspect term of
/// their clause, negation flipping the polarity.
class LexiconAspectExtractor : public AspectExtractor {
 public:
  explicit LexiconAspectExtractor(std::shared_ptr<const AspectLexicon> lexicon);

  std::vector<AspectSpan> extract(const Document& document) const override;

  /// Extraction from decoded normalized text, for callers that hold it already.
  std::vector<AspectSpan> extract_text(std::u32string_view text) const;

 private:
  std::shared_ptr<const AspectLexicon> lexicon_;
};

/// Path of the lexicon shipped in a model folder.
std::string default_aspect_lexicon_path(const std::string& model_dir);

}  // namespace shopsight

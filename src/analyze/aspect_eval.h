#pragma once

// Annotated aspect data and its scoring: readers for the aspects-zh CSV
// pair and SemEval-2014 XML, mapping of spans between original and
// normalized text, and F1 figures.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/aspect_model.h"

namespace shopsight {

/// One annotated text; gold spans are code points of the ORIGINAL text.
struct AspectReview {
  std::string id;
  std::string text;
  std::vector<AspectSpan> gold;
};

/// Reads an aspects-zh review file (id,review) and label file (id,
/// AspectTerms, A_start, A_end, OpinionTerms, O_start, O_end, Categories,
/// Polarities; '_' marks an absent term) and maps Chinese category and
/// polarity names to standard keys. Throws shopsight::Error naming the file
/// and line of a bad row.
std::vector<AspectReview> read_aspect_reviews_zh(const std::string& reviews_path, const std::string& labels_path);

/// Reads SemEval-2014 aspect term XML (sentence, text, aspectTerm from/to);
/// gold mentions have an aspect term and polarity but no opinion or category.
std::vector<AspectReview> read_semeval_aspects(const std::string& path);

/// Every fifth review by position (the 5th, 10th, ...) when `held_out` is
/// true, else the other four fifths: a repeatable train/test split.
std::vector<AspectReview> split_fifth(const std::vector<AspectReview>& reviews, bool held_out);

/// Normalizes each review and maps its gold spans into normalized code
/// points; spans that normalization removed are dropped.
std::vector<AspectTrainingExample> make_training_examples(const Normalizer& normalizer,
                                                          const std::vector<AspectReview>& reviews);

/// Maps spans of normalized code points back to original code points.
std::vector<AspectSpan> to_original_spans(const Document& document, const std::vector<AspectSpan>& spans);

/// Counts behind one F1 figure.
struct F1Score {
  std::int64_t matched = 0;
  std::int64_t predicted = 0;
  std::int64_t gold = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

/// Figures of an extractor on annotated reviews.
struct AspectScores {
  std::int64_t reviews = 0;
  F1Score exact;                          ///< (aspect span, opinion span, category, polarity) matches
  F1Score category_polarity;              ///< set of (category, polarity) per review
  F1Score aspect_term;                    ///< aspect term spans
  double seconds = 0;                     ///< time spent in extract() alone, one thread
};

/// Scores predicted against gold mentions, both in original code points, review by review.
AspectScores score_aspects(const std::vector<std::vector<AspectSpan>>& gold,
                           const std::vector<std::vector<AspectSpan>>& predicted);

/// Runs `extractor` on every review and scores it.
AspectScores evaluate_aspects(const AspectExtractor& extractor, const Normalizer& normalizer,
                              const std::vector<AspectReview>& reviews);

/// Runs k-fold cross-validation: review i goes to fold i mod `folds`, and each fold is scored by a model of
/// `language` trained on the other folds. Returns the scores of each fold. Throws shopsight::Error when
/// `folds` is below 2 or above the number of reviews.
std::vector<AspectScores> cross_validate_aspects(const std::string& language, const std::vector<AspectReview>& reviews,
                                                 int folds, const std::shared_ptr<const AspectLexicon>& lexicon,
                                                 const Normalizer& normalizer, const AspectTrainOptions& options);

/// Adds up the counts and times of several scores, so that F1 is computed over all of them at once.
AspectScores pool_scores(const std::vector<AspectScores>& parts);

/// Standard category key of an aspects-zh category name (整体 -> overall), or empty when unknown.
std::string aspect_category_from_zh(const std::string& name);

}  // namespace shopsight

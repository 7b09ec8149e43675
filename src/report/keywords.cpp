// Distinguishing keywords: which words make an item more likely to be
// negative than positive, by the log-odds ratio with an informative
// Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words:
// Lexical Feature Selection and Evaluation for Identifying the Content of
// Political Conflict", Political Analysis 16(4)).

#include <algorithm>
#include <cmath>

#include "report/report_data.h"

namespace shopsight::report {
namespace {

// A word seen in a single item of a side is more often chance than a
// pattern, so a side lists only words from at least this many of its items.
constexpr std::int64_t kMinItemsPerSide = 2;

// Words about as common on both sides would fill a short list with noise,
// so a word needs at least this z-score (one standard error) to be listed.
constexpr double kMinZ = 1.0;

bool ranks_before(const KeywordContrast& a, const KeywordContrast& b) {
  if (a.z != b.z) return a.z > b.z;
  return a.word < b.word;
}

}  // namespace

void rank_keywords(const std::unordered_map<std::string, WordCounts>& words, int top,
                   std::vector<KeywordContrast>& negative, std::vector<KeywordContrast>& positive) {
  negative.clear();
  positive.clear();
  if (top <= 0) return;

  // Totals over the vocabulary: n_neg and n_pos are the word counts of each
  // side, alpha_0 the prior's total (every word's count over all items).
  double n_negative = 0;
  double n_positive = 0;
  double alpha_total = 0;
  for (const auto& [word, counts] : words) {
    n_negative += static_cast<double>(counts.negative);
    n_positive += static_cast<double>(counts.positive);
    alpha_total += static_cast<double>(counts.total());
  }
  if (n_negative == 0 || n_positive == 0) return;

  for (const auto& [word, counts] : words) {
    const auto y_negative = static_cast<double>(counts.negative);
    const auto y_positive = static_cast<double>(counts.positive);
    const auto alpha = static_cast<double>(counts.total());

    // Both rests are 0 only when the vocabulary has this one word, which
    // then separates nothing.
    const double rest_negative = n_negative + alpha_total - y_negative - alpha;
    const double rest_positive = n_positive + alpha_total - y_positive - alpha;
    if (rest_negative <= 0 || rest_positive <= 0) continue;

    // delta is the word's log-odds among negative items minus among
    // positive ones, each smoothed by the prior. Its variance is
    // approximately 1/(y_neg + alpha) + 1/(y_pos + alpha).
    const double odds_negative = std::log((y_negative + alpha) / rest_negative);
    const double odds_positive = std::log((y_positive + alpha) / rest_positive);
    const double delta = odds_negative - odds_positive;
    const double variance = 1.0 / (y_negative + alpha) + 1.0 / (y_positive + alpha);
    const double z = delta / std::sqrt(variance);

    KeywordContrast contrast{word, z, counts.negative, counts.positive};
    if (z >= kMinZ && counts.negative >= kMinItemsPerSide) {
      negative.push_back(contrast);
    } else if (z <= -kMinZ && counts.positive >= kMinItemsPerSide) {
      contrast.z = -z;
      positive.push_back(contrast);
    }
  }

  const auto keep = static_cast<std::size_t>(top);
  for (auto* side : {&negative, &positive}) {
    const auto middle = side->begin() + static_cast<std::ptrdiff_t>(std::min(keep, side->size()));
    std::partial_sort(side->begin(), middle, side->end(), ranks_before);
    side->resize(static_cast<std::size_t>(middle - side->begin()));
  }
}

}  // namespace shopsight::report

#include <algorithm>
#include <set>

#include "common/error.h"
#include "common/i18n.h"
#include "model/model.h"

namespace shopsight {

EvalReport evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<std::string>& categories) {
  if (gold.size() != predicted.size() || (!categories.empty() && categories.size() != gold.size())) {
    throw std::invalid_argument("evaluate: gold, predicted and categories differ in length");
  }

  EvalReport report;
  report.count = static_cast<std::int64_t>(gold.size());

  // Labels from both sides, as scikit-learn's macro average does, so that a
  // label that is only ever predicted still lowers the average.
  std::set<std::string> label_set(gold.begin(), gold.end());
  label_set.insert(predicted.begin(), predicted.end());
  report.confusion_labels.assign(label_set.begin(), label_set.end());
  const std::size_t k = report.confusion_labels.size();
  report.confusion.assign(k, std::vector<std::int64_t>(k, 0));
  const auto index_of = [&](const std::string& label) {
    return static_cast<std::size_t>(std::lower_bound(report.confusion_labels.begin(), report.confusion_labels.end(), label) -
                                    report.confusion_labels.begin());
  };

  std::int64_t correct = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> category_counts;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    ++report.confusion[index_of(gold[i])][index_of(predicted[i])];
    const bool right = gold[i] == predicted[i];
    correct += right ? 1 : 0;
    if (!categories.empty()) {
      auto& [count, hits] = category_counts[categories[i]];
      ++count;
      hits += right ? 1 : 0;
    }
  }
  report.accuracy = gold.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(gold.size());

  double f1_sum = 0;
  for (std::size_t c = 0; c < k; ++c) {
    std::int64_t predicted_total = 0;
    std::int64_t gold_total = 0;
    for (std::size_t other = 0; other < k; ++other) {
      predicted_total += report.confusion[other][c];
      gold_total += report.confusion[c][other];
    }
    LabelMetrics metrics;
    metrics.label = report.confusion_labels[c];
    metrics.support = gold_total;
    const auto hits = static_cast<double>(report.confusion[c][c]);
    metrics.precision = predicted_total > 0 ? hits / static_cast<double>(predicted_total) : 0.0;
    metrics.recall = gold_total > 0 ? hits / static_cast<double>(gold_total) : 0.0;
    const double sum = metrics.precision + metrics.recall;
    metrics.f1 = sum > 0 ? 2 * metrics.precision * metrics.recall / sum : 0.0;
    f1_sum += metrics.f1;
    report.labels.push_back(metrics);
  }
  report.macro_f1 = k > 0 ? f1_sum / static_cast<double>(k) : 0.0;

  for (const auto& [category, counts] : category_counts) {
    report.category_accuracy[category] = {counts.first,
                                          static_cast<double>(counts.second) / static_cast<double>(counts.first)};
  }
  return report;
}

}  // namespace shopsight

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/ingest.h"
#include "synthetic.h"

namespace shopsight {
namespace {

namespace fs = std::filesystem;

// Reads the labelled rows of a shared data set through the ingest stage,
// as `shopsight train` does.
std::vector<Example> read_rows(const fs::path& path, const std::string& text_column) {
  ReaderOptions options;
  options.path = path.string();
  options.columns.label = "label";
  options.columns.text = text_column;
  auto reader = Reader::open(options);
  std::vector<Example> out;
  Item item;
  Reject reject;
  for (ReadStatus status = reader->next(item, reject); status != ReadStatus::end;
       status = reader->next(item, reject)) {
    if (status != ReadStatus::item || item.label.empty()) continue;
    out.push_back(testing::make_example(item.text, item.label, item.category));
  }
  return out;
}

EvalReport measure(const TextClassifier& classifier, const std::vector<Example>& rows) {
  std::vector<std::string> gold;
  std::vector<std::string> predicted;
  for (const Example& example : rows) {
    gold.push_back(classifier.display_label(example.label));
    predicted.push_back(classifier.predict(example.document).label);
  }
  return evaluate(gold, predicted, {});
}

// The shipped configuration (C = 0.5) trained from scratch must keep clearing the bar
// that the model card reports, so a regression in any stage fails here.
TEST(Datasets, ReviewsZhAccuracy) {
  const fs::path folder = fs::path(SHOPSIGHT_DATASETS) / "reviews-zh";
  if (!fs::exists(folder / "train.csv")) GTEST_SKIP() << "reviews-zh is not available";
  TrainOptions options;
  options.regularization = 0.5;
  options.label_names = {{"0", "negative"}, {"1", "positive"}};
  const TextClassifier classifier = TextClassifier::train(read_rows(folder / "train.csv", "review"), {}, options);
  const EvalReport report = measure(classifier, read_rows(folder / "dev.csv", "review"));
  EXPECT_EQ(report.count, 6271);
  EXPECT_GE(report.accuracy, 0.945);
}

TEST(Datasets, ReviewsEnMacroF1) {
  const fs::path folder = fs::path(SHOPSIGHT_DATASETS) / "reviews-en";
  if (!fs::exists(folder / "train.csv")) GTEST_SKIP() << "reviews-en is not available";
  TrainOptions options;
  options.regularization = 0.5;
  options.label_names = {{"0", "negative"}, {"1", "positive"}};
  const TextClassifier classifier =
      TextClassifier::train(read_rows(folder / "train.csv", "title+review"), {}, options);
  const EvalReport report = measure(classifier, read_rows(folder / "dev.csv", "title+review"));
  EXPECT_GT(report.count, 1500);
  EXPECT_GE(report.macro_f1, 0.88);
}

}  // namespace
}  // namespace shopsight

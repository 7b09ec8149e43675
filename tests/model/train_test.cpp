#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/i18n.h"
#include "synthetic.h"

namespace shopsight {
namespace {

TEST(Train, LearnsCueWord) {
  const TextClassifier classifier =
      TextClassifier::train(testing::cue_word_examples(300, 1), {}, testing::small_options());
  ASSERT_EQ(classifier.labels(), (std::vector<std::string>{"0", "1"}));
  int correct = 0;
  const auto test = testing::cue_word_examples(100, 2);
  for (const Example& example : test) correct += classifier.predict(example.document).label == example.label;
  EXPECT_EQ(correct, 100);
  EXPECT_EQ(classifier.predict(testing::make_example("the shirt is great", "").document).label, "1");
  EXPECT_EQ(classifier.predict(testing::make_example("awful delivery", "").document).label, "0");
}

TEST(Train, LabelNamesApplied) {
  TrainOptions options = testing::small_options();
  options.label_names = {{"0", "negative"}, {"1", "positive"}};
  const TextClassifier classifier = TextClassifier::train(testing::cue_word_examples(200, 1), {}, options);
  EXPECT_EQ(classifier.labels(), (std::vector<std::string>{"negative", "positive"}));
  EXPECT_EQ(classifier.display_label("1"), "positive");
  EXPECT_EQ(classifier.display_label("7"), "7");
  EXPECT_EQ(classifier.predict(testing::make_example("great", "").document).label, "positive");
}

TEST(Train, MultiClassLabels) {
  const TextClassifier classifier =
      TextClassifier::train(testing::intent_examples(300, 1), {}, testing::small_options());
  ASSERT_EQ(classifier.labels().size(), 3u);
  const auto test = testing::intent_examples(60, 5);
  for (const Example& example : test) {
    const Prediction prediction = classifier.predict(example.document);
    EXPECT_EQ(prediction.label, example.label);
    float total = 0;
    for (const LabelScore& score : prediction.scores) total += score.probability;
    EXPECT_NEAR(total, 1.0f, 1e-4f);
  }
}

TEST(Train, DevFileUsedAndRecorded) {
  TrainOptions options = testing::small_options();
  const TextClassifier classifier =
      TextClassifier::train(testing::cue_word_examples(200, 1), testing::cue_word_examples(50, 9), options);
  EXPECT_EQ(classifier.metadata().at("*.dev_source"), "dev_file");
  EXPECT_EQ(classifier.metadata().at("*.dev_rows"), "50");
  EXPECT_EQ(classifier.metadata().at("*.dev_accuracy"), "1.0000");
}

TEST(Train, HeldOutSplitStratified) {
  const TextClassifier classifier =
      TextClassifier::train(testing::cue_word_examples(200, 1), {}, testing::small_options());
  EXPECT_EQ(classifier.metadata().at("*.dev_source"), "held_out");
  EXPECT_EQ(classifier.metadata().at("*.dev_rows"), "20");
  EXPECT_EQ(classifier.metadata().at("*.train_rows"), "180");
}

// The metadata keeps a code, so a Chinese run shows Chinese; files written
// before the codes keep their English phrase and show the same.
TEST(Train, DevSourceShownInMessageLanguage) {
  set_language(Language::zh);
  EXPECT_EQ(dev_source_text(dev_source_code(true)), "从训练数据中留出的行");
  EXPECT_EQ(dev_source_text("held-out training rows"), "从训练数据中留出的行");
  EXPECT_EQ(dev_source_text(dev_source_code(false)), "验证文件");
  EXPECT_EQ(dev_source_text("dev file"), "验证文件");
  set_language(Language::en);
  EXPECT_EQ(dev_source_text("dev_file"), "the dev file");
  EXPECT_EQ(dev_source_text("-"), "-");
}

TEST(Train, FixedRegularization) {
  TrainOptions options = testing::small_options();
  options.regularization = 0.5;
  const TextClassifier classifier = TextClassifier::train(testing::cue_word_examples(200, 1), {}, options);
  EXPECT_EQ(classifier.metadata().at("*.c"), "0.5");
}

TEST(Train, SameDataSameModel) {
  const auto data = testing::cue_word_examples(200, 4);
  const TextClassifier first = TextClassifier::train(data, {}, testing::small_options());
  const TextClassifier second = TextClassifier::train(data, {}, testing::small_options());
  for (const Example& example : testing::cue_word_examples(20, 8)) {
    EXPECT_FLOAT_EQ(first.predict(example.document).probability, second.predict(example.document).probability);
  }
}

TEST(Train, EmptyDataRejected) {
  EXPECT_THROW(TextClassifier::train({}, {}, testing::small_options()), Error);
}

TEST(Train, SingleLabelPredictsIt) {
  std::vector<Example> data;
  for (int i = 0; i < 20; ++i) data.push_back(testing::make_example("fine " + std::to_string(i), "ok"));
  const TextClassifier classifier = TextClassifier::train(data, {}, testing::small_options());
  const Prediction prediction = classifier.predict(testing::make_example("anything", "").document);
  EXPECT_EQ(prediction.label, "ok");
  EXPECT_FLOAT_EQ(prediction.probability, 1.0f);
}

// On noisy data the calibrated probabilities must track the observed
// accuracy: rows predicted with about 0.9 confidence are right about 90% of
// the time. Labels flip with probability 0.2, so the best the model can do
// is 0.8 confidence on every row.
TEST(Train, CalibrationTracksNoise) {
  std::vector<Example> train = testing::cue_word_examples(1200, 11);
  std::mt19937 generator(5);
  for (Example& example : train) {
    if (generator() % 5 == 0) example.label = example.label == "1" ? "0" : "1";
  }
  const TextClassifier classifier = TextClassifier::train(train, {}, testing::small_options());
  double confidence = 0;
  const auto test = testing::cue_word_examples(200, 12);
  for (const Example& example : test) confidence += classifier.predict(example.document).probability;
  confidence /= static_cast<double>(test.size());
  EXPECT_GT(confidence, 0.65);
  EXPECT_LT(confidence, 0.92);
  EXPECT_LT(std::stod(classifier.metadata().at(classifier.parts().front() + ".dev_ece")), 0.1);
}

}  // namespace
}  // namespace shopsight

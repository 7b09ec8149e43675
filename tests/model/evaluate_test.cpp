#include <gtest/gtest.h>

#include "model/model.h"

namespace shopsight {
namespace {

TEST(Evaluate, HandComputedBinary) {
  // gold:      p p p n n
  // predicted: p p n n p  -> TP(p)=2, FP(p)=1, FN(p)=1; TP(n)=1, FP(n)=1, FN(n)=1
  const std::vector<std::string> gold = {"pos", "pos", "pos", "neg", "neg"};
  const std::vector<std::string> predicted = {"pos", "pos", "neg", "neg", "pos"};
  const EvalReport report = evaluate(gold, predicted, {});
  EXPECT_EQ(report.count, 5);
  EXPECT_DOUBLE_EQ(report.accuracy, 0.6);
  ASSERT_EQ(report.labels.size(), 2u);
  EXPECT_EQ(report.labels[0].label, "neg");
  EXPECT_DOUBLE_EQ(report.labels[0].precision, 0.5);
  EXPECT_DOUBLE_EQ(report.labels[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(report.labels[0].f1, 0.5);
  EXPECT_EQ(report.labels[0].support, 2);
  EXPECT_DOUBLE_EQ(report.labels[1].precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(report.labels[1].recall, 2.0 / 3.0);
  EXPECT_EQ(report.labels[1].support, 3);
  EXPECT_DOUBLE_EQ(report.macro_f1, (0.5 + 2.0 / 3.0) / 2);
  EXPECT_EQ(report.confusion[0][0], 1);
  EXPECT_EQ(report.confusion[0][1], 1);
  EXPECT_EQ(report.confusion[1][0], 1);
  EXPECT_EQ(report.confusion[1][1], 2);
  EXPECT_TRUE(report.category_accuracy.empty());
}

TEST(Evaluate, PredictedOnlyLabelCounts) {
  const EvalReport report = evaluate({"a", "a"}, {"a", "b"}, {});
  ASSERT_EQ(report.confusion_labels.size(), 2u);
  EXPECT_EQ(report.labels[1].label, "b");
  EXPECT_EQ(report.labels[1].support, 0);
  EXPECT_DOUBLE_EQ(report.labels[1].f1, 0.0);
  // F1(a) = 2 * 1 * 0.5 / 1.5 = 2/3, F1(b) = 0.
  EXPECT_DOUBLE_EQ(report.macro_f1, 1.0 / 3.0);
}

TEST(Evaluate, PerCategoryAccuracy) {
  const EvalReport report = evaluate({"1", "1", "0", "0"}, {"1", "0", "0", "0"}, {"书籍", "书籍", "酒店", "酒店"});
  ASSERT_EQ(report.category_accuracy.size(), 2u);
  EXPECT_EQ(report.category_accuracy.at("书籍").first, 2);
  EXPECT_DOUBLE_EQ(report.category_accuracy.at("书籍").second, 0.5);
  EXPECT_DOUBLE_EQ(report.category_accuracy.at("酒店").second, 1.0);
}

TEST(Evaluate, LengthMismatchRejected) {
  EXPECT_THROW(evaluate({"a"}, {"a", "b"}, {}), std::invalid_argument);
}

TEST(Evaluate, EmptyInput) {
  const EvalReport report = evaluate({}, {}, {});
  EXPECT_EQ(report.count, 0);
  EXPECT_DOUBLE_EQ(report.accuracy, 0.0);
}

}  // namespace
}  // namespace shopsight

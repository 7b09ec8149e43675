#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::llm::EncodeOptions;
using shopsight::llm::Model;
using shopsight::llm::SequenceClassifier;

const std::vector<std::string> kTexts = {"物流很快，包装完好", "质量差，再也不买了", "一般般", "Works as described.",
                                         ""};

EncodeOptions two_threads() {
  EncodeOptions options = shopsight::llm::default_encode_options();
  options.threads = 2;
  return options;
}

TEST(SequenceClassifier, LabelsFromMetadata) {
  const auto model = Model::load(shopsight::testing::generated_model("bert-classifier"),
                                 shopsight::llm::default_model_options());
  SequenceClassifier classifier(*model, two_threads());
  EXPECT_EQ(classifier.labels(), (std::vector<std::string>{"negative", "neutral", "positive"}));
}

TEST(SequenceClassifier, ProbabilitiesSumToOne) {
  const auto model = Model::load(shopsight::testing::generated_model("bert-classifier"),
                                 shopsight::llm::default_model_options());
  SequenceClassifier classifier(*model, two_threads());
  const auto rows = classifier.classify(kTexts);
  ASSERT_EQ(rows.size(), kTexts.size());
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 3u);
    for (float probability : row) {
      EXPECT_GE(probability, 0.0f);
      EXPECT_LE(probability, 1.0f);
    }
    EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-5);
  }

  // Random weights still give each text its own scores.
  EXPECT_NE(rows[0], rows[1]);
}

TEST(SequenceClassifier, CustomLabels) {
  const auto model = Model::load(shopsight::testing::generated_model("bert-classifier", "--labels bad,good"),
                                 shopsight::llm::default_model_options());
  SequenceClassifier classifier(*model, two_threads());
  EXPECT_EQ(classifier.labels(), (std::vector<std::string>{"bad", "good"}));
  const auto rows = classifier.classify({"还行"});
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_NEAR(rows[0][0] + rows[0][1], 1.0f, 1e-5f);
}

TEST(SequenceClassifier, BatchInvariant) {
  const auto model = Model::load(shopsight::testing::generated_model("bert-classifier"),
                                 shopsight::llm::default_model_options());
  SequenceClassifier batched(*model, two_threads());
  EncodeOptions single_options = two_threads();
  single_options.max_sequences = 1;
  SequenceClassifier single(*model, single_options);

  const auto together = batched.classify(kTexts);
  for (std::size_t i = 0; i < kTexts.size(); ++i) {
    const auto alone = single.classify({kTexts[i]});
    for (std::size_t label = 0; label < 3; ++label) {
      EXPECT_NEAR(together[i][label], alone[0][label], 1e-4f) << "text " << i << " label " << label;
    }
  }
}

}  // namespace

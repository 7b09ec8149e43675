#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::llm::EncodeOptions;
using shopsight::llm::Embedder;
using shopsight::llm::Model;
using shopsight::testing::max_difference;

const std::vector<std::string>& sample_texts() {
  static const std::vector<std::string> texts = {
      "电池很耐用，充一次电能用两天。",
      "屏幕太暗了",
      "物流很快，包装完好，客服态度也不错，下次还会再来买。",
      "The battery lasts two days.",
      "一般",
      "质量差，用了一周就坏了，退货还很麻烦，再也不买了。",
      "Great phone, but the camera is weak in low light.",
      "",
  };
  return texts;
}

std::unique_ptr<Model> load(const std::string& kind, const std::string& options = "") {
  return Model::load(shopsight::testing::generated_model(kind, options), shopsight::llm::default_model_options());
}

EncodeOptions small_options() {
  EncodeOptions options = shopsight::llm::default_encode_options();
  options.threads = 2;
  return options;
}

double norm(const std::vector<float>& vector) {
  double sum = 0;
  for (float value : vector) sum += static_cast<double>(value) * value;
  return std::sqrt(sum);
}

TEST(Embedder, DimensionAndUnitNorm) {
  const auto model = load("bert");
  Embedder embedder(*model, small_options());
  EXPECT_EQ(embedder.dimension(), 64);

  const auto vectors = embedder.embed(sample_texts());
  ASSERT_EQ(vectors.size(), sample_texts().size());
  for (const auto& vector : vectors) {
    ASSERT_EQ(vector.size(), 64u);
    EXPECT_NEAR(norm(vector), 1.0, 1e-5);
  }
}

TEST(Embedder, EmptyInput) {
  const auto model = load("bert");
  Embedder embedder(*model, small_options());
  EXPECT_TRUE(embedder.embed({}).empty());
}

TEST(Embedder, DistinctTextsDiffer) {
  const auto model = load("bert");
  Embedder embedder(*model, small_options());
  const auto vectors = embedder.embed({"电池很耐用", "屏幕太暗了"});
  EXPECT_GT(max_difference(vectors[0], vectors[1]), 1e-3f);
}

TEST(Embedder, Deterministic) {
  const auto model = load("bert");
  Embedder first(*model, small_options());
  Embedder second(*model, small_options());
  const auto a = first.embed(sample_texts());
  const auto b = second.embed(sample_texts());
  const auto again = first.embed(sample_texts());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i], b[i]) << "text " << i;
    EXPECT_EQ(a[i], again[i]) << "text " << i;
  }
}

TEST(Embedder, BatchInvariant) {
  const auto model = load("bert");
  Embedder batched(*model, small_options());
  const auto together = batched.embed(sample_texts());

  EncodeOptions one_at_a_time = small_options();
  one_at_a_time.max_sequences = 1;
  Embedder single(*model, one_at_a_time);

  EncodeOptions narrow = small_options();
  narrow.max_sequences = 3;
  narrow.decode_tokens = 40;
  Embedder small_batches(*model, narrow);
  const auto in_small_batches = small_batches.embed(sample_texts());

  for (std::size_t i = 0; i < sample_texts().size(); ++i) {
    const auto alone = single.embed({sample_texts()[i]});
    EXPECT_LT(max_difference(together[i], alone[0]), 1e-4f) << "text " << i;
    EXPECT_LT(max_difference(together[i], in_small_batches[i]), 1e-4f) << "text " << i;
  }
}

TEST(Embedder, ManyBatchesMatchSingle) {
  const auto model = load("bert");

  // Lengths from 1 to 40 characters in shuffled order and 4 texts per call,
  // so the encoder plans ten calls, decodes the one with the longest texts
  // first, and reuses one llama_batch for all of them.
  std::vector<std::string> texts;
  for (int length : {7, 33, 1, 18, 40, 12, 25, 3, 38, 9, 21, 15, 30, 5, 27, 11, 36, 2, 23, 14,
                     39, 6, 19, 31, 10, 26, 4, 35, 16, 29, 8, 37, 13, 22, 34, 17, 28, 20, 32, 24}) {
    std::string text;
    for (int i = 0; i < length; ++i) text += (i % 3 == 0) ? "好" : (i % 3 == 1) ? "电" : "池";
    texts.push_back(text + std::to_string(length));
  }

  EncodeOptions four_per_call = small_options();
  four_per_call.max_sequences = 4;
  Embedder batched(*model, four_per_call);
  const auto together = batched.embed(texts);
  ASSERT_EQ(together.size(), texts.size());

  EncodeOptions one_at_a_time = small_options();
  one_at_a_time.max_sequences = 1;
  Embedder single(*model, one_at_a_time);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto alone = single.embed({texts[i]});
    EXPECT_LT(max_difference(together[i], alone[0]), 1e-4f) << "text " << i;
  }

  // A second, smaller request on the same embedder must not see tokens left
  // over from the first one's calls.
  const auto again = batched.embed({texts[4], texts[2]});
  EXPECT_LT(max_difference(again[0], together[4]), 1e-4f);
  EXPECT_LT(max_difference(again[1], together[2]), 1e-4f);
}

TEST(Embedder, OrderFollowsInput) {
  const auto model = load("bert");
  Embedder embedder(*model, small_options());
  std::vector<std::string> reversed(sample_texts().rbegin(), sample_texts().rend());
  const auto forward = embedder.embed(sample_texts());
  const auto backward = embedder.embed(reversed);
  for (std::size_t i = 0; i < forward.size(); ++i) {
    EXPECT_LT(max_difference(forward[i], backward[forward.size() - 1 - i]), 1e-4f) << "text " << i;
  }
}

TEST(Embedder, LongTextsAreCut) {
  const auto model = load("bert", "--context 32");
  Embedder embedder(*model, small_options());

  // Both texts exceed 32 tokens and differ only after the 40th character, so
  // the cut leaves them equal; each Chinese character is one token.
  std::string common;
  for (int i = 0; i < 40; ++i) common += "好";
  const auto vectors = embedder.embed({common + "电池很耐用", common + "屏幕太暗了", "短"});
  ASSERT_EQ(vectors.size(), 3u);
  EXPECT_LT(max_difference(vectors[0], vectors[1]), 1e-5f);
  EXPECT_NEAR(norm(vectors[0]), 1.0, 1e-5);
  EXPECT_GT(max_difference(vectors[0], vectors[2]), 1e-3f);
}

TEST(Embedder, ContextOptionCuts) {
  const auto model = load("bert");
  EncodeOptions options = small_options();
  options.context = 8;
  Embedder embedder(*model, options);
  const auto vectors = embedder.embed({"一二三四五六七八九十", "一二三四五六七八甲乙"});
  EXPECT_LT(max_difference(vectors[0], vectors[1]), 1e-5f);
}

}  // namespace

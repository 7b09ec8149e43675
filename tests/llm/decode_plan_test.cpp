#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::llm::DecodeCall;
using shopsight::llm::EncodeOptions;
using shopsight::llm::Embedder;
using shopsight::llm::Model;
using shopsight::llm::plan_decode_calls;
using shopsight::testing::max_difference;

// Token counts from 1 to 90 in a fixed shuffled order.
std::vector<std::size_t> shuffled_counts() {
  std::vector<std::size_t> counts;
  for (std::size_t i = 0; i < 90; ++i) counts.push_back((i * 37) % 90 + 1);
  return counts;
}

// How often each text index occurs in `calls`.
std::vector<int> occurrences(const std::vector<DecodeCall>& calls, std::size_t texts) {
  std::vector<int> seen(texts, 0);
  for (const DecodeCall& call : calls) {
    for (std::size_t index : call.texts) {
      if (index < texts) ++seen[index];
    }
  }
  return seen;
}

TEST(PlanDecodeCalls, RespectsBothCaps) {
  const std::vector<std::size_t> counts = shuffled_counts();
  for (bool grouped : {true, false}) {
    const auto calls = plan_decode_calls(counts, 100, 4, grouped);
    for (const DecodeCall& call : calls) {
      ASSERT_FALSE(call.texts.empty());
      EXPECT_LE(call.texts.size(), 4u);
      EXPECT_LE(call.tokens, 100u);
      std::size_t sum = 0;
      for (std::size_t index : call.texts) sum += counts[index];
      EXPECT_EQ(call.tokens, sum);
    }
  }
}

TEST(PlanDecodeCalls, EveryTextExactlyOnce) {
  const std::vector<std::size_t> counts = shuffled_counts();
  for (bool grouped : {true, false}) {
    const auto seen = occurrences(plan_decode_calls(counts, 64, 8, grouped), counts.size());
    for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "text " << i;
  }
}

TEST(PlanDecodeCalls, LongTextGetsOwnCall) {
  const auto calls = plan_decode_calls({10, 300, 20}, 100, 64, true);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].texts, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(calls[1].texts, (std::vector<std::size_t>{1}));
  EXPECT_EQ(calls[1].tokens, 300u);
}

TEST(PlanDecodeCalls, GroupsBySortedLength) {
  const std::vector<std::size_t> counts = shuffled_counts();
  std::vector<std::size_t> lengths;
  for (const DecodeCall& call : plan_decode_calls(counts, 128, 16, true)) {
    for (std::size_t index : call.texts) lengths.push_back(counts[index]);
  }
  EXPECT_TRUE(std::is_sorted(lengths.begin(), lengths.end()));
}

TEST(PlanDecodeCalls, KeepsInputOrderUngrouped) {
  std::vector<std::size_t> indices;
  for (const DecodeCall& call : plan_decode_calls(shuffled_counts(), 128, 16, false)) {
    indices.insert(indices.end(), call.texts.begin(), call.texts.end());
  }
  std::vector<std::size_t> expected(shuffled_counts().size());
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  EXPECT_EQ(indices, expected);
}

TEST(PlanDecodeCalls, FillsCallsUpToCap) {
  // Twenty texts of 10 tokens and a cap of 64 tokens: six texts per call.
  const auto calls = plan_decode_calls(std::vector<std::size_t>(20, 10), 64, 256, true);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].tokens, 60u);
  EXPECT_EQ(calls[3].tokens, 20u);
}

TEST(PlanDecodeCalls, EmptyInput) { EXPECT_TRUE(plan_decode_calls({}, 64, 8, true).empty()); }

TEST(DefaultEncodeOptions, DecodeTokensOverride) {
  const int built_in = EncodeOptions{}.decode_tokens;
  shopsight::llm::set_default_decode_tokens(100);
  EXPECT_EQ(shopsight::llm::default_encode_options().decode_tokens, 100);
  shopsight::llm::set_default_decode_tokens(0);
  EXPECT_EQ(shopsight::llm::default_encode_options().decode_tokens, built_in);
}

// Forty texts of 1 to 40 Chinese characters (one token each) plus digits, in
// shuffled order.
std::vector<std::string> texts_of_many_lengths() {
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) {
    const int length = (i * 17) % 40 + 1;
    std::string text;
    for (int c = 0; c < length; ++c) text += (c % 2 == 0) ? "好" : "电";
    texts.push_back(text + std::to_string(i));
  }
  return texts;
}

// Encoder options that split forty texts into many calls of at most 48 tokens.
EncodeOptions small_call_options() {
  EncodeOptions options = shopsight::llm::default_encode_options();
  options.threads = 2;
  options.decode_tokens = 48;
  return options;
}

TEST(EmbedderDecodeCalls, StayUnderDecodeTokens) {
  const auto model = Model::load(shopsight::testing::generated_model("bert"), shopsight::llm::default_model_options());
  Embedder embedder(*model, small_call_options());

  const std::vector<std::string> texts = texts_of_many_lengths();
  const auto vectors = embedder.embed(texts);
  ASSERT_EQ(vectors.size(), texts.size());

  const std::vector<DecodeCall>& calls = embedder.last_decode_calls();
  EXPECT_GT(calls.size(), 10u);
  for (const DecodeCall& call : calls) {
    ASSERT_FALSE(call.texts.empty());
    EXPECT_LE(call.tokens, 48u);
  }
  const auto seen = occurrences(calls, texts.size());
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "text " << i;
}

TEST(EmbedderDecodeCalls, ResultsFollowInputOrder) {
  const auto model = Model::load(shopsight::testing::generated_model("bert"), shopsight::llm::default_model_options());
  const EncodeOptions small_calls = small_call_options();
  Embedder planned(*model, small_calls);

  EncodeOptions one_at_a_time = small_calls;
  one_at_a_time.max_sequences = 1;
  Embedder single(*model, one_at_a_time);

  // One request of forty texts, split by the embedder into calls of at most
  // 48 tokens, must give what forty requests of one text give.
  const std::vector<std::string> texts = texts_of_many_lengths();
  const auto together = planned.embed(texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto alone = single.embed({texts[i]});
    EXPECT_LT(max_difference(together[i], alone[0]), 1e-4f) << "text " << i;
  }
}

TEST(EmbedderDecodeCalls, LastCallsDescribeLastRequest) {
  const auto model = Model::load(shopsight::testing::generated_model("bert"), shopsight::llm::default_model_options());
  EncodeOptions options = shopsight::llm::default_encode_options();
  options.threads = 2;
  Embedder embedder(*model, options);
  embedder.embed(texts_of_many_lengths());
  embedder.embed({"屏幕太暗了"});
  ASSERT_EQ(embedder.last_decode_calls().size(), 1u);
  EXPECT_EQ(embedder.last_decode_calls()[0].texts, (std::vector<std::size_t>{0}));
}

}  // namespace

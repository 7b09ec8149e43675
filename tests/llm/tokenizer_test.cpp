// Tokenization against the expected token ids that llama.cpp ships beside
// its vocabulary-only models, plus Chinese cases of our own.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::llm::Model;

/// One text and the token ids llama.cpp's reference tokenizer gives it.
struct TokenizerCase {
  std::string text;
  std::vector<std::int32_t> tokens;
};

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The .inp file contains the texts, each followed by a line
// "__ggml_vocab_test__". The .out file contains one line of space-separated
// token ids per text, tokenized without start or end tokens.
std::vector<TokenizerCase> read_cases(const std::string& vocab_path) {
  const std::string inputs = read_file(vocab_path + ".inp");
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<TokenizerCase> cases;
  std::size_t start = 0;
  while (start < inputs.size()) {
    std::size_t end = inputs.find(separator, start);
    if (end == std::string::npos) end = inputs.size();
    cases.push_back({inputs.substr(start, end - start), {}});
    start = end + separator.size();
  }

  std::ifstream outputs(vocab_path + ".out");
  std::string line;
  for (TokenizerCase& each : cases) {
    if (!std::getline(outputs, line)) break;
    std::istringstream ids(line);
    std::int32_t id = 0;
    while (ids >> id) each.tokens.push_back(id);
  }
  return cases;
}

std::unique_ptr<Model> load_vocabulary(const std::string& name) {
  shopsight::llm::ModelOptions options = shopsight::llm::default_model_options();
  options.vocabulary_only = true;
  return Model::load(shopsight::testing::vocab_file(name), options);
}

class ReferenceTokenization : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceTokenization, MatchesLlamaCpp) {
  const std::string path = shopsight::testing::vocab_file(GetParam());
  const std::vector<TokenizerCase> cases = read_cases(path);
  ASSERT_GE(cases.size(), 30u) << path;

  const auto model = load_vocabulary(GetParam());
  for (const TokenizerCase& each : cases) {
    EXPECT_EQ(model->tokenize(each.text, false), each.tokens) << "text: \"" << each.text << "\"";
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, ReferenceTokenization,
                         ::testing::Values("bert-bge", "qwen2", "llama-bpe", "llama-spm", "gpt-2",
                                           "deepseek-llm"));

TEST(Tokenizer, ReferenceHasChineseCase) {
  const std::vector<TokenizerCase> cases = read_cases(shopsight::testing::vocab_file("qwen2"));
  bool found = false;
  for (const TokenizerCase& each : cases) found = found || each.text.find("我想在") != std::string::npos;
  EXPECT_TRUE(found);
}

TEST(Tokenizer, BgeMissesMostChinese) {
  const auto model = load_vocabulary("bert-bge");
  const std::vector<std::int32_t> tokens = model->tokenize("电池", false);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(model->token_text(tokens[0]), "[UNK]");
  EXPECT_EQ(model->token_text(tokens[1]), "[UNK]");
}

TEST(Tokenizer, TestBertSplitsChinese) {
  shopsight::llm::ModelOptions options = shopsight::llm::default_model_options();
  options.vocabulary_only = true;
  const auto model = Model::load(shopsight::testing::generated_model("bert"), options);
  const std::vector<std::int32_t> tokens = model->tokenize("电池很耐用 good", false);
  ASSERT_EQ(tokens.size(), 6u);

  // A token that starts a word reads with a leading space.
  EXPECT_EQ(model->token_text(tokens[0]), " 电");
  EXPECT_EQ(model->token_text(tokens[4]), " 用");
  EXPECT_EQ(model->token_text(tokens[5]), " good");
}

TEST(Tokenizer, BertAddsClsAndSep) {
  const auto model = load_vocabulary("bert-bge");
  const std::vector<std::int32_t> tokens = model->tokenize("好评", true);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(model->token_text(tokens.front()), "[CLS]");
  EXPECT_EQ(model->token_text(tokens.back()), "[SEP]");
}

TEST(Tokenizer, Qwen2ChineseRoundTrip) {
  const auto model = load_vocabulary("qwen2");
  const std::string text = "这款手机的电池很耐用，但是屏幕有点暗。Battery OK!";
  const std::vector<std::int32_t> tokens = model->tokenize(text, false);
  ASSERT_FALSE(tokens.empty());
  EXPECT_LT(tokens.size(), text.size() / 2);

  std::string joined;
  for (std::int32_t token : tokens) joined += model->token_text(token);
  EXPECT_EQ(joined, text);
}

TEST(Tokenizer, SpecialTextStaysPlainByDefault) {
  const auto model = load_vocabulary("qwen2");
  const std::vector<std::int32_t> plain = model->tokenize("<|im_start|>", false);
  const std::vector<std::int32_t> parsed = model->tokenize("<|im_start|>", false, true);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(model->token_text(parsed[0]), "<|im_start|>");
}

TEST(Tokenizer, TokenTextRejectsBadId) {
  const auto model = load_vocabulary("bert-bge");
  EXPECT_THROW(model->token_text(-1), shopsight::Error);
  EXPECT_THROW(model->token_text(1 << 30), shopsight::Error);
}

}  // namespace

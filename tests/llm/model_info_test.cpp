#include <gtest/gtest.h>

#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::llm::Model;
using shopsight::llm::ModelInfo;

ModelInfo info_of(const std::string& path) {
  return Model::load(path, shopsight::llm::default_model_options())->info();
}

TEST(ModelInfo, Bert) {
  const std::string path = shopsight::testing::generated_model("bert");
  const ModelInfo info = info_of(path);
  EXPECT_EQ(info.path, path);
  EXPECT_EQ(info.architecture, "bert");
  EXPECT_EQ(info.name, "shopsight test bert");
  // llama.cpp calls the size class of this small model "?B"; only the rest is shown.
  EXPECT_TRUE(info.description.starts_with("bert ")) << info.description;
  EXPECT_EQ(info.description.find("?B"), std::string::npos) << info.description;
  EXPECT_GT(info.parameters, 34091u * 64u);
  EXPECT_GT(info.size_bytes, 0u);
  EXPECT_EQ(info.context_length, 512);
  EXPECT_EQ(info.embedding_size, 64);
  EXPECT_EQ(info.layers, 2);
  // bge's 30,522 tokens and the 3,569 common Chinese characters bge lacks.
  EXPECT_EQ(info.vocabulary_size, 34091);
  EXPECT_EQ(info.vocabulary_type, "wpm");
  EXPECT_EQ(info.pooling, "mean");
  EXPECT_TRUE(info.has_encoder);
  EXPECT_FALSE(info.has_decoder);
  EXPECT_TRUE(info.class_labels.empty());
  EXPECT_TRUE(info.chat_template.empty());
}

TEST(ModelInfo, BertClassifier) {
  const ModelInfo info = info_of(shopsight::testing::generated_model("bert-classifier"));
  EXPECT_EQ(info.architecture, "bert");
  EXPECT_EQ(info.pooling, "rank");
  EXPECT_TRUE(info.has_encoder);
  EXPECT_FALSE(info.has_decoder);
  EXPECT_EQ(info.class_labels, (std::vector<std::string>{"negative", "neutral", "positive"}));
}

TEST(ModelInfo, Llama) {
  const ModelInfo info = info_of(shopsight::testing::generated_model("llama"));
  EXPECT_EQ(info.architecture, "llama");
  EXPECT_EQ(info.vocabulary_type, "bpe");
  EXPECT_EQ(info.vocabulary_size, 151936);
  EXPECT_EQ(info.layers, 2);
  EXPECT_EQ(info.embedding_size, 64);
  EXPECT_EQ(info.pooling, "none");
  EXPECT_FALSE(info.has_encoder);
  EXPECT_TRUE(info.has_decoder);
  EXPECT_TRUE(info.class_labels.empty());
  EXPECT_NE(info.chat_template.find("<|im_start|>"), std::string::npos);
}

TEST(ModelInfo, ShapeOptions) {
  const ModelInfo info =
      info_of(shopsight::testing::generated_model("bert", "--layers 3 --hidden 96 --heads 6 --context 128"));
  EXPECT_EQ(info.layers, 3);
  EXPECT_EQ(info.embedding_size, 96);
  EXPECT_EQ(info.context_length, 128);
}

TEST(ModelInfo, VocabularyOnly) {
  shopsight::llm::ModelOptions options = shopsight::llm::default_model_options();
  options.vocabulary_only = true;
  const ModelInfo info = Model::load(shopsight::testing::vocab_file("qwen2"), options)->info();
  EXPECT_EQ(info.architecture, "qwen2");
  EXPECT_EQ(info.vocabulary_size, 151936);
  EXPECT_EQ(info.parameters, 0u);
  EXPECT_EQ(info.context_length, 32768);
  EXPECT_FALSE(info.chat_template.empty());
}

}  // namespace

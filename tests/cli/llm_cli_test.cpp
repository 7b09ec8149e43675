// End-to-end tests of `shopsight analyze` with generated GGUF models: a
// random-weight decoder for --llm and a BERT classifier for --sentiment-model.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/test_models.h"
#include "support/run_shopsight.h"

namespace {

namespace fs = std::filesystem;

using shopsight::testing::generated_model;
using shopsight::testing::long_context_decoder;
using shopsight::testing::run_shopsight;

const char* kReviews =
    "id,review\n"
    "r1,质量很好，物流也快，很满意\n"
    "r2,\"Battery life is awful, and the charger gets hot.\"\n"
    "r3,包装破了，客服电话13812345678一直打不通\n";

class LlmCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("llm_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    input_ = dir_ / "reviews.csv";
    std::ofstream(input_) << kReviews;
  }

  void TearDown() override { fs::remove_all(dir_); }

  std::vector<nlohmann::json> read_jsonl(const fs::path& path) const {
    std::vector<nlohmann::json> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
    return rows;
  }

  fs::path dir_;
  fs::path input_;
};

void expect_aspect_shape(const nlohmann::json& aspect) {
  for (const char* key : {"category", "polarity", "aspect", "aspect_begin", "aspect_end", "opinion", "opinion_begin",
                          "opinion_end"}) {
    EXPECT_TRUE(aspect.contains(key)) << key;
  }
  EXPECT_TRUE(aspect["category"].is_string());
  const std::string polarity = aspect["polarity"];
  EXPECT_TRUE(polarity == "positive" || polarity == "negative" || polarity == "neutral") << polarity;
  EXPECT_TRUE(aspect["aspect"].is_string() || aspect["aspect"].is_null());
  EXPECT_EQ(aspect["aspect_begin"].is_null(), aspect["aspect_end"].is_null());
  EXPECT_EQ(aspect["opinion_begin"].is_null(), aspect["opinion_end"].is_null());
}

TEST_F(LlmCliTest, LlmWithClassifier) {
  const fs::path output = dir_ / "out.jsonl";
  const auto result = run_shopsight("analyze " + input_.string() + " --llm " + long_context_decoder() +
                                    " --sentiment-model " + generated_model("bert-classifier") +
                                    " --llm-threads 1 --temperature 1 --seed 3 --summary --output " + output.string());
  ASSERT_EQ(result.status, 0) << result.output;

  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    const std::string label = row["sentiment"]["label"];
    EXPECT_TRUE(label == "positive" || label == "negative" || label == "neutral") << label;
    const float probability = row["sentiment"]["probability"];
    EXPECT_GE(probability, 0.0f);
    EXPECT_LE(probability, 1.0f);
    ASSERT_TRUE(row["aspects"].is_array());
    EXPECT_LE(row["aspects"].size(), 8u);
    for (const auto& aspect : row["aspects"]) expect_aspect_shape(aspect);
    ASSERT_TRUE(row.contains("summary"));
    EXPECT_TRUE(row["summary"].is_string());
  }
  EXPECT_EQ(rows[2]["text"].get<std::string>().find("13812345678"), std::string::npos);
}

TEST_F(LlmCliTest, SeedRepeatsOutput) {
  const std::string common = "analyze " + input_.string() + " --llm " + long_context_decoder() +
                             " --llm-threads 1 --temperature 0.8 --seed 9 --output ";
  ASSERT_EQ(run_shopsight(common + (dir_ / "a.jsonl").string()).status, 0);
  ASSERT_EQ(run_shopsight(common + (dir_ / "b.jsonl").string()).status, 0);
  EXPECT_EQ(read_jsonl(dir_ / "a.jsonl"), read_jsonl(dir_ / "b.jsonl"));
  EXPECT_FALSE(read_jsonl(dir_ / "a.jsonl")[0].contains("summary"));
}

TEST_F(LlmCliTest, UnnamedLabelsAccepted) {
  const auto result = run_shopsight("analyze " + input_.string() + " --sentiment-model " +
                                    generated_model("bert-classifier", "--labels LABEL_0,LABEL_1") +
                                    " --output " + (dir_ / "out.jsonl").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("LABEL_0"), std::string::npos);
  EXPECT_EQ(read_jsonl(dir_ / "out.jsonl").size(), 3u);
}

TEST_F(LlmCliTest, SentimentThreadsOption) {
  const std::string common = "analyze " + input_.string() + " --sentiment-model " + generated_model("bert-classifier");
  ASSERT_EQ(run_shopsight(common + " --output " + (dir_ / "all.jsonl").string()).status, 0);
  const auto one = run_shopsight(common + " --sentiment-threads 1 --output " + (dir_ / "one.jsonl").string());
  ASSERT_EQ(one.status, 0) << one.output;
  const auto all = read_jsonl(dir_ / "all.jsonl");
  const auto single = read_jsonl(dir_ / "one.jsonl");
  ASSERT_EQ(single.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(single[i]["sentiment"]["label"], all[i]["sentiment"]["label"]) << i;
  }

  const auto invalid = run_shopsight(common + " --sentiment-threads -1");
  EXPECT_EQ(invalid.status, 2) << invalid.output;
  EXPECT_NE(invalid.output.find("--sentiment-threads"), std::string::npos) << invalid.output;
}

TEST_F(LlmCliTest, UnknownLabelsRejected) {
  const auto result = run_shopsight("analyze " + input_.string() + " --sentiment-model " +
                                    generated_model("bert-classifier", "--labels sports,politics,music") +
                                    " --output " + (dir_ / "out.jsonl").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("sports, politics, music"), std::string::npos) << result.output;
}

TEST_F(LlmCliTest, MissingLlmFileFails) {
  const auto result = run_shopsight("analyze " + input_.string() + " --llm " + (dir_ / "missing.gguf").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("missing.gguf"), std::string::npos) << result.output;
}

TEST_F(LlmCliTest, EncoderAsLlmFails) {
  const auto result = run_shopsight("analyze " + input_.string() + " --llm " + generated_model("bert"));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("encoder"), std::string::npos) << result.output;
}

TEST_F(LlmCliTest, NonGgufLlmFails) {
  const auto result = run_shopsight("analyze " + input_.string() + " --llm " + input_.string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("reviews.csv"), std::string::npos) << result.output;
}

TEST_F(LlmCliTest, MissingSentimentModelFails) {
  const auto result = run_shopsight("analyze " + input_.string() + " --sentiment-model " +
                                    (dir_ / "missing-classifier.gguf").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("missing-classifier.gguf"), std::string::npos) << result.output;
}

TEST_F(LlmCliTest, SummaryNeedsLlm) {
  const auto result = run_shopsight("analyze " + input_.string() + " --summary");
  EXPECT_EQ(result.status, 2) << result.output;
}

TEST_F(LlmCliTest, EvalLabelNamesMapData) {
  const fs::path data = dir_ / "labelled.csv";
  std::ofstream(data) << "review,label\n物流很快,1\n质量太差,0\nGreat fit,1\n";
  const std::string command = "eval --model " + generated_model("bert-classifier", "--labels negative,positive") +
                              " --data " + data.string() + " --label label";

  const auto unmapped = run_shopsight(command);
  EXPECT_EQ(unmapped.status, 0) << unmapped.output;
  EXPECT_NE(unmapped.output.find("--label-names"), std::string::npos) << unmapped.output;

  const auto mapped = run_shopsight(command + " --label-names 0=negative,1=positive");
  EXPECT_EQ(mapped.status, 0) << mapped.output;
  EXPECT_EQ(mapped.output.find("--label-names"), std::string::npos) << mapped.output;
}

}  // namespace

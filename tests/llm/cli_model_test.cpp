// End-to-end runs of `shopsight model info`.

#include <ggml.h>
#include <gguf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "llm/test_models.h"
#include "support/run_shopsight.h"

namespace {

using shopsight::testing::generated_model;
using shopsight::testing::run_shopsight;

// Runs `model info --output-format json` with standard output in a file.
// run_shopsight sends standard error to the same place, so logging is off.
nlohmann::json info_json(const std::string& path) {
  const std::filesystem::path output =
      std::filesystem::path(SHOPSIGHT_TEST_MODEL_DIR) / ("info-" + std::to_string(::getpid()) + ".json");
  const auto result =
      run_shopsight("--log-level off model info --output-format json '" + path + "' > '" + output.string() + "'");
  EXPECT_EQ(result.status, 0) << result.output;
  std::ifstream file(output);
  nlohmann::json info = nlohmann::json::parse(file);
  std::filesystem::remove(output);
  return info;
}

TEST(ModelInfoCommand, TextOutput) {
  const std::string path = generated_model("bert-classifier");
  const auto result = run_shopsight("--lang en model info '" + path + "'");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("architecture:      bert"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("pooling:           rank"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("class labels:      negative, neutral, positive"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("chat template:     (none)"), std::string::npos) << result.output;
}

TEST(ModelInfoCommand, JsonEncoder) {
  const std::string path = generated_model("bert");
  const nlohmann::json info = info_json(path);
  EXPECT_EQ(info["path"], path);
  EXPECT_EQ(info["architecture"], "bert");
  EXPECT_EQ(info["name"], "shopsight test bert");
  EXPECT_EQ(info["layers"], 2);
  EXPECT_EQ(info["embedding_size"], 64);
  EXPECT_EQ(info["context_length"], 512);
  EXPECT_EQ(info["vocabulary_type"], "wpm");
  EXPECT_EQ(info["pooling"], "mean");
  EXPECT_EQ(info["has_encoder"], true);
  EXPECT_EQ(info["has_decoder"], false);
  EXPECT_TRUE(info["class_labels"].empty());
  EXPECT_GT(info["parameters"].get<std::uint64_t>(), 0u);
  EXPECT_GT(info["size_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(info["description"].get<std::string>().empty());
}

TEST(ModelInfoCommand, JsonDecoder) {
  const nlohmann::json info = info_json(generated_model("llama"));
  EXPECT_EQ(info["architecture"], "llama");
  EXPECT_EQ(info["vocabulary_type"], "bpe");
  EXPECT_EQ(info["vocabulary_size"], 151936);
  EXPECT_EQ(info["has_decoder"], true);
  EXPECT_NE(info["chat_template"].get<std::string>().find("<|im_start|>"), std::string::npos);
}

TEST(ModelInfoCommand, JsonLabels) {
  const nlohmann::json info = info_json(generated_model("bert-classifier", "--labels 差评,中评,好评"));
  EXPECT_EQ(info["class_labels"], (nlohmann::json{"差评", "中评", "好评"}));
}

TEST(ModelInfoCommand, NotGguf) {
  const std::filesystem::path path =
      std::filesystem::path(SHOPSIGHT_TEST_MODEL_DIR) / ("not-a-model-" + std::to_string(::getpid()) + ".gguf");
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "id,text\n1,很好\n";
  const auto result = run_shopsight("--lang en model info '" + path.string() + "'");
  std::filesystem::remove(path);
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find(path.string() + " is not a GGUF model file"), std::string::npos) << result.output;
}

// Writes a GGUF file of an architecture that llama.cpp does not support, with the
// metadata keys that converters write and one small tensor.
std::filesystem::path write_unknown_architecture() {
  const std::filesystem::path path =
      std::filesystem::path(SHOPSIGHT_TEST_MODEL_DIR) / ("future-" + std::to_string(::getpid()) + ".gguf");
  std::filesystem::create_directories(path.parent_path());
  gguf_context* gguf = gguf_init_empty();
  gguf_set_val_str(gguf, "general.architecture", "future-net");
  gguf_set_val_str(gguf, "general.name", "future model");
  gguf_set_val_u32(gguf, "future-net.context_length", 4096);
  gguf_set_val_u32(gguf, "future-net.block_count", 6);
  gguf_set_val_u32(gguf, "future-net.embedding_length", 8);
  gguf_set_val_str(gguf, "tokenizer.ggml.model", "gpt2");
  const char* tokens[] = {"a", "b", "c"};
  gguf_set_arr_str(gguf, "tokenizer.ggml.tokens", tokens, 3);
  gguf_set_val_str(gguf, "tokenizer.chat_template", "{{ messages }}");

  ggml_init_params params{};
  params.mem_size = 1 << 16;
  ggml_context* context = ggml_init(params);
  ggml_tensor* weight = ggml_new_tensor_2d(context, GGML_TYPE_F32, 8, 4);
  ggml_set_name(weight, "token_embd.weight");
  gguf_add_tensor(gguf, weight);
  EXPECT_TRUE(gguf_write_to_file(gguf, path.c_str(), false));
  gguf_free(gguf);
  ggml_free(context);
  return path;
}

TEST(ModelInfoCommand, UnknownArchitectureFromHeader) {
  const std::filesystem::path path = write_unknown_architecture();
  const std::filesystem::path output = path.string() + ".json";
  const auto result = run_shopsight("--log-level off model info --output-format json '" + path.string() + "' > '" +
                                    output.string() + "'");
  EXPECT_EQ(result.status, 1) << result.output;
  std::ifstream file(output);
  const nlohmann::json info = nlohmann::json::parse(file, nullptr, false);
  std::filesystem::remove(path);
  std::filesystem::remove(output);

  ASSERT_TRUE(info.is_object()) << result.output;
  EXPECT_EQ(info["architecture"], "future-net");
  EXPECT_EQ(info["name"], "future model");
  EXPECT_EQ(info["context_length"], 4096);
  EXPECT_EQ(info["layers"], 6);
  EXPECT_EQ(info["vocabulary_size"], 3);
  EXPECT_EQ(info["vocabulary_type"], "bpe");
  EXPECT_EQ(info["parameters"], 32);
  EXPECT_EQ(info["chat_template"], "{{ messages }}");
  EXPECT_EQ(info["loadable"], false);
  EXPECT_NE(info["load_error"].get<std::string>().find("llama.cpp failed to load"), std::string::npos) << info;
}

TEST(ModelInfoCommand, TruncatedWeightsShowHeader) {
  const std::string source = generated_model("bert");
  const std::filesystem::path path =
      std::filesystem::path(SHOPSIGHT_TEST_MODEL_DIR) / ("cut-" + std::to_string(::getpid()) + ".gguf");
  std::filesystem::copy_file(source, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  const auto result = run_shopsight("--lang en model info '" + path.string() + "'");
  std::filesystem::remove(path);
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("architecture:      bert"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("loadable:          no, read from the GGUF header only"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("truncated"), std::string::npos) << result.output;
}

TEST(ModelInfoCommand, MissingPath) {
  const auto result = run_shopsight("model info");
  EXPECT_EQ(result.status, 2) << result.output;
}

}  // namespace

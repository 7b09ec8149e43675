#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "llm/llm.h"
#include "llm/test_models.h"

namespace {

using shopsight::Error;
using shopsight::llm::Model;

/// Runs `action` and returns the message of the shopsight::Error it throws, or "" when none.
template <typename Action>
std::string error_message(Action action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

std::filesystem::path scratch_file(const std::string& name) {
  const std::filesystem::path directory = std::filesystem::path(SHOPSIGHT_TEST_MODEL_DIR) / "scratch";
  std::filesystem::create_directories(directory);
  return directory / (std::to_string(::getpid()) + "-" + name);
}

TEST(ModelErrors, MissingFile) {
  const std::string message = error_message(
      [] { Model::load("/nonexistent/shopsight/model.gguf", shopsight::llm::default_model_options()); });
  EXPECT_NE(message.find("/nonexistent/shopsight/model.gguf"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST(ModelErrors, NotGguf) {
  const std::filesystem::path path = scratch_file("reviews.csv");
  std::ofstream(path) << "id,text\n1,电池很耐用\n";
  const std::string message =
      error_message([&] { Model::load(path.string(), shopsight::llm::default_model_options()); });
  std::filesystem::remove(path);
  EXPECT_NE(message.find(path.string() + " is not a GGUF model file"), std::string::npos) << message;
}

TEST(ModelErrors, EmptyFile) {
  const std::filesystem::path path = scratch_file("empty.gguf");
  std::ofstream(path).close();
  const std::string message =
      error_message([&] { Model::load(path.string(), shopsight::llm::default_model_options()); });
  std::filesystem::remove(path);
  EXPECT_NE(message.find("is not a GGUF model file"), std::string::npos) << message;
}

TEST(ModelErrors, TruncatedGguf) {
  const std::string source = shopsight::testing::generated_model("bert");
  const std::filesystem::path path = scratch_file("truncated.gguf");
  std::filesystem::copy_file(source, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);

  const std::string message =
      error_message([&] { Model::load(path.string(), shopsight::llm::default_model_options()); });
  std::filesystem::remove(path);
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(ModelErrors, TruncatedHeader) {
  const std::string source = shopsight::testing::generated_model("bert");
  const std::filesystem::path path = scratch_file("header.gguf");
  std::filesystem::copy_file(source, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, 4096);

  const std::string message =
      error_message([&] { Model::load(path.string(), shopsight::llm::default_model_options()); });
  std::filesystem::remove(path);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(ModelErrors, DecoderToEmbedder) {
  const std::string path = shopsight::testing::generated_model("llama");
  const auto model = Model::load(path, shopsight::llm::default_model_options());
  const std::string message =
      error_message([&] { shopsight::llm::Embedder(*model, shopsight::llm::default_encode_options()); });
  EXPECT_NE(message.find(path + " is a text generation model"), std::string::npos) << message;
}

TEST(ModelErrors, DecoderToClassifier) {
  const auto model =
      Model::load(shopsight::testing::generated_model("llama"), shopsight::llm::default_model_options());
  EXPECT_THROW(shopsight::llm::SequenceClassifier(*model, shopsight::llm::default_encode_options()), Error);
}

TEST(ModelErrors, EncoderWithoutHead) {
  const std::string path = shopsight::testing::generated_model("bert");
  const auto model = Model::load(path, shopsight::llm::default_model_options());
  const std::string message = error_message(
      [&] { shopsight::llm::SequenceClassifier(*model, shopsight::llm::default_encode_options()); });
  EXPECT_NE(message.find(path + " has no classifier head"), std::string::npos) << message;
}

TEST(ModelErrors, ClassifierStillEmbeds) {
  const auto model =
      Model::load(shopsight::testing::generated_model("bert-classifier"), shopsight::llm::default_model_options());
  shopsight::llm::Embedder embedder(*model, shopsight::llm::default_encode_options());
  EXPECT_EQ(embedder.dimension(), 64);
  EXPECT_EQ(embedder.embed({"好"})[0].size(), 64u);
}

TEST(ModelErrors, NanEmbeddingsNameModel) {
  const std::string path = scratch_file("nan-bert.gguf").string();
  shopsight::testing::write_nan_model("bert", "", path);
  const auto model = Model::load(path, shopsight::llm::default_model_options());
  shopsight::llm::Embedder embedder(*model, shopsight::llm::default_encode_options());
  const std::string message = error_message([&] { embedder.embed({"电池很耐用", "屏幕太暗了"}); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("NaN"), std::string::npos) << message;
  std::filesystem::remove(path);
}

TEST(ModelErrors, NanClassifierNamesModel) {
  const std::string path = scratch_file("nan-classifier.gguf").string();
  shopsight::testing::write_nan_model("bert-classifier", "", path);
  const auto model = Model::load(path, shopsight::llm::default_model_options());
  shopsight::llm::SequenceClassifier classifier(*model, shopsight::llm::default_encode_options());
  const std::string message = error_message([&] { classifier.classify({"质量很好"}); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("NaN"), std::string::npos) << message;
  std::filesystem::remove(path);
}

}  // namespace

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.h"
#include "synthetic.h"

namespace shopsight {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Trains one small model for every test of this file and saves it once.
class ModelFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto train = testing::cue_word_examples(200, 3);
    TrainOptions options = testing::small_options();
    options.label_names = {{"0", "negative"}, {"1", "positive"}};
    classifier_ = new TextClassifier(TextClassifier::train(train, {}, options));
    directory_ = fs::temp_directory_path() / ("shopsight_model_file_" + std::to_string(::getpid()));
    fs::create_directories(directory_);
    classifier_->set_metadata("note", "round trip");
    classifier_->save((directory_ / "good.ssm").string());
  }

  static void TearDownTestSuite() {
    delete classifier_;
    fs::remove_all(directory_);
  }

  static fs::path good() { return directory_ / "good.ssm"; }

  // Loads `bytes` from a file and returns the error message, or "" when it loads.
  static std::string load_error(const std::string& name, const std::string& bytes) {
    const fs::path path = directory_ / name;
    write_bytes(path, bytes);
    try {
      TextClassifier::load(path.string());
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      return message;
    }
    return "";
  }

  static TextClassifier* classifier_;
  static fs::path directory_;
};

TextClassifier* ModelFile::classifier_ = nullptr;
fs::path ModelFile::directory_;

TEST_F(ModelFile, RoundTripSamePredictions) {
  const TextClassifier loaded = TextClassifier::load(good().string());
  EXPECT_EQ(loaded.labels(), classifier_->labels());
  EXPECT_EQ(loaded.metadata().at("note"), "round trip");
  EXPECT_EQ(loaded.label_names().at("1"), "positive");
  for (const Example& example : testing::cue_word_examples(40, 99)) {
    const Prediction before = classifier_->predict(example.document);
    const Prediction after = loaded.predict(example.document);
    EXPECT_EQ(before.label, after.label);
    ASSERT_EQ(before.scores.size(), after.scores.size());
    for (std::size_t i = 0; i < before.scores.size(); ++i) {
      EXPECT_FLOAT_EQ(before.scores[i].probability, after.scores[i].probability);
    }
  }
}

TEST_F(ModelFile, MissingFileRejected) {
  EXPECT_THROW(TextClassifier::load((directory_ / "absent.ssm").string()), Error);
}

TEST_F(ModelFile, ForeignFileRejected) {
  const std::string message = load_error("foreign.ssm", "category,label,review\n书籍,1,很好\n");
  EXPECT_NE(message.find("magic"), std::string::npos) << message;
}

TEST_F(ModelFile, EmptyFileRejected) {
  EXPECT_NE(load_error("empty.ssm", ""), "");
}

TEST_F(ModelFile, TruncatedFileRejected) {
  const std::string bytes = read_bytes(good());
  for (std::size_t keep : {std::size_t{10}, std::size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    const std::string message = load_error("truncated.ssm", bytes.substr(0, keep));
    EXPECT_NE(message.find("truncated"), std::string::npos) << keep << ": " << message;
  }
}

TEST_F(ModelFile, FlippedByteRejected) {
  std::string bytes = read_bytes(good());
  for (std::size_t position : {std::size_t{40}, bytes.size() / 2, bytes.size() - 6}) {
    std::string damaged = bytes;
    damaged[position] = static_cast<char>(damaged[position] ^ 0x10);
    const std::string message = load_error("flipped.ssm", damaged);
    EXPECT_NE(message.find("corrupt"), std::string::npos) << position << ": " << message;
  }
}

TEST_F(ModelFile, NewerVersionRejected) {
  std::string bytes = read_bytes(good());
  bytes[8] = 99;
  const std::string message = load_error("newer.ssm", bytes);
  EXPECT_NE(message.find("version 99"), std::string::npos) << message;
}

TEST_F(ModelFile, UnwritablePathRejected) {
  EXPECT_THROW(classifier_->save((directory_ / "no" / "such" / "folder" / "m.ssm").string()), Error);
}

}  // namespace
}  // namespace shopsight

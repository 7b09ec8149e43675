#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& arguments) {
  CommandResult result;
  const std::string command = std::string(SHOPSIGHT_BINARY) + " --lang en --log-level warn " + arguments;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(CliModel, TrainThenEval) {
  const fs::path data = fs::path(SHOPSIGHT_TEST_DATA) / "cue_words.csv";
  const fs::path model = fs::temp_directory_path() / ("shopsight_cli_" + std::to_string(::getpid()) + ".ssm");

  const CommandResult train = run("train --data " + data.string() + " --label label --label-names 0=negative,1=positive --out " +
                        model.string());
  ASSERT_EQ(train.status, 0) << train.output;
  EXPECT_NE(train.output.find("Dev figures"), std::string::npos) << train.output;
  ASSERT_TRUE(fs::exists(model));

  const CommandResult text = run("eval --model " + model.string() + " --data " + data.string() + " --label label");
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("Accuracy: 1.0000"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("positive"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("2 without a label"), std::string::npos) << text.output;

  const CommandResult json = run("eval --model " + model.string() + " --data " + data.string() +
                       " --label label --output-format json");
  ASSERT_EQ(json.status, 0) << json.output;
  const auto report = nlohmann::json::parse(json.output);
  EXPECT_DOUBLE_EQ(report.at("accuracy").get<double>(), 1.0);
  EXPECT_EQ(report.at("rows_without_label").get<int>(), 2);
  EXPECT_EQ(report.at("category_accuracy").size(), 2u);
  fs::remove(model);
}

TEST(CliModel, EvalBadModelFails) {
  const fs::path data = fs::path(SHOPSIGHT_TEST_DATA) / "cue_words.csv";
  const CommandResult result = run("eval --model " + data.string() + " --data " + data.string() + " --label label 2>&1");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("is not a shopsight model file"), std::string::npos) << result.output;
}

// Writes a CSV of `rows` rows whose labels cycle through `labels`.
fs::path write_rows(const std::string& name, int rows, const std::vector<std::string>& labels) {
  const fs::path path = fs::temp_directory_path() / ("shopsight_cli_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream out(path);
  out << "text,label\n";
  for (int i = 0; i < rows; ++i) out << "review number " << i << " is fine," << labels[i % labels.size()] << "\n";
  return path;
}

TEST(CliModel, OneLabelFails) {
  const fs::path data = write_rows("one_label.csv", 40, {"positive"});
  const fs::path model = data.string() + ".ssm";
  const CommandResult result = run("train --data " + data.string() + " --label label --out " + model.string() + " 2>&1");
  fs::remove(data);
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("every training row has the label positive"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(model));
  fs::remove(model);
}

TEST(CliModel, HeadOptionsNeedAnEmbeddingModel) {
  const fs::path data = write_rows("head_options.csv", 40, {"positive", "negative"});
  const fs::path model = data.string() + ".ssm";
  for (const std::string option : {"--head mlp", "--embedding-cache cache.sqlite"}) {
    const CommandResult result =
        run("train --data " + data.string() + " --label label --out " + model.string() + " " + option + " 2>&1");
    EXPECT_EQ(result.status, 2) << option << "\n" << result.output;
    EXPECT_NE(result.output.find("--embedding-model"), std::string::npos) << option << "\n" << result.output;
    EXPECT_FALSE(fs::exists(model)) << option;
  }
  fs::remove(data);
}

TEST(CliModel, EvalRejectsHeadOptionsForModel) {
  const fs::path data = write_rows("eval_head_options.csv", 40, {"positive", "negative"});
  const fs::path model = data.string() + ".ssm";
  ASSERT_EQ(run("train --data " + data.string() + " --label label --out " + model.string() + " 2>&1").status, 0);
  for (const std::string option : {"--embedding-model", "--embedding-cache"}) {
    const CommandResult result = run("eval --model " + model.string() + " " + option + " other.file --data " +
                                     data.string() + " --label label 2>&1");
    EXPECT_EQ(result.status, 2) << option << "\n" << result.output;
    EXPECT_NE(result.output.find(option + " only applies to a head"), std::string::npos) << result.output;
  }
  fs::remove(model);
  fs::remove(data);
}

TEST(CliModel, TinyDataWarnsNoDevRows) {
  const fs::path data = write_rows("tiny.csv", 3, {"positive", "negative"});
  const fs::path model = data.string() + ".ssm";
  const CommandResult result = run("train --data " + data.string() + " --label label --out " + model.string() + " 2>&1");
  fs::remove(data);
  fs::remove(model);
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("no dev rows"), std::string::npos) << result.output;
  // Accuracy, macro-F1, ECE and Brier score of 0 dev rows.
  EXPECT_NE(result.output.find("n/a      n/a      n/a      n/a"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("1.0000"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("0.0000"), std::string::npos) << result.output;
}

TEST(CliModel, EvalWarnsOfLabelsMissingFromModel) {
  const fs::path data = fs::path(SHOPSIGHT_TEST_DATA) / "cue_words.csv";
  const fs::path model = fs::temp_directory_path() / ("shopsight_cli_" + std::to_string(::getpid()) + "_labels.ssm");
  const CommandResult train = run("train --data " + data.string() +
                                  " --label label --label-names 0=negative,1=positive --out " + model.string());
  ASSERT_EQ(train.status, 0) << train.output;

  // Star ratings: "1" is a label of the model, "2" and "3" are not.
  const fs::path ratings = write_rows("ratings.csv", 9, {"1", "2", "3"});
  const CommandResult result =
      run("eval --model " + model.string() + " --data " + ratings.string() + " --label label 2>&1");
  fs::remove(model);
  fs::remove(ratings);
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("6 of 9 rows have labels that the model does not have (2, 3)"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("the model's labels are negative, positive"), std::string::npos) << result.output;
}

// Terminal columns of `line`, for text of ASCII and CJK ideographs (three
// UTF-8 bytes, two columns each).
std::size_t columns(const std::string& line) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if (byte < 0x80) width += 1;
    else if (byte >= 0xE0) width += 2;
  }
  return width;
}

TEST(CliModel, EvalAlignsChineseCategories) {
  const fs::path data = fs::path(SHOPSIGHT_TEST_DATA) / "cue_words.csv";
  const fs::path model = fs::temp_directory_path() / ("shopsight_cli_" + std::to_string(::getpid()) + "_align.ssm");
  ASSERT_EQ(run("train --data " + data.string() + " --label label --out " + model.string()).status, 0);

  // The same rows with a Chinese name for one of the two categories.
  std::ifstream in(data);
  const fs::path chinese = fs::temp_directory_path() / ("shopsight_cli_" + std::to_string(::getpid()) + "_zh.csv");
  std::ofstream out(chinese);
  for (std::string line; std::getline(in, line);) {
    out << (line.starts_with("phones,") ? "手机配件" + line.substr(6) : line) << "\n";
  }
  out.close();

  const CommandResult result = run("eval --model " + model.string() + " --data " + chinese.string() + " --label label");
  fs::remove(model);
  fs::remove(chinese);
  ASSERT_EQ(result.status, 0) << result.output;
  std::istringstream lines(result.output.substr(result.output.find("Accuracy per category")));
  std::string title, first, second;
  std::getline(lines, title);
  std::getline(lines, first);
  std::getline(lines, second);
  ASSERT_NE((first + second).find("手机配件"), std::string::npos) << result.output;
  EXPECT_EQ(columns(first), columns(second)) << first << "\n" << second;
}

TEST(CliModel, BadLabelNamesFail) {
  const fs::path data = fs::path(SHOPSIGHT_TEST_DATA) / "cue_words.csv";
  const CommandResult result = run("train --data " + data.string() + " --label label --label-names 0 --out /tmp/unused.ssm 2>&1");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("--label-names"), std::string::npos) << result.output;
}

}  // namespace

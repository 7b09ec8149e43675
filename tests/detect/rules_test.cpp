// Tests of the rules file: defaults, the example file, and error messages.

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "detect/detect.h"

namespace shopsight::detect {
namespace {

// Message of the shopsight::Error that parsing `text` throws, or "" when none.
std::string parse_error(const std::string& text) {
  try {
    parse_rules(text, "rules.toml");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(DetectRules, ExampleFileEqualsDefaults) {
  const Rules example = load_rules(std::string(SHOPSIGHT_SOURCE_DIR) + "/examples/rules.toml");
  const Rules defaults = default_rules();
  ASSERT_EQ(example.detectors.size(), defaults.detectors.size());
  for (std::size_t i = 0; i < defaults.detectors.size(); ++i) {
    EXPECT_TRUE(example.detectors[i] == defaults.detectors[i]) << to_string(defaults.detectors[i].detector);
  }
  EXPECT_TRUE(example.sinks == defaults.sinks);
  EXPECT_EQ(example.examples, defaults.examples);
  EXPECT_EQ(example.max_values, defaults.max_values);
  EXPECT_EQ(example.sink_max_age_days, defaults.sink_max_age_days);
  EXPECT_EQ(example.late_buckets, defaults.late_buckets);
}

TEST(DetectRules, SinkMaxAgeParsedAndChecked) {
  EXPECT_EQ(parse_rules("sink_max_age_days = 0\n", "rules.toml").sink_max_age_days, 0);
  EXPECT_EQ(parse_rules("sink_max_age_days = 30\n", "rules.toml").sink_max_age_days, 30);
  EXPECT_THROW(parse_rules("sink_max_age_days = -1\n", "rules.toml"), Error);
  EXPECT_EQ(parse_rules("late_buckets = 3\n", "rules.toml").late_buckets, 3);
  EXPECT_THROW(parse_rules("late_buckets = -1\n", "rules.toml"), Error);
}

TEST(DetectRules, DefaultsCoverEveryDetector) {
  const Rules rules = default_rules();
  ASSERT_EQ(rules.detectors.size(), 5u);
  for (const DetectorRule& rule : rules.detectors) EXPECT_EQ(rule.granularity, store::Granularity::day);
  ASSERT_EQ(rules.sinks.size(), 1u);
  EXPECT_EQ(rules.sinks[0].type, "log");
}

TEST(DetectRules, PartialTableTakesDetectorDefaults) {
  const Rules rules = parse_rules(
      "[[detector]]\n"
      "detector = \"volume\"\n"
      "dimensions = [\"product\"]\n"
      "granularity = \"hour\"\n"
      "direction = \"drop\"\n"
      "threshold = 5\n",
      "rules.toml");
  ASSERT_EQ(rules.detectors.size(), 1u);
  const DetectorRule& rule = rules.detectors[0];
  EXPECT_EQ(rule.detector, Detector::volume);
  EXPECT_EQ(rule.dimensions, std::vector<std::string>{"product"});
  EXPECT_EQ(rule.granularity, store::Granularity::hour);
  EXPECT_EQ(rule.direction, VolumeDirection::drop);
  EXPECT_DOUBLE_EQ(rule.threshold, 5.0);
  EXPECT_DOUBLE_EQ(rule.min_change, 0.5);  // the volume default, not the struct's
  EXPECT_EQ(rules.sinks.size(), 1u);        // no [[sink]]: the default log sink
}

TEST(DetectRules, SinksParsed) {
  const Rules rules = parse_rules(
      "[[sink]]\ntype = \"jsonl\"\npath = \"/tmp/a.jsonl\"\n"
      "[[sink]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/x\"\nretries = 5\nbackoff_ms = 10\n",
      "rules.toml");
  ASSERT_EQ(rules.sinks.size(), 2u);
  EXPECT_EQ(rules.sinks[0].path, "/tmp/a.jsonl");
  EXPECT_EQ(rules.sinks[1].retries, 5);
  EXPECT_EQ(rules.sinks[1].backoff_ms, 10);
  EXPECT_EQ(rules.detectors.size(), 5u);  // no [[detector]]: the defaults
}

TEST(DetectRules, UnknownKeyNamesFileLineKey) {
  const std::string message = parse_error("[[detector]]\ndetector = \"volume\"\n\nthreshhold = 3\n");
  EXPECT_NE(message.find("rules.toml:4"), std::string::npos) << message;
  EXPECT_NE(message.find("threshhold"), std::string::npos) << message;
}

TEST(DetectRules, WrongTypeNamesKey) {
  const std::string message = parse_error("[[detector]]\ndetector = \"volume\"\nmin_count = \"many\"\n");
  EXPECT_NE(message.find("rules.toml:3"), std::string::npos) << message;
  EXPECT_NE(message.find("min_count"), std::string::npos) << message;
}

TEST(DetectRules, OutOfRangeRejected) {
  EXPECT_NE(parse_error("[[detector]]\ndetector = \"negative_share\"\nalpha = 1.5\n").find("alpha"), std::string::npos);
  EXPECT_NE(parse_error("examples = -1\n").find("examples"), std::string::npos);
}

TEST(DetectRules, UnknownNamesRejected) {
  EXPECT_NE(parse_error("[[detector]]\ndetector = \"magic\"\n").find("magic"), std::string::npos);
  EXPECT_NE(parse_error("[[detector]]\ndetector = \"volume\"\ndimensions = [\"planet\"]\n").find("planet"),
            std::string::npos);
  EXPECT_NE(parse_error("[[detector]]\ndimensions = [\"shop\"]\n").find("detector"), std::string::npos);
  EXPECT_NE(parse_error("[[sink]]\ntype = \"pager\"\n").find("pager"), std::string::npos);
  EXPECT_NE(parse_error("[[sink]]\ntype = \"jsonl\"\n").find("path"), std::string::npos);
  EXPECT_NE(parse_error("[[sink]]\ntype = \"webhook\"\nurl = \"ftp://x\"\n").find("url"), std::string::npos);
}

TEST(DetectRules, SyntaxErrorNamesFile) {
  const std::string message = parse_error("[[detector]\n");
  EXPECT_NE(message.find("rules.toml"), std::string::npos) << message;
  EXPECT_NE(message.find("invalid TOML"), std::string::npos) << message;
}

TEST(DetectRules, MissingFileNamed) {
  try {
    load_rules("/nonexistent/rules.toml");
    FAIL() << "no error for a missing file";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/rules.toml"), std::string::npos);
  }
}

}  // namespace
}  // namespace shopsight::detect

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
  EXPECT_EQ(example.sink_queue_size, defaults.sink_queue_size);
  EXPECT_EQ(example.sink_shutdown_ms, defaults.sink_shutdown_ms);
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

TEST(DetectRules, KeyUnusedByDetectorRejected) {
  std::string message = parse_error("[[detector]]\ndetector = \"negative_share\"\nthreshold = 3.0\n");
  EXPECT_NE(message.find("rules.toml:3: key 'threshold': negative_share does not use this key"), std::string::npos)
      << message;
  EXPECT_NE(message.find("alpha"), std::string::npos) << "the keys it uses are listed: " << message;
  message = parse_error("[[detector]]\ndetector = \"volume\"\nalpha = 0.01\n");
  EXPECT_NE(message.find("rules.toml:3: key 'alpha': volume does not use this key"), std::string::npos) << message;
  message = parse_error("[[detector]]\ndetector = \"emerging_keyword\"\nmin_change = 0.1\n");
  EXPECT_NE(message.find("key 'min_change'"), std::string::npos) << message;
  EXPECT_EQ(parse_error("[[detector]]\ndetector = \"volume\"\nthreshold = 3\nmin_baseline = 5\n"), "");
}

TEST(DetectRules, KeywordDetectorNeedsKeywordCounts) {
  std::string message = parse_error("[[detector]]\ndetector = \"emerging_keyword\"\n"
                                    "dimensions = [\"user\", \"channel\"]\n");
  EXPECT_NE(message.find("rules.toml:3: key 'dimensions'"), std::string::npos) << message;
  EXPECT_NE(message.find("'user'"), std::string::npos) << message;
  message = parse_error("[[detector]]\ndetector = \"emerging_keyword\"\ndimensions = [\"product\"]\n"
                        "granularity = \"minute\"\n");
  EXPECT_NE(message.find("rules.toml:4: key 'granularity'"), std::string::npos) << message;
  EXPECT_EQ(parse_error("[[detector]]\ndetector = \"emerging_keyword\"\ndimensions = [\"shop\", \"product\"]\n"), "");
}

TEST(DetectRules, SinkErrorsNameTheKeyLine) {
  std::string message = parse_error("examples = 3\n\n[[sink]]\ntype = \"log\"\n\n[[sink]]\ntype = \"webhook\"\n"
                                    "# comment\nurl = \"gopher://x\"\n");
  EXPECT_NE(message.find("rules.toml:9: key 'url'"), std::string::npos) << message;
  message = parse_error("[[sink]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nretries = -1\n");
  EXPECT_NE(message.find("rules.toml:4: key 'retries'"), std::string::npos) << message;
  message = parse_error("[[sink]]\ntype = \"log\"\nurl = \"http://127.0.0.1:9/\"\n");
  EXPECT_NE(message.find("rules.toml:3: key 'url': a log sink does not use this key"), std::string::npos) << message;
  EXPECT_NE(parse_error("[[sink]]\ntype = \"webhook\"\n").find("key 'url': missing"), std::string::npos);
}

TEST(DetectRules, JsonLinesFolderCheckedOnLoad) {
  const std::string message =
      parse_error("[[sink]]\ntype = \"jsonl\"\n\npath = \"/nonexistent/folder/alerts.jsonl\"\n");
  EXPECT_NE(message.find("rules.toml:4: key 'path': the folder /nonexistent/folder does not exist"),
            std::string::npos)
      << message;
  EXPECT_EQ(parse_error("[[sink]]\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n"), "") << "the working folder";
}

TEST(DetectRules, DeliverySettingsParsed) {
  const Rules rules = parse_rules("sink_queue_size = 10\nsink_shutdown_ms = 0\n[[sink]]\ntype = \"webhook\"\n"
                                  "url = \"http://127.0.0.1:9/\"\ncircuit_failures = 2\ncircuit_cooldown_ms = 500\n",
                                  "rules.toml");
  EXPECT_EQ(rules.sink_queue_size, 10);
  EXPECT_EQ(rules.sink_shutdown_ms, 0);
  ASSERT_EQ(rules.sinks.size(), 1u);
  EXPECT_EQ(rules.sinks[0].circuit_failures, 2);
  EXPECT_EQ(rules.sinks[0].circuit_cooldown_ms, 500);
  EXPECT_EQ(default_rules().sink_queue_size, 1000);
  EXPECT_EQ(default_rules().sink_shutdown_ms, 10000);
  EXPECT_NE(parse_error("sink_queue_size = 0\n").find("rules.toml:1: key 'sink_queue_size'"), std::string::npos);
  EXPECT_NE(parse_error("sink_shutdown_ms = -5\n").find("rules.toml:1: key 'sink_shutdown_ms'"), std::string::npos);
  const std::string message = parse_error("[[sink]]\ntype = \"jsonl\"\npath = \"a.jsonl\"\ncircuit_failures = 2\n");
  EXPECT_NE(message.find("rules.toml:4: key 'circuit_failures': a jsonl sink does not use this key"), std::string::npos)
      << message;
}

TEST(DetectRules, MisspeltKeySuggestsNearest) {
  const struct {
    std::string text;
    std::string expected;
  } cases[] = {
      {"exampels = 3\n", "rules.toml:1: key 'exampels': unknown key; did you mean 'examples'?"},
      {"\nsink_max_age = 3\n", "rules.toml:2: key 'sink_max_age': unknown key; did you mean 'sink_max_age_days'?"},
      {"[[detector]]\ndetector = \"volume\"\nthreshhold = 3.0\n",
       "rules.toml:3: key 'threshhold': unknown key; did you mean 'threshold'?"},
      {"[[sink]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\ntimeout = 100\n",
       "rules.toml:4: key 'timeout': unknown key; did you mean 'timeout_ms'?"},
      {"[[sink]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nretires = 1\n",
       "rules.toml:4: key 'retires': unknown key; did you mean 'retries'?"},
  };
  for (const auto& test : cases) {
    const std::string message = parse_error(test.text);
    EXPECT_NE(message.find(test.expected), std::string::npos) << message;
    EXPECT_NE(message.find("Expected one of: "), std::string::npos) << message;
  }
  const std::string far = parse_error("colour = \"red\"\n");
  EXPECT_NE(far.find("rules.toml:1: key 'colour': unknown key; expected one of: "), std::string::npos) << far;
}

TEST(DetectRules, WrongValueTypeNamesKey) {
  const struct {
    std::string text;
    std::string expected;
  } cases[] = {
      {"examples = \"3\"\n", "rules.toml:1: key 'examples': must be an integer"},
      {"[[detector]]\ndetector = \"volume\"\nthreshold = \"high\"\n", "rules.toml:3: key 'threshold': must be a number"},
      {"[[detector]]\ndetector = \"volume\"\ndimensions = \"shop\"\n",
       "rules.toml:3: key 'dimensions': must be an array of strings"},
      {"[[sink]]\ntype = \"webhook\"\nurl = 8080\n", "rules.toml:3: key 'url': must be a string"},
      {"[[sink]]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\ntimeout_ms = 1.5\n",
       "rules.toml:4: key 'timeout_ms': must be an integer"},
      {"sink = 3\n", "rules.toml:1: key 'sink': must be an array of tables, written [[sink]]"},
  };
  for (const auto& test : cases) {
    const std::string message = parse_error(test.text);
    EXPECT_NE(message.find(test.expected), std::string::npos) << message;
  }
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

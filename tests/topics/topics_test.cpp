// Topic discovery on a small file of three clear Chinese themes (logistics
// complaints, sizes too small, taste praise) and four unrelated lines.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "ingest/ingest.h"
#include "llm/test_models.h"
#include "support/run_shopsight.h"
#include "topics/topics.h"

namespace {

namespace fs = std::filesystem;
using shopsight::Topic;
using shopsight::TopicItem;
using shopsight::TopicOptions;
using shopsight::TopicResult;

const std::string kThemes = std::string(SHOPSIGHT_TEST_DATA) + "/themes.csv";

std::vector<TopicItem> read_items(const shopsight::ReaderOptions& options) {
  auto reader = shopsight::Reader::open(options);
  std::vector<TopicItem> items;
  shopsight::Item item;
  shopsight::Reject reject;
  while (reader->next(item, reject) == shopsight::ReadStatus::item) items.push_back({item.id, item.time, item.text});
  return items;
}

std::vector<TopicItem> read_themes() {
  shopsight::ReaderOptions options;
  options.path = kThemes;
  options.columns.text = "review";
  options.columns.time = "time";
  options.columns.id = "id";
  return read_items(options);
}

// Theme of a line of the file: ids 1-12 logistics, 13-24 size, 25-36 taste, the rest none.
std::string theme_of(const std::string& id) {
  const int number = std::stoi(id);
  if (number <= 12) return "logistics";
  if (number <= 24) return "size";
  if (number <= 36) return "taste";
  return "unrelated";
}

TopicOptions small_options() {
  TopicOptions options;
  options.min_topic_size = 5;
  options.threads = 2;
  return options;
}

// The theme most of the topic's reviews belong to, and how many do.
std::pair<std::string, int> main_theme(const Topic& topic, const std::vector<TopicItem>& items) {
  std::map<std::string, int> counts;
  for (std::size_t member : topic.members) ++counts[theme_of(items[member].id)];
  const auto best = std::max_element(counts.begin(), counts.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
  return *best;
}

TEST(Topics, ThemesFound) {
  const auto items = read_themes();
  ASSERT_EQ(items.size(), 40u);
  const TopicResult result = shopsight::discover_topics(items, small_options());
  EXPECT_EQ(result.vectors, "tf-idf");
  ASSERT_EQ(result.topics.size(), 3u);

  std::set<std::string> themes;
  for (const Topic& topic : result.topics) {
    const auto [theme, count] = main_theme(topic, items);
    themes.insert(theme);
    EXPECT_EQ(count, static_cast<int>(topic.members.size())) << "topic " << topic.id << " mixes themes";
    EXPECT_GE(count, 9) << theme;
  }
  EXPECT_EQ(themes, (std::set<std::string>{"logistics", "size", "taste"}));
}

TEST(Topics, KeywordsAreWords) {
  const auto items = read_themes();
  const TopicResult result = shopsight::discover_topics(items, small_options());
  const std::map<std::string, std::set<std::string>> expected = {
      {"logistics", {"物流", "快递", "太慢"}}, {"size", {"尺码", "偏小", "衣服"}}, {"taste", {"味道", "口感", "好吃"}}};
  for (const Topic& topic : result.topics) {
    ASSERT_FALSE(topic.keywords.empty());
    for (const auto& keyword : topic.keywords) {
      EXPECT_GE(shopsight::utf8::length(keyword.word), 2) << keyword.word;
    }
    const std::string theme = main_theme(topic, items).first;
    EXPECT_TRUE(expected.at(theme).contains(topic.keywords.front().word))
        << theme << " topic starts with " << topic.keywords.front().word;
    EXPECT_FALSE(topic.snippets.empty());
  }
}

TEST(Topics, UnrelatedLinesAreNoise) {
  const auto items = read_themes();
  const TopicResult result = shopsight::discover_topics(items, small_options());
  for (std::size_t i = 36; i < 40; ++i) {
    EXPECT_EQ(result.assignment[i], -1) << items[i].id;
    EXPECT_NE(std::find(result.noise.begin(), result.noise.end(), i), result.noise.end()) << items[i].id;
  }
  std::size_t assigned = result.noise.size();
  for (const Topic& topic : result.topics) assigned += topic.members.size();
  EXPECT_EQ(assigned, items.size());
}

TEST(Topics, RepeatedReviewsNotNoise) {
  std::vector<TopicItem> items;
  for (int i = 0; i < 40; ++i) {
    items.push_back({"a" + std::to_string(i), std::nullopt, "物流太慢了，快递三天没到"});
    items.push_back({"b" + std::to_string(i), std::nullopt, "质量很好，做工精致，面料舒服"});
  }
  const TopicResult result = shopsight::discover_topics(items, small_options());
  ASSERT_EQ(result.topics.size(), 2u);
  EXPECT_TRUE(result.noise.empty());
  for (const Topic& topic : result.topics) EXPECT_EQ(topic.members.size(), 40u);
}

// Examples show what a reader of the page saw: no tags, references decoded,
// case and script as written.
TEST(Topics, SnippetsHaveNoMarkup) {
  std::vector<TopicItem> items;
  for (int i = 0; i < 20; ++i) {
    items.push_back({"a" + std::to_string(i), std::nullopt, "Great value &amp; fast shipping.<br>Bought TWO"});
    items.push_back({"b" + std::to_string(i), std::nullopt, "还没使用，应该不错哦&hellip;&hellip;<p>質量好</p>"});
  }
  const TopicResult result = shopsight::discover_topics(items, small_options());
  std::set<std::string> snippets;
  for (const Topic& topic : result.topics) snippets.insert(topic.snippets.begin(), topic.snippets.end());
  EXPECT_EQ(snippets, (std::set<std::string>{"Great value & fast shipping. Bought TWO", "还没使用，应该不错哦…… 質量好"}));
}

// Reviews of one common word still make a topic, and the topic is named.
TEST(Topics, OneWordReviewsHaveKeywords) {
  std::vector<TopicItem> items;
  for (int i = 0; i < 20; ++i) {
    items.push_back({"a" + std::to_string(i), std::nullopt, "好"});
    items.push_back({"b" + std::to_string(i), std::nullopt, "东西好"});
    items.push_back({"c" + std::to_string(i), std::nullopt, "物流太慢了，快递三天没到"});
  }
  const TopicResult result = shopsight::discover_topics(items, small_options());
  bool one_word_topic = false;
  for (const Topic& topic : result.topics) {
    EXPECT_FALSE(topic.keywords.empty()) << "topic " << topic.id << " of " << topic.members.size() << " reviews";
    if (items[topic.members.front()].text == "好") {
      one_word_topic = true;
      EXPECT_EQ(topic.keywords.front().word, "好");
    }
  }
  EXPECT_TRUE(one_word_topic);
}

TEST(Topics, CountsOfOneAreSingular) {
  const std::vector<TopicItem> items = {{"only", std::nullopt, "物流太慢了"}};
  const TopicResult result = shopsight::discover_topics(items, small_options());
  const std::string text = shopsight::format_topics(result, items);
  EXPECT_NE(text.find("0 topics in 1 review (tf-idf vectors); 1 review is noise"), std::string::npos) << text;
  EXPECT_NE(text.find("Noise (1 review in no topic), id: only"), std::string::npos) << text;
}

TEST(Topics, MinSimilarityChecked) {
  const auto items = read_themes();
  for (const double bad : {2.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    TopicOptions options = small_options();
    options.min_similarity = bad;
    EXPECT_THROW(shopsight::discover_topics(items, options), shopsight::Error) << bad;
  }
}

TEST(Topics, LargeMinimumMakesAllNoise) {
  const auto items = read_themes();
  TopicOptions options = small_options();
  options.min_topic_size = 20;
  const TopicResult result = shopsight::discover_topics(items, options);
  EXPECT_TRUE(result.topics.empty());
  EXPECT_EQ(result.noise.size(), items.size());
}

TEST(Topics, AutomaticSimilarityStartsLow) {
  const TopicResult result = shopsight::discover_topics(read_themes(), small_options());
  EXPECT_DOUBLE_EQ(result.min_similarity, 0.1) << "no cluster of the themes holds half the reviews";
}

TEST(Topics, GivenSimilarityIsKept) {
  std::vector<TopicItem> items;
  for (int i = 0; i < 40; ++i) items.push_back({std::to_string(i), std::nullopt, "物流太慢了，快递三天没到"});
  TopicOptions options = small_options();
  options.min_similarity = 0.05;
  const TopicResult result = shopsight::discover_topics(items, options);
  EXPECT_DOUBLE_EQ(result.min_similarity, 0.05) << "one cluster of all reviews is kept when the threshold is given";
  ASSERT_EQ(result.topics.size(), 1u);
  EXPECT_EQ(result.topics[0].members.size(), 40u);
}

// Long English reviews of one shop share so many words ("love", "size",
// "fit") that a low threshold joined 99 % of them into one topic.
TEST(Topics, EnglishClothingReviewsSplit) {
  const fs::path path = fs::path(SHOPSIGHT_DATASETS) / "reviews-en" / "dev.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "reviews-en is not available";
  shopsight::ReaderOptions reader_options;
  reader_options.path = path.string();
  reader_options.columns.text = "review";
  const std::vector<TopicItem> items = read_items(reader_options);
  ASSERT_GT(items.size(), 2000u);

  TopicOptions options;
  options.threads = 2;
  const TopicResult result = shopsight::discover_topics(items, options);
  EXPECT_GT(result.min_similarity, 0.1);
  EXPECT_GE(result.topics.size(), 10u);
  for (const Topic& topic : result.topics) {
    EXPECT_LT(topic.members.size(), items.size() / 10) << "topic " << topic.id;
  }
}

TEST(Topics, CountsPerDay) {
  const auto items = read_themes();
  const TopicResult result = shopsight::discover_topics(items, small_options());
  EXPECT_EQ(result.period, "day");
  EXPECT_EQ(result.periods, (std::vector<std::string>{"2024-05-01", "2024-05-02", "2024-05-03"}));
  for (const Topic& topic : result.topics) {
    ASSERT_EQ(topic.timeline.size(), 3u);
    EXPECT_EQ(std::accumulate(topic.timeline.begin(), topic.timeline.end(), std::int64_t{0}),
              static_cast<std::int64_t>(topic.members.size()));
  }
  // The four unrelated lines fall on 05-01, 05-02 and twice on 05-03.
  std::vector<std::int64_t> unrelated(3, 0);
  for (std::size_t i = 36; i < 40; ++i) {
    if (result.assignment[i] == -1) ++unrelated[static_cast<std::size_t>(std::stoi(items[i].id) == 37 ? 0 : std::stoi(items[i].id) == 38 ? 1 : 2)];
  }
  EXPECT_EQ(unrelated, (std::vector<std::int64_t>{1, 1, 2}));
  for (std::size_t p = 0; p < 3; ++p) EXPECT_GE(result.noise_timeline[p], unrelated[p]);
}

TEST(Topics, OutputsMaskPersonalData) {
  const auto items = read_themes();
  const TopicResult result = shopsight::discover_topics(items, small_options());
  const std::string text = shopsight::format_topics(result, items);
  const std::string json = shopsight::topics_to_json(result, items).dump();
  EXPECT_EQ(text.find("13812345678"), std::string::npos);
  EXPECT_EQ(json.find("13812345678"), std::string::npos);
  EXPECT_NE(text.find("2024-05-02"), std::string::npos);

  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["topics"].size(), result.topics.size());
  EXPECT_EQ(parsed["noise"]["count"], result.noise.size());
  EXPECT_EQ(parsed["timeline"]["period"], "day");
}

TEST(Topics, EmbeddingModelRuns) {
  const auto items = read_themes();
  TopicOptions options = small_options();
  options.embedding_model = shopsight::testing::generated_model("bert");
  const TopicResult result = shopsight::discover_topics(items, options);
  EXPECT_EQ(result.vectors, "embedding");
  ASSERT_EQ(result.assignment.size(), items.size());
  std::size_t assigned = result.noise.size();
  for (const Topic& topic : result.topics) {
    EXPECT_GE(topic.members.size(), 5u);
    assigned += topic.members.size();
    for (std::size_t member : topic.members) EXPECT_EQ(result.assignment[member], topic.id);
  }
  EXPECT_EQ(assigned, items.size());
  for (std::size_t index : result.noise) EXPECT_EQ(result.assignment[index], -1);
}

TEST(Topics, CommandRejectsBadMinSimilarity) {
  for (const char* bad : {"nan", "inf", "2", "-0.5", "x"}) {
    const auto run = shopsight::testing::run_shopsight("--lang en topics " + kThemes +
                                                       " --text review --min-similarity " + bad);
    EXPECT_EQ(run.status, 2) << bad << ": " << run.output;
    EXPECT_NE(run.output.find("--min-similarity"), std::string::npos) << bad << ": " << run.output;
  }
}

// Steps of a small input take microseconds, so a rate would be noise.
TEST(Topics, ShortStepsShowNoRate) {
  const auto run = shopsight::testing::run_shopsight("--lang en --log-level info topics " + kThemes +
                                                     " --text review --min-topic-size 5");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("normalizing: "), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("/s)"), std::string::npos) << run.output;
}

TEST(Topics, CommandWritesFiles) {
  const fs::path folder = fs::temp_directory_path() / ("shopsight_topics_" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const std::string json = (folder / "topics.json").string();
  const std::string lines = (folder / "items.jsonl").string();
  const auto run = shopsight::testing::run_shopsight("--lang en --log-level warn topics " + kThemes +
                                                     " --text review --time time --id id --min-topic-size 5 -o " +
                                                     json + " --assignments " + lines);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("3 topics in 40 reviews"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Topic counts per day"), std::string::npos) << run.output;

  std::ifstream json_in(json);
  const auto parsed = nlohmann::json::parse(json_in);
  EXPECT_EQ(parsed["items"], 40);
  std::ifstream lines_in(lines);
  std::string line;
  int count = 0;
  while (std::getline(lines_in, line)) {
    const auto entry = nlohmann::json::parse(line);
    EXPECT_TRUE(entry.contains("topic"));
    ++count;
  }
  EXPECT_EQ(count, 40);
  fs::remove_all(folder);
}

// Reviews per period of a topics JSON document, topics and noise together.
std::vector<std::int64_t> period_totals(const nlohmann::json& document) {
  const nlohmann::json& timeline = document.at("timeline");
  std::vector<std::int64_t> totals = timeline.at("noise").get<std::vector<std::int64_t>>();
  for (const auto& topic : document.at("topics")) {
    const auto counts = topic.at("timeline").get<std::vector<std::int64_t>>();
    for (std::size_t p = 0; p < totals.size() && p < counts.size(); ++p) totals[p] += counts[p];
  }
  return totals;
}

// Reviews per date as themes.csv writes them: 10 on 05-01, 13 on 05-02 and
// 17 on 05-03. Two are written before 08:00, so in UTC they fall on the day
// before when the file is read as Shanghai time.
const std::vector<std::int64_t> kThemesPerLocalDay = {10, 13, 17};
const std::vector<std::int64_t> kThemesPerUtcDayFromShanghai = {11, 13, 16};

class TopicsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("shopsight_topics_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  // Runs `shopsight topics ARGUMENTS -o FILE` and returns the JSON it wrote.
  nlohmann::json topics_json(const std::string& arguments) {
    const std::string output = (folder_ / "topics.json").string();
    const auto run = shopsight::testing::run_shopsight("--lang en --log-level warn topics " + arguments +
                                                       " --min-topic-size 5 -o " + output);
    EXPECT_EQ(run.status, 0) << run.output;
    last_output_ = run.output;
    std::ifstream in(output);
    return nlohmann::json::parse(in);
  }

  fs::path folder_;
  std::string last_output_;
};

TEST_F(TopicsCommand, DaysFollowTheTimezoneOption) {
  const nlohmann::json document =
      topics_json(kThemes + " --text review --time time --id id --timezone Asia/Shanghai");
  EXPECT_EQ(document["timeline"]["timezone"], "Asia/Shanghai");
  EXPECT_EQ(document["timeline"]["periods"], (std::vector<std::string>{"2024-05-01", "2024-05-02", "2024-05-03"}));
  EXPECT_EQ(period_totals(document), kThemesPerLocalDay);
  EXPECT_NE(last_output_.find("Topic counts per day (Asia/Shanghai)"), std::string::npos) << last_output_;
}

TEST_F(TopicsCommand, StoreDaysFollowItsBucketZone) {
  for (const std::string zone : {"Asia/Shanghai", "UTC"}) {
    const std::string db = (folder_ / (zone == "UTC" ? "utc.db" : "shanghai.db")).string();
    const auto ingest = shopsight::testing::run_shopsight(
        "--lang en --log-level warn ingest " + kThemes + " --db " + db + " --bucket-timezone " + zone +
        " --text review --time time --id id --timezone Asia/Shanghai");
    ASSERT_EQ(ingest.status, 0) << ingest.output;

    // --timezone only reads a file's times; with --db the store's zone decides.
    const nlohmann::json document = topics_json("--db " + db + " --timezone America/New_York");
    EXPECT_EQ(document["timeline"]["timezone"], zone);
    EXPECT_EQ(period_totals(document), zone == "UTC" ? kThemesPerUtcDayFromShanghai : kThemesPerLocalDay) << zone;
  }
}

}  // namespace

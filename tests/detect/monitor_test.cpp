// Tests of the Monitor on a real store file: closed buckets, progress
// marks, cooldowns, deduplication, examples and sinks.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "detect/detect.h"

namespace shopsight::detect {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kHourMs = 3600LL * 1000;
constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::int64_t kMonday = 1793577600000LL;  // 2026-11-02 00:00 UTC

// What one day of a product looks like.
struct DayPlan {
  int items = 100;
  int negative = 10;
  int logistics_negative = 1;
  int leak_keyword = 0;  // items with the keyword 漏水
  int logistics_mentions = 1;  // negative logistics mentions in each such item
  int pasted = 0;  // keyword items that all carry one and the same text
};

// A store in a fresh temporary file, removed afterwards.
class DetectMonitor : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("detect_monitor_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    store::StoreOptions options;
    options.path = (folder_ / "store.db").string();
    store_ = std::make_unique<store::Store>(options);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(folder_);
  }

  // Adds one day of items of `product`, spread over the day's hours.
  void add_day(const std::string& product, int day, const DayPlan& plan) {
    std::vector<Item> items;
    std::vector<Analysis> analyses;
    for (int i = 0; i < plan.items; ++i) {
      Item item;
      item.id = product + "-" + std::to_string(day) + "-" + std::to_string(i);
      item.time = first_day_ + day * kDayMs + (i % 24) * kHourMs + i * 1000;
      item.product = product;
      item.category = "washers";
      item.text = i < plan.pasted ? std::string("pasted review") : "review " + item.id;
      Analysis analysis;
      analysis.masked_text = item.text;
      const bool negative = i < plan.negative;
      analysis.sentiment = {negative ? "negative" : "positive", 0.9f, negative ? -0.8f : 0.8f};
      for (int mention = 0; i < plan.logistics_negative && mention < plan.logistics_mentions; ++mention) {
        analysis.aspects.push_back({"logistics", "", -1, -1, "", -1, -1, "negative"});
      }
      analysis.keywords.push_back({"不错", 1.0f});
      if (i < plan.leak_keyword) analysis.keywords.push_back({"漏水", 1.0f});
      items.push_back(std::move(item));
      analyses.push_back(std::move(analysis));
    }
    store_->add(items, analyses, true);
  }

  void add_days(const std::string& product, int first, int last, const DayPlan& plan) {
    for (int day = first; day <= last; ++day) add_day(product, day, plan);
  }

  // Rules with one detector on products, appending alerts to a JSON Lines file.
  Rules product_rules(Detector detector) const {
    Rules rules;
    for (const DetectorRule& rule : default_rules().detectors) {
      if (rule.detector == detector) rules.detectors.push_back(rule);
    }
    rules.detectors[0].dimensions = {"product"};
    rules.sinks = {SinkRule{"jsonl", jsonl_path(), "", 3, 500, 5000}};
    return rules;
  }

  std::string jsonl_path() const { return (folder_ / "alerts.jsonl").string(); }

  std::vector<std::string> jsonl_fingerprints() const {
    std::ifstream input(jsonl_path());
    std::vector<std::string> fingerprints;
    std::string line;
    while (std::getline(input, line)) fingerprints.push_back(nlohmann::json::parse(line).at("fingerprint"));
    return fingerprints;
  }

  fs::path folder_;
  std::unique_ptr<store::Store> store_;
  std::int64_t first_day_ = kMonday;  ///< start of day 0 of add_day
};

TEST_F(DetectMonitor, NegativeShareIncident) {
  add_days("p1", 0, 35, {});
  add_days("p2", 0, 35, {});
  add_days("p3", 0, 29, {});
  add_day("p3", 30, {100, 40, 1, 0});
  add_days("p3", 31, 35, {});
  add_day("p3", 36, {1, 0, 0, 0});  // closes day 35

  Monitor monitor(*store_, product_rules(Detector::negative_share));
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 1u);
  const store::Alert& alert = alerts[0];
  EXPECT_EQ(alert.detector, "negative_share");
  EXPECT_EQ(alert.dimension, "product");
  EXPECT_EQ(alert.value, "p3");
  EXPECT_EQ(alert.window_start, kMonday + 30 * kDayMs);
  EXPECT_EQ(alert.window_end, kMonday + 31 * kDayMs);
  EXPECT_NEAR(alert.observed, 0.40, 1e-9);
  EXPECT_NEAR(alert.baseline, 0.10, 0.01);
  EXPECT_EQ(alert.fingerprint, "negative_share|product|p3||day|" + std::to_string(kMonday + 30 * kDayMs));

  ASSERT_EQ(alert.examples.size(), 3u);
  for (const store::StoredItem& item : store_->items_by_row(alert.examples)) {
    EXPECT_EQ(item.product, "p3");
    EXPECT_EQ(item.analysis.sentiment.label, "negative");
    EXPECT_GE(item.time, alert.window_start);
    EXPECT_LT(item.time, alert.window_end);
  }
  EXPECT_EQ(store_->alerts({}).size(), 1u);
  EXPECT_EQ(jsonl_fingerprints(), std::vector<std::string>{alert.fingerprint});
}

// A store in Asia/Shanghai has local days as buckets, so an incident over one
// local day is one window. In UTC days it would fall into two, each with a
// part of the incident, and raise two alerts.
TEST_F(DetectMonitor, LocalDayIncidentIsOneWindow) {
  store::StoreOptions options;
  options.path = (folder_ / "shanghai.db").string();
  options.bucket_timezone = "Asia/Shanghai";
  store_ = std::make_unique<store::Store>(options);
  first_day_ = kMonday - 8 * kHourMs;  // 2026-11-02 00:00 in Beijing
  add_days("p1", 0, 35, {});
  add_days("p2", 0, 35, {});
  add_days("p3", 0, 29, {});
  add_day("p3", 30, {100, 40, 1, 0});
  add_days("p3", 31, 35, {});
  add_day("p3", 36, {1, 0, 0, 0});

  const std::vector<store::Alert> alerts = Monitor(*store_, product_rules(Detector::negative_share)).run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].value, "p3");
  EXPECT_EQ(alerts[0].window_start, first_day_ + 30 * kDayMs);
  EXPECT_EQ(alerts[0].window_end, first_day_ + 31 * kDayMs);
  EXPECT_NEAR(alerts[0].observed, 0.40, 1e-9);
}

// Items of day 30 arrive only after day 30 was checked: the next run checks
// that day again and alerts, and a run after that raises nothing new.
TEST_F(DetectMonitor, LateItemsCheckedAgain) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {50, 5, 1, 0});
  add_day("p1", 31, {1, 0, 0, 0});  // closes day 30
  Monitor monitor(*store_, product_rules(Detector::negative_share));
  EXPECT_TRUE(monitor.run().empty());

  DayPlan late;
  late.items = 60;
  late.negative = 50;
  std::vector<Item> items;
  for (int i = 0; i < late.items; ++i) {
    Item item;
    item.id = "late-" + std::to_string(i);
    item.time = kMonday + 30 * kDayMs + 20 * kHourMs + i * 1000;
    item.product = "p1";
    items.push_back(item);
  }
  std::vector<Analysis> analyses(items.size());
  for (std::size_t i = 0; i < analyses.size(); ++i) {
    const bool negative = static_cast<int>(i) < late.negative;
    analyses[i].sentiment = {negative ? "negative" : "positive", 0.9f, negative ? -0.8f : 0.8f};
  }
  store_->add(items, analyses, true);

  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].window_start, kMonday + 30 * kDayMs);
  EXPECT_TRUE(monitor.run().empty());
}

TEST_F(DetectMonitor, NoLateBucketsMissesLateItems) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {50, 5, 1, 0});
  add_day("p1", 31, {1, 0, 0, 0});
  Rules rules = product_rules(Detector::negative_share);
  rules.late_buckets = 0;
  Monitor monitor(*store_, rules);
  EXPECT_TRUE(monitor.run().empty());
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  for (int i = 0; i < 60; ++i) {
    Item item;
    item.id = "late-" + std::to_string(i);
    item.time = kMonday + 30 * kDayMs + 20 * kHourMs + i * 1000;
    item.product = "p1";
    items.push_back(item);
    Analysis analysis;
    analysis.sentiment = {"negative", 0.9f, -0.8f};
    analyses.push_back(analysis);
  }
  store_->add(items, analyses, true);
  EXPECT_TRUE(monitor.run().empty());
}

TEST_F(DetectMonitor, OldAlertsStoredNotSent) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_days("p1", 31, 45, {});
  add_day("p1", 46, {1, 0, 0, 0});  // closes day 45; the incident ended 16 days before

  Monitor monitor(*store_, product_rules(Detector::negative_share));
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(store_->alerts({}).size(), 1u);
  EXPECT_TRUE(jsonl_fingerprints().empty());
}

TEST_F(DetectMonitor, NoAgeLimitSendsOldAlerts) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_days("p1", 31, 45, {});
  add_day("p1", 46, {1, 0, 0, 0});

  Rules rules = product_rules(Detector::negative_share);
  rules.sink_max_age_days = 0;
  const std::vector<store::Alert> alerts = Monitor(*store_, rules).run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(jsonl_fingerprints(), std::vector<std::string>{alerts[0].fingerprint});
}

TEST_F(DetectMonitor, ChecksOnlyNewClosedBuckets) {
  add_days("p1", 0, 25, {});
  Monitor monitor(*store_, product_rules(Detector::negative_share));
  EXPECT_TRUE(monitor.run().empty());

  // Day 30 is open until an item at or after day 31 arrives.
  add_days("p1", 26, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  EXPECT_TRUE(monitor.run().empty());

  add_day("p1", 31, {});
  const auto alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].window_start, kMonday + 30 * kDayMs);
  EXPECT_TRUE(monitor.run().empty());
}

TEST_F(DetectMonitor, CooldownSuppressesRepeat) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_day("p1", 31, {100, 45, 1, 0});
  add_day("p1", 32, {});
  EXPECT_EQ(Monitor(*store_, product_rules(Detector::negative_share)).run().size(), 1u);
}

TEST_F(DetectMonitor, NoCooldownAlertsTwice) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_day("p1", 31, {100, 45, 1, 0});
  add_day("p1", 32, {});
  Rules rules = product_rules(Detector::negative_share);
  rules.detectors[0].cooldown_buckets = 0;
  EXPECT_EQ(Monitor(*store_, rules).run().size(), 2u);
}

TEST_F(DetectMonitor, RerunFromOldMarkAddsNothing) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_day("p1", 31, {});
  Rules rules = product_rules(Detector::negative_share);
  rules.detectors[0].cooldown_buckets = 0;
  EXPECT_EQ(Monitor(*store_, rules).run().size(), 1u);

  store_->set_mark("detect|negative_share|product|day", kMonday);
  EXPECT_TRUE(Monitor(*store_, rules).run().empty());
  EXPECT_EQ(store_->alerts({}).size(), 1u);
  EXPECT_EQ(jsonl_fingerprints().size(), 1u);
}

TEST_F(DetectMonitor, RulesSharingMarkBothRun) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 40, 1, 0});
  add_day("p1", 31, {});
  Rules rules = product_rules(Detector::negative_share);
  rules.detectors.insert(rules.detectors.begin(), rules.detectors[0]);
  rules.detectors[0].alpha = 1e-300;  // this first rule never alerts
  EXPECT_EQ(Monitor(*store_, rules).run().size(), 1u);
}

TEST_F(DetectMonitor, LogisticsAndKeywordBurst) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 12, 30, 20});
  add_day("p1", 31, {});

  const auto aspect_alerts = Monitor(*store_, product_rules(Detector::aspect_negative)).run();
  ASSERT_EQ(aspect_alerts.size(), 1u);
  EXPECT_EQ(aspect_alerts[0].subject, "logistics");
  ASSERT_FALSE(aspect_alerts[0].examples.empty());
  for (const auto& item : store_->items_by_row(aspect_alerts[0].examples)) {
    ASSERT_FALSE(item.analysis.aspects.empty());
    EXPECT_EQ(item.analysis.aspects[0].category, "logistics");
  }

  const auto keyword_alerts = Monitor(*store_, product_rules(Detector::emerging_keyword)).run();
  ASSERT_EQ(keyword_alerts.size(), 1u);
  EXPECT_EQ(keyword_alerts[0].subject, "漏水");
  EXPECT_EQ(keyword_alerts[0].count, 20);
  EXPECT_EQ(keyword_alerts[0].examples.size(), 3u);
}

TEST_F(DetectMonitor, KeywordOfPraiseNotAlerted) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 5, 0, 20});  // 5 of the 20 items with the keyword are negative
  add_day("p1", 31, {});
  EXPECT_TRUE(Monitor(*store_, product_rules(Detector::emerging_keyword)).run().empty());

  // Without the sentiment condition the same word alerts.
  Rules any_sentiment = product_rules(Detector::emerging_keyword);
  any_sentiment.detectors[0].min_negative_share = 0;
  store_->set_mark("detect|emerging_keyword|product|day", 0);
  const auto alerts = Monitor(*store_, any_sentiment).run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject, "漏水");
}

TEST_F(DetectMonitor, PastedReviewCountsOnce) {
  add_days("p1", 0, 29, {});
  // 20 negative items with the keyword, 18 of them one pasted text: 3 distinct texts.
  add_day("p1", 30, {100, 20, 0, 20, 1, 18});
  add_day("p1", 31, {});
  EXPECT_TRUE(Monitor(*store_, product_rules(Detector::emerging_keyword)).run().empty());
}

TEST_F(DetectMonitor, LongReviewMentionsNotBurst) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {100, 10, 3, 0, 10});  // 30 mentions, but in 3 items
  add_day("p1", 31, {});
  EXPECT_TRUE(Monitor(*store_, product_rules(Detector::aspect_negative)).run().empty());
}

TEST_F(DetectMonitor, VolumeCollapse) {
  add_days("p1", 0, 29, {});
  add_day("p1", 30, {20, 2, 0, 0});
  add_days("p1", 31, 32, {});
  const auto alerts = Monitor(*store_, product_rules(Detector::volume)).run();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject, "drop");
  EXPECT_EQ(alerts[0].window_start, kMonday + 30 * kDayMs);
  EXPECT_DOUBLE_EQ(alerts[0].observed, 20.0);
}

TEST_F(DetectMonitor, EmptyStoreNoAlerts) {
  EXPECT_TRUE(Monitor(*store_, default_rules()).run().empty());
}

}  // namespace
}  // namespace shopsight::detect

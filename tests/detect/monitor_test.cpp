// Tests of the Monitor on a real store file: closed buckets, progress
// marks, cooldowns, deduplication, examples and sinks.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "detect/detect.h"
#include "detect/webhook_server.h"

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
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));
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

// Products with an incident on day 30, sent to a webhook and to the JSON
// Lines file.
class DetectDelivery : public DetectMonitor {
 protected:
  void add_incidents(const std::vector<std::string>& products = {"p3", "p4"}) {
    for (const std::string& product : products) {
      add_days(product, 0, 29, {});
      add_day(product, 30, {100, 40, 1, 0});
    }
    add_day(products[0], 31, {1, 0, 0, 0});  // closes day 30
  }

  Rules webhook_rules(const std::string& url, int retries) const {
    Rules rules = product_rules(Detector::negative_share);
    rules.sinks.insert(rules.sinks.begin(), SinkRule{.type = "webhook", .url = url, .retries = retries, .backoff_ms = 1});
    return rules;
  }

  // Returns once the server has a request, which the shutdown can then interrupt.
  static void wait_for_request(const WebhookServer& server) {
    while (server.attempts() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // The delivery state of `fingerprint` at the sink whose name starts with `prefix`.
  store::Delivery delivery(const std::string& fingerprint, const std::string& prefix) const {
    for (const store::Delivery& state : store_->deliveries(fingerprint)) {
      if (state.sink.starts_with(prefix)) return state;
    }
    return {.status = "none"};
  }
};

TEST_F(DetectDelivery, ErrorsRetriedUntilDelivered) {
  add_incidents();
  WebhookServer server(2);
  Monitor monitor(*store_, webhook_rules(server.url(), 3));
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 2u);
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));

  EXPECT_EQ(server.bodies().size(), 2u);
  const store::Delivery first = delivery(alerts[0].fingerprint, "webhook");
  EXPECT_EQ(first.status, "delivered");
  EXPECT_EQ(first.attempts, 3) << "two responses of status 500, then success";
  EXPECT_EQ(first.error, "");
  EXPECT_EQ(delivery(alerts[1].fingerprint, "webhook").attempts, 1);
  EXPECT_EQ(delivery(alerts[1].fingerprint, "jsonl").status, "delivered");
}

// The endpoint never responds. run() returns while the first request is
// still open, the file still gets both alerts, and the shutdown interrupts
// the request instead of waiting for it.
TEST_F(DetectDelivery, StuckWebhookDoesNotBlockRun) {
  add_incidents();
  WebhookServer server(0, true);
  Rules rules = webhook_rules(server.url(), 3);
  rules.sinks[0].timeout_ms = 600000;
  rules.sink_shutdown_ms = 200;

  std::vector<store::Alert> alerts;
  {
    Monitor monitor(*store_, rules);
    alerts = monitor.run();
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").status, "pending") << "run() does not wait for the webhook";
    EXPECT_FALSE(monitor.wait_for_deliveries(std::chrono::milliseconds(100)));
    wait_for_request(server);
  }
  EXPECT_EQ(server.attempts(), 1);
  EXPECT_EQ(jsonl_fingerprints().size(), 2u);

  const store::Delivery interrupted = delivery(alerts[0].fingerprint, "webhook");
  EXPECT_EQ(interrupted.status, "failed");
  EXPECT_EQ(interrupted.attempts, 1);
  EXPECT_EQ(interrupted.error, server.url() + ": interrupted, because shopsight is shutting down");
  const store::Delivery waiting = delivery(alerts[1].fingerprint, "webhook");
  EXPECT_EQ(waiting.status, "pending");
  EXPECT_EQ(waiting.attempts, 0);
}

TEST_F(DetectDelivery, TimeoutRecordedWithUrl) {
  add_incidents({"p3"});
  WebhookServer server(0, true);
  Rules rules = webhook_rules(server.url("?token=abcdef0123456789"), 0);
  rules.sinks[0].timeout_ms = 200;
  Monitor monitor(*store_, rules);
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));

  const store::Delivery failed = delivery(alerts[0].fingerprint, "webhook");
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.error, "no response from " + server.url("?***") + " within 200 ms (timeout_ms)");
  EXPECT_EQ(failed.sink.find("abcdef"), std::string::npos) << failed.sink;
}

// The shutdown waits for a slow endpoint that responds within sink_shutdown_ms.
TEST_F(DetectDelivery, ShutdownWaitsForSlowWebhook) {
  add_incidents();
  WebhookServer server(0, false, std::chrono::milliseconds(100));
  std::vector<store::Alert> alerts = Monitor(*store_, webhook_rules(server.url(), 0)).run();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(server.bodies().size(), 2u);
  EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").status, "delivered");
  EXPECT_EQ(delivery(alerts[1].fingerprint, "webhook").status, "delivered");
}

// The endpoint fails once: the first alert fails, the second is delivered,
// and the next start sends the first again, though it raises nothing new.
TEST_F(DetectDelivery, FailedDeliverySentNextRun) {
  add_incidents();
  WebhookServer server(1);
  const Rules rules = webhook_rules(server.url(), 0);
  const std::vector<store::Alert> alerts = Monitor(*store_, rules).run();
  ASSERT_EQ(alerts.size(), 2u);
  ASSERT_EQ(server.bodies().size(), 1u);
  EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").status, "failed");
  EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").error, server.url() + ": HTTP status 500");

  EXPECT_TRUE(Monitor(*store_, rules).run().empty());
  const std::vector<std::string> bodies = server.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(bodies[1]).at("fingerprint"), alerts[0].fingerprint);
  const store::Delivery redelivered = delivery(alerts[0].fingerprint, "webhook");
  EXPECT_EQ(redelivered.status, "delivered");
  EXPECT_EQ(redelivered.attempts, 2);
  EXPECT_TRUE(redelivered.error.empty());
  EXPECT_EQ(jsonl_fingerprints().size(), 2u) << "the file got each alert once";

  Monitor again(*store_, rules);
  EXPECT_EQ(again.redeliver(), 0u) << "delivered alerts are not sent again";
}

// After circuit_failures failed requests in a row the webhook is not called
// for the cool-down; the skipped alert is recorded as failed without an attempt.
TEST_F(DetectDelivery, CircuitOpensAfterFailures) {
  add_incidents({"p3", "p4", "p5"});
  std::string url;
  {
    WebhookServer gone(0);
    url = gone.url();
  }
  Rules rules = webhook_rules(url, 1);
  rules.sinks[0].circuit_failures = 2;
  rules.sinks[0].circuit_cooldown_ms = 600000;
  Monitor monitor(*store_, rules);
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_EQ(alerts.size(), 3u);
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));

  const store::Delivery tried = delivery(alerts[0].fingerprint, "webhook");
  EXPECT_EQ(tried.status, "failed");
  EXPECT_EQ(tried.attempts, 2);
  EXPECT_EQ(tried.error, "cannot connect to " + url);
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    const store::Delivery skipped = delivery(alerts[i].fingerprint, "webhook");
    EXPECT_EQ(skipped.status, "failed");
    EXPECT_EQ(skipped.attempts, 0);
    EXPECT_TRUE(skipped.error.starts_with("not sent: " + url + " failed 2 requests in a row, so it is paused until "))
        << skipped.error;
  }
  EXPECT_EQ(jsonl_fingerprints().size(), 3u) << "other sinks go on";
}

// The circuit lets a trial request through once the cool-down is over, and
// its success closes the circuit.
TEST_F(DetectDelivery, CircuitClosesAfterCooldown) {
  add_incidents();
  WebhookServer server(1000);
  Rules rules = webhook_rules(server.url(), 0);
  rules.sinks[0].circuit_failures = 1;
  rules.sinks[0].circuit_cooldown_ms = 1;
  Monitor monitor(*store_, rules);
  const std::vector<store::Alert> alerts = monitor.run();
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));
  EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").status, "failed");

  server.set_failures(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the cool-down
  EXPECT_EQ(monitor.redeliver(), 2u);
  ASSERT_TRUE(monitor.wait_for_deliveries(std::chrono::seconds(60)));
  EXPECT_EQ(delivery(alerts[0].fingerprint, "webhook").status, "delivered");
  EXPECT_EQ(delivery(alerts[1].fingerprint, "webhook").status, "delivered");
}

// With room for one queued alert and one in flight, the third finds the
// queue full and stays pending, with the reason, instead of blocking run().
TEST_F(DetectDelivery, FullQueueLeavesAlertPending) {
  add_incidents({"p3", "p4", "p5"});
  WebhookServer server(0, true);
  Rules rules = webhook_rules(server.url(), 0);
  rules.sinks[0].timeout_ms = 600000;
  rules.sink_queue_size = 1;
  rules.sink_shutdown_ms = 100;
  std::vector<store::Alert> alerts;
  {
    Monitor monitor(*store_, rules);
    alerts = monitor.run();
    wait_for_request(server);
  }
  ASSERT_EQ(alerts.size(), 3u);
  int full = 0;
  for (const store::Alert& alert : alerts) {
    const store::Delivery state = delivery(alert.fingerprint, "webhook");
    if (state.error == "not queued: the delivery queue was full (sink_queue_size 1)") {
      EXPECT_EQ(state.status, "pending");
      ++full;
    }
  }
  EXPECT_GE(full, 1);

  // The file's queue is as small, so what it had no room for waits as well.
  for (const store::Alert& alert : alerts) {
    const store::Delivery state = delivery(alert.fingerprint, "jsonl");
    if (state.status == "delivered") continue;
    EXPECT_EQ(state.status, "pending");
    EXPECT_EQ(state.error, "not queued: the delivery queue was full (sink_queue_size 1)");
  }
}

// Sinks get the example items, not only the store rows behind them.
TEST_F(DetectDelivery, PayloadCarriesExampleItems) {
  add_incidents();
  WebhookServer server(0);
  const std::vector<store::Alert> alerts = Monitor(*store_, webhook_rules(server.url(), 0)).run();
  ASSERT_EQ(server.bodies().size(), 2u);
  const nlohmann::json body = nlohmann::json::parse(server.bodies()[0]);
  const nlohmann::json& items = body.at("example_items");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(items[0].at("id").get<std::string>().starts_with(alerts[0].value + "-30-")) << items[0];
  EXPECT_EQ(items[0].at("sentiment"), "negative");
  EXPECT_TRUE(items[0].at("time_text").get<std::string>().starts_with("2026-12-02T")) << items[0];
  EXPECT_FALSE(items[0].at("text").get<std::string>().empty());
}

// Backtests clear the sinks, so nothing is queued or recorded.
TEST_F(DetectDelivery, NoSinksNoDeliveryStates) {
  add_incidents();
  Rules rules = product_rules(Detector::negative_share);
  rules.sinks.clear();
  const std::vector<store::Alert> alerts = Monitor(*store_, rules).run();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_TRUE(store_->deliveries(alerts[0].fingerprint).empty());
}

}  // namespace
}  // namespace shopsight::detect

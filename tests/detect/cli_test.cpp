// End-to-end tests of `shopsight alerts` and `shopsight backtest`.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/i18n.h"
#include "detect/detect.h"
#include "detect/webhook_server.h"
#include "support/run_shopsight.h"

namespace shopsight::detect {
namespace {

namespace fs = std::filesystem;
using testing::run_shopsight;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kMonday = 1793577600000LL;  // 2026-11-02 00:00 UTC

// Standard output of `shopsight ARGUMENTS` as JSON. run_shopsight appends
// "2>&1" to the command, so the redirections end the command with "exit $?"
// to keep log lines out of the JSON file while keeping the exit status.
nlohmann::json run_json(const std::string& arguments, const fs::path& folder) {
  const fs::path output = folder / "output.json";
  const fs::path errors = folder / "errors.log";
  const auto result = run_shopsight(arguments + " > " + output.string() + " 2> " + errors.string() + "; exit $?");
  std::ifstream error_log(errors);
  const std::string logged((std::istreambuf_iterator<char>(error_log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(result.status, 0) << logged;
  std::ifstream input(output);
  return nlohmann::json::parse(input);
}

fs::path temp_folder(const std::string& name) {
  const fs::path folder = fs::temp_directory_path() / ("detect_cli_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

std::string iso_day(int day, int hour) {
  const auto seconds = static_cast<std::time_t>((kMonday + day * kDayMs) / 1000 + hour * 3600);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// 40 days of 60 reviews of product p1, one in ten negative, except day 35
// where half are negative.
void write_timeline(const fs::path& path) {
  const std::vector<std::string> positive = {"质量很好，非常满意，推荐购买", "东西不错，物流很快，好评",
                                             "很好用，性价比高，满意"};
  const std::vector<std::string> negative = {"质量太差了，非常失望，退货", "用了两天就坏了，很差劲",
                                             "做工粗糙，完全不值这个价，差评"};
  std::ofstream out(path);
  out << "id,time,product,review\n";
  for (int day = 0; day < 40; ++day) {
    const int negatives = day == 35 ? 30 : 6;
    for (int i = 0; i < 60; ++i) {
      const auto& texts = i < negatives ? negative : positive;
      out << day << "-" << i << "," << iso_day(day, i % 24) << ",p1," << texts[static_cast<std::size_t>(i) % 3] << "\n";
    }
  }
}

TEST(DetectCli, BacktestFindsIncident) {
  const fs::path folder = temp_folder("backtest");
  write_timeline(folder / "timeline.csv");
  const fs::path rules = folder / "rules.toml";
  std::ofstream(rules) << "[[detector]]\ndetector = \"negative_share\"\ndimensions = [\"product\"]\nmin_count = 30\n";

  const nlohmann::json output = run_json("--lang en backtest " + (folder / "timeline.csv").string() + " --rules " +
                                              rules.string() + " --text review --format json",
                                          folder);
  EXPECT_EQ(output.at("items"), 2400);
  ASSERT_EQ(output.at("alerts").size(), 1u) << output.dump(1);
  const nlohmann::json& alert = output.at("alerts")[0];
  EXPECT_EQ(alert.at("detector"), "negative_share");
  EXPECT_EQ(alert.at("value"), "p1");
  EXPECT_EQ(alert.at("window_start"), kMonday + 35 * kDayMs);
  ASSERT_FALSE(alert.at("example_items").empty());
  EXPECT_EQ(alert.at("example_items")[0].at("sentiment"), "negative");
  fs::remove_all(folder);
}

TEST(DetectCli, BacktestSaysNothingOfSinks) {
  const fs::path folder = temp_folder("backtest_old_alert");
  write_timeline(folder / "timeline.csv");
  const fs::path rules = folder / "rules.toml";
  // The incident ends 4 days before the latest item, so a monitor with sinks
  // would hold its alert back.
  std::ofstream(rules) << "sink_max_age_days = 1\n[[detector]]\ndetector = \"negative_share\"\n"
                          "dimensions = [\"product\"]\nmin_count = 30\n";
  const auto result = run_shopsight("--lang en backtest " + (folder / "timeline.csv").string() + " --rules " +
                                    rules.string() + " --text review");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("1 alerts over 2400 items"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("not sent"), std::string::npos) << result.output;
  fs::remove_all(folder);
}

TEST(DetectCli, BacktestNeedsTimeColumn) {
  const fs::path folder = temp_folder("backtest_no_time");
  std::ofstream(folder / "reviews.csv") << "id,review\n1,质量很差\n2,很好\n";
  const auto result = run_shopsight("--lang en backtest " + (folder / "reviews.csv").string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("no time column found"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--time"), std::string::npos) << result.output;
  fs::remove_all(folder);
}

TEST(DetectCli, BacktestBadRulesNamesLine) {
  const fs::path folder = temp_folder("bad_rules");
  write_timeline(folder / "timeline.csv");
  const fs::path rules = folder / "rules.toml";
  std::ofstream(rules) << "[[detector]]\ndetector = \"volume\"\nthreshold = \"high\"\n";
  const auto result =
      run_shopsight("--lang en backtest " + (folder / "timeline.csv").string() + " --rules " + rules.string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("rules.toml:3"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("threshold"), std::string::npos) << result.output;
  fs::remove_all(folder);
}

TEST(DetectCli, AlertsListsAndFilters) {
  const fs::path folder = temp_folder("alerts");
  const std::string db = (folder / "store.db").string();
  {
    store::StoreOptions options;
    options.path = db;
    store::Store store(options);
    store::Alert alert{.fingerprint = "negative_share|product|p9||day|1", .detector = "negative_share",
                       .dimension = "product", .value = "p9", .window_start = kMonday, .window_end = kMonday + kDayMs,
                       .severity = "warning", .statistic_name = "p_value"};
    ASSERT_TRUE(store.add_alert(alert));
    store.record_delivery({.fingerprint = alert.fingerprint, .sink = "webhook http://127.0.0.1:9 #0a1b2c3d",
                           .status = "failed", .attempts = 4, .error = "no response within 5000 ms"});
  }
  const nlohmann::json listed = run_json("--lang en alerts --db " + db + " --format json", folder);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("value"), "p9");
  ASSERT_EQ(listed[0].at("deliveries").size(), 1u);
  EXPECT_EQ(listed[0].at("deliveries")[0].at("status"), "failed");
  EXPECT_EQ(listed[0].at("deliveries")[0].at("attempts"), 4);

  EXPECT_TRUE(run_json("--lang en alerts --db " + db + " --detector volume --format json", folder).empty());

  const auto later = run_shopsight("--lang en alerts --db " + db + " --since 2026-11-03");
  EXPECT_NE(later.output.find("0 alerts"), std::string::npos) << later.output;

  const auto text = run_shopsight("--lang en alerts --db " + db);
  EXPECT_NE(text.output.find("negative_share on product p9"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("sink webhook http://127.0.0.1:9 #0a1b2c3d: failed after 4 attempts (no response within "
                             "5000 ms)"),
            std::string::npos)
      << text.output;

  for (const std::string filter : {"--dimension prod", "--detector spike", "--severity high"}) {
    const auto invalid = run_shopsight("--lang en alerts --db " + db + " " + filter);
    EXPECT_EQ(invalid.status, 2) << filter << ": " << invalid.output;
    EXPECT_NE(invalid.output.find("not in {"), std::string::npos) << filter << ": " << invalid.output;
  }

  const auto bad = run_shopsight("--lang en alerts --db " + db + " --since yesterday");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("--since"), std::string::npos) << bad.output;
  fs::remove_all(folder);
}

TEST(DetectCli, AlertTextInChinese) {
  store::Alert alert;
  alert.detector = "emerging_keyword";
  alert.subject = "破损";
  alert.dimension = "product";
  alert.value = "P2";
  alert.granularity = store::Granularity::day;
  alert.window_start = kMonday;
  alert.window_end = kMonday + kDayMs;
  alert.severity = "warning";
  alert.statistic_name = "p_value";
  store::StoredItem example;
  example.row = 7;
  example.analysis.sentiment.label = "negative";
  example.analysis.masked_text = "盒子破损了";
  const std::vector<store::StoredItem> examples = {example};

  set_language(Language::zh);
  const std::string chinese = format_alert(alert, examples);
  set_language(Language::en);
  EXPECT_NE(chinese.find("警告 新出现的关键词 [破损]，商品 P2，"), std::string::npos) << chinese;
  EXPECT_NE(chinese.find("UTC（天）"), std::string::npos) << chinese;
  EXPECT_NE(chinese.find("#7 (负面) 盒子破损了"), std::string::npos) << chinese;

  // English keeps the names that the JSON output and the rules file use.
  const std::string english = format_alert(alert, examples);
  EXPECT_NE(english.find("warning emerging_keyword [破损] on product P2"), std::string::npos) << english;
  EXPECT_NE(english.find("(day)"), std::string::npos) << english;
  EXPECT_NE(english.find("#7 (negative)"), std::string::npos) << english;
}

TEST(DetectCli, AlertSubjectsTranslated) {
  store::Alert alert;
  alert.detector = "volume";
  alert.subject = "spike";
  alert.dimension = "shop";
  alert.severity = "warning";
  alert.statistic_name = "robust_z";

  set_language(Language::zh);
  const std::string spike = format_alert(alert, {});
  alert.detector = "emerging_keyword";
  alert.subject = "drop";  // a keyword is the reviews' own word, never translated
  const std::string keyword = format_alert(alert, {});
  set_language(Language::en);

  EXPECT_NE(spike.find("[激增]"), std::string::npos) << spike;
  EXPECT_NE(keyword.find("[drop]"), std::string::npos) << keyword;
}

// The store row means nothing to a reader; the input's item id does.
TEST(DetectCli, AlertTextShowsItemIdAndDelivery) {
  const store::Alert alert{.detector = "negative_share", .dimension = "product", .value = "P2",
                           .window_start = kMonday, .window_end = kMonday + kDayMs, .severity = "warning"};
  store::StoredItem example;
  example.row = 2123;
  example.id = "X2123";
  example.analysis.sentiment.label = "negative";
  example.analysis.masked_text = "漏水";
  const std::vector<store::StoredItem> examples = {example};
  const std::vector<store::Delivery> deliveries = {{.sink = "log", .status = "delivered", .attempts = 1},
                                                   {.sink = "jsonl /tmp/a.jsonl", .status = "pending"}};

  const std::string english = format_alert(alert, examples, deliveries);
  EXPECT_NE(english.find("    X2123 (negative) 漏水"), std::string::npos) << english;
  EXPECT_EQ(english.find("2123 ("), english.find("X2123 (") + 1) << english;
  EXPECT_NE(english.find("sink log: delivered after 1 attempt\n"), std::string::npos) << english;
  EXPECT_NE(english.find("sink jsonl /tmp/a.jsonl: pending\n"), std::string::npos) << english;

  set_language(Language::zh);
  const std::string chinese = format_alert(alert, examples, deliveries);
  set_language(Language::en);
  EXPECT_NE(chinese.find("告警出口 log：已送达，共尝试 1 次"), std::string::npos) << chinese;
}

// A webhook that never responds delays the end of ingest by about
// sink_shutdown_ms, not by its 10 minute timeout, and the alert it missed
// is listed as not delivered.
TEST(DetectCli, IngestWithStuckWebhookEnds) {
  const fs::path folder = temp_folder("stuck_webhook");
  write_timeline(folder / "timeline.csv");
  WebhookServer server(0, true);
  const fs::path rules = folder / "rules.toml";
  std::ofstream(rules) << "sink_shutdown_ms = 300\nsink_max_age_days = 0\n[[sink]]\ntype = \"webhook\"\nurl = \""
                       << server.url() << "\"\ntimeout_ms = 600000\n";
  const std::string db = (folder / "store.db").string();
  const auto result = run_shopsight("--lang en ingest " + (folder / "timeline.csv").string() + " --db " + db +
                                    " --text review --rules " + rules.string());
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("interrupted, because shopsight is shutting down"), std::string::npos)
      << result.output;

  const nlohmann::json listed = run_json("--lang en alerts --db " + db + " --format json", folder);
  ASSERT_FALSE(listed.empty());
  // The oldest alert, listed last, was in flight; any newer ones were still queued.
  const nlohmann::json& state = listed.back().at("deliveries").at(0);
  EXPECT_EQ(state.at("sink").get<std::string>().rfind("webhook " + server.url() + " #", 0), 0u) << state;
  EXPECT_EQ(state.at("status"), "failed") << state;
  for (const nlohmann::json& alert : listed) EXPECT_NE(alert.at("deliveries").at(0).at("status"), "delivered");
  fs::remove_all(folder);
}

// `alerts --redeliver` sends what the webhook refused earlier and lists the
// new states.
TEST(DetectCli, AlertsRedeliverSendsFailed) {
  const fs::path folder = temp_folder("redeliver");
  write_timeline(folder / "timeline.csv");
  WebhookServer server(1000000);
  const fs::path rules = folder / "rules.toml";
  std::ofstream(rules) << "sink_max_age_days = 0\n[[sink]]\ntype = \"webhook\"\nurl = \"" << server.url()
                       << "\"\nretries = 0\ncircuit_failures = 0\n";
  const std::string db = (folder / "store.db").string();
  const auto ingest = run_shopsight("--lang en ingest " + (folder / "timeline.csv").string() + " --db " + db +
                                    " --text review --rules " + rules.string());
  ASSERT_EQ(ingest.status, 0) << ingest.output;
  const nlohmann::json failed = run_json("--lang en alerts --db " + db + " --format json", folder);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].at("deliveries").at(0).at("status"), "failed");
  EXPECT_EQ(failed[0].at("deliveries").at(0).at("error"), server.url() + ": HTTP status 500");

  server.set_failures(0);
  const nlohmann::json delivered =
      run_json("--lang en alerts --db " + db + " --format json --redeliver --rules " + rules.string(), folder);
  ASSERT_EQ(delivered.size(), failed.size());
  for (const nlohmann::json& alert : delivered) {
    EXPECT_EQ(alert.at("deliveries").at(0).at("status"), "delivered") << alert;
    EXPECT_EQ(alert.at("deliveries").at(0).at("attempts"), 2) << alert;
  }
  EXPECT_EQ(server.bodies().size(), delivered.size());

  const auto text = run_shopsight("--lang en alerts --db " + db);
  EXPECT_NE(text.output.find(": delivered after 2 attempts"), std::string::npos) << text.output;
  const auto usage = run_shopsight("--lang en alerts --db " + db + " --rules " + rules.string());
  EXPECT_NE(usage.status, 0);
  EXPECT_NE(usage.output.find("--redeliver"), std::string::npos) << usage.output;
  fs::remove_all(folder);
}

}  // namespace
}  // namespace shopsight::detect

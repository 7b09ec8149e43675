// Tests of the alert sinks against a real file and a real HTTP server.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "common/i18n.h"
#include "detect/detect.h"
#include "detect/webhook_server.h"

namespace shopsight::detect {
namespace {

store::Alert sample_alert(const std::string& value) {
  store::Alert alert;
  alert.detector = "negative_share";
  alert.dimension = "product";
  alert.value = value;
  alert.window_start = 1793577600000LL;
  alert.window_end = alert.window_start + 86400000LL;
  alert.fingerprint = "negative_share|product|" + value + "||day|1793577600000";
  alert.severity = "warning";
  alert.observed = 0.3;
  alert.baseline = 0.1;
  alert.statistic = 1e-9;
  alert.statistic_name = "p_value";
  alert.count = 120;
  alert.examples = {4, 8};
  return alert;
}

TEST(DetectSinks, AlertJsonFields) {
  const nlohmann::json json = alert_to_json(sample_alert("p1"));
  EXPECT_EQ(json.at("detector"), "negative_share");
  EXPECT_EQ(json.at("value"), "p1");
  EXPECT_EQ(json.at("granularity"), "day");
  EXPECT_EQ(json.at("window_start_time"), "2026-11-02T00:00:00Z");
  EXPECT_EQ(json.at("examples"), nlohmann::json::array({4, 8}));
  EXPECT_DOUBLE_EQ(json.at("observed").get<double>(), 0.3);
}

std::vector<store::StoredItem> sample_examples() {
  store::StoredItem item;
  item.row = 4;
  item.time = 1793577600000LL + 3600000LL;
  item.id = "X2123";
  item.product = "p1";
  item.analysis.sentiment.label = "negative";
  item.analysis.masked_text = "漏水了，客服电话 [PHONE]";
  return {item};
}

std::string payload_of(const store::Alert& alert, const std::vector<store::StoredItem>& examples) {
  return alert_to_json(alert, examples).dump();
}

SinkRule webhook_rule(const std::string& url, int timeout_ms = 5000) {
  return {.type = "webhook", .url = url, .timeout_ms = timeout_ms};
}

TEST(DetectSinks, JsonLinesAppendsWithExampleItems) {
  const auto path = std::filesystem::temp_directory_path() / ("detect_sink_" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  auto sink = make_sink({.type = "jsonl", .path = path.string()});
  EXPECT_EQ(sink->send(sample_alert("p1"), payload_of(sample_alert("p1"), sample_examples())), "");
  EXPECT_EQ(sink->send(sample_alert("p2"), payload_of(sample_alert("p2"), {})), "");

  std::ifstream input(path);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(input, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("value"), "p1");
  EXPECT_EQ(lines[1].at("value"), "p2");
  const nlohmann::json& item = lines[0].at("example_items").at(0);
  EXPECT_EQ(item.at("id"), "X2123");
  EXPECT_EQ(item.at("time_text"), "2026-11-02T01:00:00Z");
  EXPECT_EQ(item.at("product"), "p1");
  EXPECT_EQ(item.at("sentiment"), "negative");
  EXPECT_EQ(item.at("text"), "漏水了，客服电话 [PHONE]");
  std::filesystem::remove(path);
}

TEST(DetectSinks, JsonLinesMissingFolderNamed) {
  auto sink = make_sink({.type = "jsonl", .path = "/nonexistent/folder/alerts.jsonl"});
  const std::string error = sink->send(sample_alert("p1"), "{}");
  EXPECT_EQ(error, "cannot append to /nonexistent/folder/alerts.jsonl: check that the folder exists and is writable");
}

TEST(DetectSinks, WebhookPostsPayload) {
  WebhookServer server(0);
  const std::string payload = payload_of(sample_alert("p1"), sample_examples());
  EXPECT_EQ(make_sink(webhook_rule(server.url()))->send(sample_alert("p1"), payload), "");
  ASSERT_EQ(server.bodies().size(), 1u);
  EXPECT_EQ(server.bodies()[0], payload);
  const nlohmann::json body = nlohmann::json::parse(server.bodies()[0]);
  EXPECT_EQ(body.at("fingerprint"), "negative_share|product|p1||day|1793577600000");
  EXPECT_EQ(body.at("example_items").at(0).at("id"), "X2123");
}

// One call is one request: the delivery queue, not the sink, retries.
TEST(DetectSinks, WebhookErrorStatusNamed) {
  WebhookServer server(1);
  const auto sink = make_sink(webhook_rule(server.url("?token=secret123456789")));
  const std::string error = sink->send(sample_alert("p1"), "{}");
  EXPECT_EQ(error, "http://127.0.0.1:" + std::to_string(server.port()) + "/alerts?***: HTTP status 500");
  EXPECT_EQ(server.attempts(), 1);
  EXPECT_EQ(sink->send(sample_alert("p1"), "{}"), "");
}

// cpp-httplib calls a read timeout just "Read"; the message names the URL
// without its token, and the timeout.
TEST(DetectSinks, WebhookTimeoutNamesUrlAndTimeout) {
  WebhookServer server(0, true);
  const SinkRule rule = webhook_rule(server.url("?access_token=0123456789abcdef"), 200);
  const std::string error = make_sink(rule)->send(sample_alert("p1"), "{}");
  EXPECT_EQ(error, "no response from http://127.0.0.1:" + std::to_string(server.port()) +
                       "/alerts?*** within 200 ms (timeout_ms)");
  EXPECT_EQ(error.find("0123456789abcdef"), std::string::npos) << error;

  set_language(Language::zh);
  const std::string chinese = make_sink(rule)->send(sample_alert("p1"), "{}");
  set_language(Language::en);
  EXPECT_NE(chinese.find("在 200 ms 内没有响应（timeout_ms）"), std::string::npos) << chinese;
}

TEST(DetectSinks, WebhookRefusedConnectionNamed) {
  std::string url;
  {
    WebhookServer gone(0);
    url = gone.url();
  }
  const std::string error = make_sink(webhook_rule(url))->send(sample_alert("p1"), "{}");
  EXPECT_EQ(error, "cannot connect to " + url);
}

// interrupt() ends a request in flight, as the monitor's shutdown needs.
TEST(DetectSinks, WebhookInterruptEndsRequest) {
  WebhookServer server(0, true);
  const auto sink = make_sink(webhook_rule(server.url(), 600000));
  std::string error;
  std::thread sender([&] { error = sink->send(sample_alert("p1"), "{}"); });
  while (server.attempts() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  sink->interrupt();
  sender.join();
  EXPECT_EQ(error, server.url() + ": interrupted, because shopsight is shutting down");
  EXPECT_EQ(sink->send(sample_alert("p1"), "{}"), server.url() + ": not sent, because shopsight is shutting down");
  EXPECT_EQ(server.attempts(), 1);
}

// Sink names are stored and shown by the API; a chat webhook's path is its secret.
TEST(DetectSinks, WebhookNameHidesToken) {
  const std::string name = make_sink(webhook_rule("http://127.0.0.1:9/hook/0a1b2c3d4e5f60718293"))->name();
  EXPECT_TRUE(name.starts_with("webhook http://127.0.0.1:9/hook/*** #")) << name;
  EXPECT_EQ(name.find("0a1b2c"), std::string::npos) << name;
  EXPECT_NE(make_sink(webhook_rule("http://127.0.0.1:9/hook/ffffffffffffffffffff"))->name(), name);
}

TEST(DetectSinks, RedactUrlHidesTokens) {
  const struct {
    std::string url;
    std::string expected;
  } cases[] = {
      {"http://127.0.0.1:8080/alerts", "http://127.0.0.1:8080/alerts"},
      {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"https://user:password@example.com/alerts", "https://example.com/alerts"},
      {"https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX",
       "https://hooks.slack.com/services/***/***/***"},
      {"https://open.feishu.cn/open-apis/bot/v2/hook/1a2b3c4d-0000-1111-2222-333344445555",
       "https://open.feishu.cn/open-apis/bot/v2/hook/***"},
      {"https://oapi.dingtalk.com/robot/send?access_token=abc", "https://oapi.dingtalk.com/robot/send?***"},
      {"http://example.com?key=1", "http://example.com?***"},
  };
  for (const auto& test : cases) EXPECT_EQ(redact_url(test.url), test.expected) << test.url;
}

}  // namespace
}  // namespace shopsight::detect

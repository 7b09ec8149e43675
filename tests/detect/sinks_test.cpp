// Tests of the alert sinks against a real file and a real HTTP server.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "detect/detect.h"

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

TEST(DetectSinks, JsonLinesAppends) {
  const auto path = std::filesystem::temp_directory_path() / ("detect_sink_" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  SinkRule rule;
  rule.type = "jsonl";
  rule.path = path.string();
  auto sink = make_sink(rule);
  sink->send(sample_alert("p1"));
  sink->send(sample_alert("p2"));

  std::ifstream input(path);
  std::string line;
  std::vector<std::string> values;
  while (std::getline(input, line)) values.push_back(nlohmann::json::parse(line).at("value"));
  EXPECT_EQ(values, (std::vector<std::string>{"p1", "p2"}));
  std::filesystem::remove(path);
}

// An HTTP server on a free loopback port that responds 500 to the first
// `failures` POSTs and 200 afterwards, counting attempts.
class FlakyServer {
 public:
  explicit FlakyServer(int failures) : failures_(failures) {
    server_.Post("/alerts", [this](const httplib::Request& request, httplib::Response& response) {
      const int attempt = ++attempts_;
      if (attempt <= failures_) {
        response.status = 500;
        return;
      }
      last_body_ = request.body;
      response.status = 200;
    });
    // The socket listens once bound, so a POST sent before the thread
    // accepts waits in the backlog instead of failing.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FlakyServer() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  int attempts() const { return attempts_; }
  const std::string& last_body() const { return last_body_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int failures_;
  std::atomic<int> attempts_ = 0;
  std::string last_body_;
};

TEST(DetectSinks, WebhookRetriesThenDelivers) {
  FlakyServer server(2);
  const SinkRule rule{.type = "webhook", .url = server.url(), .retries = 3, .backoff_ms = 5};
  make_sink(rule)->send(sample_alert("p1"));
  EXPECT_EQ(server.attempts(), 3);
  ASSERT_FALSE(server.last_body().empty());
  EXPECT_EQ(nlohmann::json::parse(server.last_body()).at("fingerprint"), "negative_share|product|p1||day|1793577600000");
}

TEST(DetectSinks, WebhookGivesUpAfterRetries) {
  FlakyServer server(100);
  const SinkRule rule{.type = "webhook", .url = server.url(), .retries = 2, .backoff_ms = 1};
  make_sink(rule)->send(sample_alert("p1"));  // logs the failure, does not throw
  EXPECT_EQ(server.attempts(), 3);
  EXPECT_TRUE(server.last_body().empty());
}

}  // namespace
}  // namespace shopsight::detect

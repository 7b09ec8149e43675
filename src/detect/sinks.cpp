// Alert sinks: the log, a JSON Lines file, and a webhook.

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utc_time.h"
#include "detect/detect.h"

namespace shopsight::detect {
namespace {

std::string iso_time(std::int64_t milliseconds) { return utc_time_text(milliseconds, "%Y-%m-%dT%H:%M:%SZ"); }

// One line per alert, at a level that follows its severity.
class LogSink : public Sink {
 public:
  void send(const store::Alert& alert) override {
    const auto level = alert.severity == "critical" ? spdlog::level::err
                       : alert.severity == "info"   ? spdlog::level::info
                                                    : spdlog::level::warn;
    spdlog::log(level, "{}", tr("alert {} on {} '{}' {} from {}: observed {:.4g}, baseline {:.4g}, {} {:.3g}, {} items",
                                alert.detector, alert.dimension, alert.value, alert.subject, iso_time(alert.window_start),
                                alert.observed, alert.baseline, alert.statistic_name, alert.statistic, alert.count));
  }
};

// Appends one JSON object per line. The file is opened for each alert so
// that a log rotation between runs is picked up.
class JsonLinesSink : public Sink {
 public:
  explicit JsonLinesSink(std::string path) : path_(std::move(path)) {}

  void send(const store::Alert& alert) override {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    out << alert_to_json(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out) spdlog::error("{}", tr("cannot append alert {} to {}: check that the folder exists and is writable",
                                    alert.fingerprint, path_));
  }

 private:
  std::string path_;
};

// POSTs the alert JSON, retrying failed attempts (no response or a status
// other than 2xx) after a wait that doubles each time.
class WebhookSink : public Sink {
 public:
  explicit WebhookSink(const SinkRule& rule) : rule_(rule) {
    // "http://host:port/path": the client takes the part before the path.
    const std::size_t path_start = rule.url.find('/', rule.url.find("://") + 3);
    origin_ = rule.url.substr(0, path_start);
    path_ = path_start == std::string::npos ? "/" : rule.url.substr(path_start);
  }

  void send(const store::Alert& alert) override {
    const std::string body = alert_to_json(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    int wait_ms = rule_.backoff_ms;
    for (int attempt = 0; attempt <= rule_.retries; ++attempt) {
      const std::string failure = post(body);
      if (failure.empty()) return;
      if (attempt == rule_.retries) {
        spdlog::error("{}", tr("webhook {} failed for alert {} after {} attempts: {}", rule_.url, alert.fingerprint,
                               attempt + 1, failure));
        return;
      }
      spdlog::warn("{}", tr("webhook {} failed for alert {} ({}); retry {} of {} in {} ms", rule_.url,
                            alert.fingerprint, failure, attempt + 1, rule_.retries, wait_ms));
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      wait_ms *= 2;
    }
  }

 private:
  // Empty on success, else what went wrong.
  std::string post(const std::string& body) {
    httplib::Client client(origin_);
    const auto timeout = std::chrono::milliseconds(rule_.timeout_ms);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    const auto response = client.Post(path_, body, "application/json");
    if (!response) return httplib::to_string(response.error());
    if (response->status < 200 || response->status >= 300) return tr("HTTP status {}", response->status);
    return {};
  }

  SinkRule rule_;
  std::string origin_;
  std::string path_;
};

}  // namespace

nlohmann::json alert_to_json(const store::Alert& alert) {
  return nlohmann::json{{"fingerprint", alert.fingerprint},
                        {"detector", alert.detector},
                        {"dimension", alert.dimension},
                        {"value", alert.value},
                        {"subject", alert.subject},
                        {"granularity", std::string(store::to_string(alert.granularity))},
                        {"window_start", alert.window_start},
                        {"window_end", alert.window_end},
                        {"window_start_time", iso_time(alert.window_start)},
                        {"window_end_time", iso_time(alert.window_end)},
                        {"severity", alert.severity},
                        {"observed", alert.observed},
                        {"baseline", alert.baseline},
                        {"statistic", alert.statistic},
                        {"statistic_name", alert.statistic_name},
                        {"count", alert.count},
                        {"examples", alert.examples},
                        {"raised_at", alert.raised_at}};
}

std::unique_ptr<Sink> make_sink(const SinkRule& rule) {
  if (rule.type == "log") return std::make_unique<LogSink>();
  if (rule.type == "jsonl") return std::make_unique<JsonLinesSink>(rule.path);
  if (rule.type == "webhook") {
    if (!rule.url.starts_with("http://") && !rule.url.starts_with("https://")) {
      throw Error(tr("webhook URL {} must start with http:// or https://", rule.url));
    }
    return std::make_unique<WebhookSink>(rule);
  }
  throw Error(tr("unknown sink type '{}'; expected log, jsonl or webhook", rule.type));
}

}  // namespace shopsight::detect

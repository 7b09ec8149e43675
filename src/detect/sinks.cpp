// Alert sinks: the log, a JSON Lines file, and a webhook.

#include <httplib.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
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

// Short stable hash in hex, so that a sink name can tell two URLs apart
// without showing them.
std::string url_hash(std::string_view text) {
  std::uint32_t hash = 2166136261u;  // FNV-1a
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return fmt::format("{:08x}", hash);
}

// Chat webhooks carry their token in a path segment (Slack, Feishu) or in
// the query (DingTalk, WeCom). A segment is taken for a token when it is
// long or mixes letters with several digits, which version segments such
// as "v2" do not.
bool may_be_token(std::string_view segment) {
  if (segment.size() >= 16) return true;
  const auto digits = std::count_if(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
  return segment.size() >= 8 && digits >= 3 && digits < static_cast<std::ptrdiff_t>(segment.size());
}

// One line per alert, at a level that follows its severity.
class LogSink : public Sink {
 public:
  std::string name() const override { return "log"; }

  std::string send(const store::Alert& alert, const std::string&) override {
    const auto level = alert.severity == "critical" ? spdlog::level::err
                       : alert.severity == "info"   ? spdlog::level::info
                                                    : spdlog::level::warn;
    spdlog::log(level, "{}", tr("alert {} on {} '{}' {} from {}: observed {:.4g}, baseline {:.4g}, {} {:.3g}, {} items",
                                alert.detector, alert.dimension, alert.value, alert.subject, iso_time(alert.window_start),
                                alert.observed, alert.baseline, alert.statistic_name, alert.statistic, alert.count));
    return {};
  }
};

// Appends one JSON object per line. The file is opened for each alert so
// that a log rotation between runs is picked up.
class JsonLinesSink : public Sink {
 public:
  explicit JsonLinesSink(std::string path) : path_(std::move(path)) {}

  std::string name() const override { return "jsonl " + path_; }

  std::string send(const store::Alert&, const std::string& payload) override {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    out << payload << '\n';
    out.flush();
    if (out) return {};
    return tr("cannot append to {}: check that the folder exists and is writable", path_);
  }

 private:
  std::string path_;
};

// POSTs the alert JSON once per call; a response other than 2xx is a failure.
class WebhookSink : public Sink {
 public:
  explicit WebhookSink(const SinkRule& rule) : rule_(rule), label_(redact_url(rule.url)) {
    // "http://host:port/path": the client takes the part before the path.
    const std::size_t path_start = rule.url.find('/', rule.url.find("://") + 3);
    origin_ = rule.url.substr(0, path_start);
    path_ = path_start == std::string::npos ? "/" : rule.url.substr(path_start);
  }

  std::string name() const override { return "webhook " + label_ + " #" + url_hash(rule_.url); }

  std::string send(const store::Alert&, const std::string& payload) override {
    httplib::Client client(origin_);
    const auto timeout = std::chrono::milliseconds(rule_.timeout_ms);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    {
      std::lock_guard lock(mutex_);
      if (interrupted_) return tr("{}: not sent, because shopsight is shutting down", label_);
      client_ = &client;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto response = client.Post(path_, payload, "application/json");
    {
      std::lock_guard lock(mutex_);
      client_ = nullptr;
      if (interrupted_ && !response) return tr("{}: interrupted, because shopsight is shutting down", label_);
    }
    if (!response) {
      // A read that fails well before the timeout means that the server closed the connection.
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      return failure_text(response.error(), waited.count() >= rule_.timeout_ms * 9 / 10);
    }
    if (response->status < 200 || response->status >= 300) return tr("{}: HTTP status {}", label_, response->status);
    return {};
  }

  // httplib's stop() closes the socket of a request in flight, so Post returns.
  // NOTE: a stop() between the check of interrupted_ and the moment Post
  // opens its socket closes nothing, and that request runs until timeout_ms.
  void interrupt() override {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
    if (client_ != nullptr) client_->stop();
  }

 private:
  // cpp-httplib names its errors in one word, such as "Read" for a read timeout.
  std::string failure_text(httplib::Error error, bool timed_out) const {
    switch (error) {
      case httplib::Error::Read:
        if (timed_out) return tr("no response from {} within {} ms (timeout_ms)", label_, rule_.timeout_ms);
        return tr("{} closed the connection without a response", label_);
      case httplib::Error::ConnectionTimeout:
        return tr("no connection to {} within {} ms (timeout_ms)", label_, rule_.timeout_ms);
      case httplib::Error::Connection: return tr("cannot connect to {}", label_);
      case httplib::Error::Write: return tr("the connection to {} broke while sending the alert", label_);
      case httplib::Error::SSLConnection: return tr("the TLS handshake with {} failed", label_);
      case httplib::Error::SSLLoadingCerts: return tr("cannot load the system's TLS certificates");
      case httplib::Error::SSLServerVerification: return tr("the TLS certificate of {} is not trusted", label_);
      default: return tr("{}: request failed ({})", label_, httplib::to_string(error));
    }
  }

  SinkRule rule_;
  std::string label_;
  std::string origin_;
  std::string path_;
  std::mutex mutex_;
  httplib::Client* client_ = nullptr;           // the request in flight, for interrupt()
  bool interrupted_ = false;
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

std::string redact_url(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t host_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::size_t path_start = std::min(url.find('/', host_start), url.find('?', host_start));
  std::string_view authority = url.substr(host_start, path_start - host_start);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string redacted = std::string(url.substr(0, host_start)) + std::string(authority);
  if (path_start == std::string_view::npos) return redacted;

  std::string_view rest = url.substr(path_start);
  const std::size_t query_start = rest.find('?');
  std::string_view path = rest.substr(0, query_start);
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::size_t end = path.find('/');
    const std::string_view segment = path.substr(0, end);
    redacted += "/" + (may_be_token(segment) ? std::string("***") : std::string(segment));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  if (query_start != std::string_view::npos) redacted += "?***";
  return redacted;
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

#pragma once

// An HTTP server on a free loopback port that receives webhook POSTs for the
// sink and monitor tests.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shopsight::detect {

/// Responds 500 to the first `failures` POSTs and 200 afterwards, counting
/// attempts. With `hang`, it never responds: each request waits until the
/// server stops, as a stuck endpoint does. With `delay`, it responds that
/// much later, as a slow endpoint does.
class WebhookServer {
 public:
  explicit WebhookServer(int failures, bool hang = false, std::chrono::milliseconds delay = {})
      : failures_(failures), hang_(hang), delay_(delay) {
    server_.Post("/alerts", [this](const httplib::Request& request, httplib::Response& response) {
      const int attempt = ++attempts_;
      if (hang_ || delay_.count() > 0) {
        std::unique_lock lock(mutex_);
        stopped_.wait_for(lock, hang_ ? std::chrono::milliseconds(60000) : delay_, [this] { return stopping_; });
        if (hang_) return;
      }
      if (attempt <= failures_) {
        response.status = 500;
        return;
      }
      std::lock_guard lock(mutex_);
      bodies_.push_back(request.body);
      response.status = 200;
    });
    // The socket listens once bound, so a POST sent before the thread
    // accepts waits in the backlog instead of failing.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the thread runs would leave it listening, and the destructor waiting.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stopped_.notify_all();
    server_.stop();
    thread_.join();
  }
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// URL of the POST route; `suffix` is appended, e.g. a query.
  std::string url(const std::string& suffix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/alerts" + suffix;
  }
  int port() const { return port_; }
  int attempts() const { return attempts_; }

  /// Makes the POSTs from now on fail (`failures` large) or succeed (0).
  void set_failures(int failures) { failures_ = failures + attempts_; }

  /// Bodies of the POSTs that got status 200, in order.
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> failures_;
  bool hang_;
  std::chrono::milliseconds delay_;
  std::atomic<int> attempts_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::vector<std::string> bodies_;
};

}  // namespace shopsight::detect

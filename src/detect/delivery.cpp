// Delivery queue: background threads that send alerts to the sinks.

#include "detect/delivery.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "common/i18n.h"
#include "common/log.h"
#include "common/utc_time.h"

namespace shopsight::detect {
namespace {

using Clock = std::chrono::steady_clock;

// Maximum wait between two attempts, however many retries double it.
constexpr std::int64_t kMaxBackoffMs = 60000;

// The circuit breaker of one sink. It opens after `failures` failed requests
// in a row and then lets no request through for `cooldown`. The first
// request after the cool-down is a trial: success closes the circuit, and
// failure opens it for another cool-down.
class Circuit {
 public:
  Circuit(int failures, std::chrono::milliseconds cooldown) : failures_(failures), cooldown_(cooldown) {}

  bool is_open(Clock::time_point now) const { return failures_ > 0 && failed_ >= failures_ && now < open_until_; }

  // Returns true when this failure opens the circuit.
  bool record_failure(Clock::time_point now) {
    ++failed_;
    if (failures_ == 0 || failed_ < failures_) return false;
    open_until_ = now + cooldown_;
    return true;
  }

  // Returns true when this success closes an open circuit.
  bool record_success() {
    const bool was_open = failures_ > 0 && failed_ >= failures_;
    failed_ = 0;
    return was_open;
  }

  int failed() const { return failed_; }
  Clock::time_point open_until() const { return open_until_; }

 private:
  int failures_;
  std::chrono::milliseconds cooldown_;
  int failed_ = 0;
  Clock::time_point open_until_{};
};

// Wall-clock UTC time of a steady-clock point in the future, for messages.
std::string utc_time_of(Clock::time_point point) {
  const auto from_now = std::chrono::duration_cast<std::chrono::milliseconds>(point - Clock::now());
  const auto wall = std::chrono::system_clock::now() + from_now;
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  return utc_time_text(milliseconds, "%Y-%m-%d %H:%M:%S");
}

}  // namespace

// The queue and thread of one sink.
class DeliveryQueue::Worker {
 public:
  Worker(store::Store& store, const SinkRule& rule, std::size_t capacity)
      : store_(store),
        sink_(make_sink(rule)),
        name_(sink_->name()),
        label_(rule.type == "webhook" ? redact_url(rule.url) : name_),
        capacity_(capacity),
        // The log and a local file gain nothing from retries or a circuit breaker.
        retries_(rule.type == "webhook" ? rule.retries : 0),
        backoff_ms_(rule.backoff_ms),
        cooldown_ms_(rule.circuit_cooldown_ms),
        circuit_(rule.type == "webhook" ? rule.circuit_failures : 0,
                 std::chrono::milliseconds(rule.circuit_cooldown_ms)) {
    thread_ = std::thread([this] { run(); });
  }

  ~Worker() {
    abort();
    if (thread_.joinable()) thread_.join();
  }

  const std::string& name() const { return name_; }

  bool contains(const std::string& fingerprint) const {
    std::lock_guard lock(mutex_);
    return waiting_.contains(fingerprint);
  }

  PushResult push(DeliveryJob job) {
    std::lock_guard lock(mutex_);
    if (waiting_.contains(job.alert.fingerprint)) return PushResult::already_queued;
    if (queue_.size() >= capacity_) return PushResult::queue_full;
    waiting_.insert(job.alert.fingerprint);
    queue_.push_back(std::move(job));
    changed_.notify_all();
    return PushResult::queued;
  }

  bool wait_idle(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [this] { return waiting_.empty(); });
  }

  // Lets the thread end once the queue is empty. abort() ends it sooner.
  void finish() {
    std::lock_guard lock(mutex_);
    finishing_ = true;
    changed_.notify_all();
  }

  void abort() {
    {
      std::lock_guard lock(mutex_);
      if (aborted_) return;
      aborted_ = true;
      changed_.notify_all();
    }
    sink_->interrupt();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return aborted_ || finishing_ || !queue_.empty(); });
      if (aborted_ || queue_.empty()) break;
      DeliveryJob job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      deliver(job);
      lock.lock();
      waiting_.erase(job.alert.fingerprint);
      changed_.notify_all();
    }
    if (!queue_.empty()) {
      // Their states in the store stay pending or failed, which the next run sends again.
      spdlog::warn("{}", tr("sink {}: {} alerts were not delivered before the shutdown (sink_shutdown_ms); the next "
                            "run sends them again",
                            label_, queue_.size()));
    }
  }

  void deliver(const DeliveryJob& job) {
    const std::string& fingerprint = job.alert.fingerprint;
    int attempts = 0;
    std::string error;
    for (int attempt = 0; attempt <= retries_; ++attempt) {
      if (circuit_.is_open(Clock::now())) {
        // A skipped alert is not an attempt; the next run after the cool-down tries it again.
        error = tr("not sent: {} failed {} requests in a row, so it is paused until {} UTC", label_,
                   circuit_.failed(), utc_time_of(circuit_.open_until()));
        break;
      }
      if (is_aborted()) break;
      ++attempts;
      error = send(job);
      if (error.empty()) {
        if (circuit_.record_success()) spdlog::info("{}", tr("sink {} responds again; sending resumes", label_));
        record(fingerprint, "delivered", attempts, {});
        return;
      }
      if (circuit_.record_failure(Clock::now())) {
        spdlog::error("{}", tr("sink {} failed {} requests in a row; pausing it for {} ms (circuit_cooldown_ms): {}",
                               label_, circuit_.failed(), cooldown_ms_, error));
      }
      if (attempt == retries_ || is_aborted()) {
        spdlog::error("{}", tr("sink {} failed for alert {} after {} attempts: {}", label_, fingerprint, attempts, error));
        break;
      }
      const std::int64_t wait_ms = std::min<std::int64_t>(static_cast<std::int64_t>(backoff_ms_) << std::min(attempt, 20),
                                                          kMaxBackoffMs);
      spdlog::warn("{}", tr("sink {} failed for alert {} ({}); retry {} of {} in {} ms", label_, fingerprint, error,
                            attempt + 1, retries_, wait_ms));
      if (!pause(std::chrono::milliseconds(wait_ms))) break;
    }
    if (attempts == 0 && error.empty()) return;  // aborted before the first attempt, so it stays pending
    record(fingerprint, "failed", attempts, error);
  }

  // A sink that throws counts as failed, because the thread has no caller to throw to.
  std::string send(const DeliveryJob& job) {
    try {
      return sink_->send(job.alert, job.payload);
    } catch (const std::exception& failure) {
      return failure.what();
    }
  }

  bool is_aborted() const {
    std::lock_guard lock(mutex_);
    return aborted_;
  }

  // Sleeps for `duration` and returns true, or returns false as soon as abort() is called.
  bool pause(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, duration, [this] { return aborted_; });
  }

  // A store error here has no caller to go to, so it is logged.
  void record(const std::string& fingerprint, const std::string& status, int attempts, const std::string& error) {
    try {
      store_.record_delivery(
          {.fingerprint = fingerprint, .sink = name_, .status = status, .attempts = attempts, .error = error});
    } catch (const std::exception& failure) {
      spdlog::error("{}", tr("cannot save the delivery state of alert {} at sink {}: {}", fingerprint, label_,
                             failure.what()));
    }
  }

  store::Store& store_;
  std::unique_ptr<Sink> sink_;
  std::string name_;
  std::string label_;                           // name_ in messages: the redacted URL of a webhook
  std::size_t capacity_;
  int retries_;
  int backoff_ms_;
  int cooldown_ms_;
  Circuit circuit_;                             // used only by the worker thread

  mutable std::mutex mutex_;
  std::condition_variable changed_;             // queue, waiting_, finishing_ or aborted_ changed
  std::deque<DeliveryJob> queue_;
  std::set<std::string> waiting_;               // fingerprints queued or being sent
  bool finishing_ = false;
  bool aborted_ = false;
  std::thread thread_;
};

DeliveryQueue::DeliveryQueue(store::Store& store, const Rules& rules) : shutdown_ms_(rules.sink_shutdown_ms) {
  for (const SinkRule& rule : rules.sinks) {
    workers_.push_back(std::make_unique<Worker>(store, rule, static_cast<std::size_t>(rules.sink_queue_size)));
    names_.push_back(workers_.back()->name());
  }
}

DeliveryQueue::~DeliveryQueue() {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(shutdown_ms_);
  for (auto& worker : workers_) worker->finish();
  for (auto& worker : workers_) worker->wait_idle(deadline);
  for (auto& worker : workers_) worker->abort();
  workers_.clear();
}

bool DeliveryQueue::contains(std::size_t sink, const std::string& fingerprint) const {
  return workers_.at(sink)->contains(fingerprint);
}

PushResult DeliveryQueue::push(std::size_t sink, DeliveryJob job) { return workers_.at(sink)->push(std::move(job)); }

bool DeliveryQueue::wait_idle(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  bool idle = true;
  for (auto& worker : workers_) idle = worker->wait_idle(deadline) && idle;
  return idle;
}

}  // namespace shopsight::detect

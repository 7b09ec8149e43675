#pragma once

// Delivery queue: one bounded queue and one thread per sink, so that a slow
// or dead webhook delays neither detection nor the other sinks. Each thread
// retries with exponential backoff, stops calling a sink whose requests keep
// failing (circuit breaker) and keeps every delivery state in the store.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "detect/detect.h"

namespace shopsight::detect {

/// One alert waiting for one sink.
struct DeliveryJob {
  store::Alert alert;
  std::string payload;                          ///< alert_to_json with example items, as JSON text
};

/// Outcome of DeliveryQueue::push.
enum class PushResult { queued, already_queued, queue_full };

/// Bounded queues and delivery threads of the sinks of one set of rules.
class DeliveryQueue {
 public:
  /// Makes the sinks of `rules` and starts their threads. `store` must
  /// outlive the queue.
  DeliveryQueue(store::Store& store, const Rules& rules);
  /// Lets the threads finish the queued deliveries for up to the rules'
  /// sink_shutdown_ms, then interrupts what runs and joins them.
  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  /// Sink names, as Sink::name() gives them, in the order of the rules.
  const std::vector<std::string>& sink_names() const { return names_; }

  /// True when the alert is queued for sink `sink` or being sent to it.
  bool contains(std::size_t sink, const std::string& fingerprint) const;

  /// Adds a job to the queue of sink `sink` without waiting.
  PushResult push(std::size_t sink, DeliveryJob job);

  /// Waits until every queue is empty and no delivery runs, or `timeout`
  /// passed. Returns true in the first case.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  class Worker;

  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int shutdown_ms_;
};

}  // namespace shopsight::detect

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "analyze/analyze.h"
#include "common/log.h"

namespace shopsight {
namespace {

// Items travel in batches so that queue locking costs little per item.
constexpr std::size_t kBatchItems = 64;

struct Batch {
  std::int64_t sequence = 0;
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  std::vector<Reject> rejects;
  std::vector<std::size_t> reject_positions;  ///< items before each reject, to keep input order
};

/// Queue with a capacity: push() blocks while full, pop() while empty. It
/// adds up the time its callers spent blocked, which shows which side of the
/// queue slows the other down.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  void push(T value) {
    std::unique_lock lock(mutex_);
    if (values_.size() >= capacity_) {
      const auto started = std::chrono::steady_clock::now();
      not_full_.wait(lock, [&] { return values_.size() < capacity_; });
      push_wait_ += std::chrono::steady_clock::now() - started;
    }
    values_.push_back(std::move(value));
    not_empty_.notify_one();
  }

  /// Next value, or nullopt once the queue is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    if (values_.empty() && !closed_) {
      const auto started = std::chrono::steady_clock::now();
      not_empty_.wait(lock, [&] { return !values_.empty() || closed_; });
      pop_wait_ += std::chrono::steady_clock::now() - started;
    }
    if (values_.empty()) return std::nullopt;
    T value = std::move(values_.front());
    values_.pop_front();
    not_full_.notify_one();
    return value;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  /// Seconds that push() and pop() callers spent blocked, summed over threads.
  double push_wait_seconds() const {
    std::lock_guard lock(mutex_);
    return std::chrono::duration<double>(push_wait_).count();
  }
  double pop_wait_seconds() const {
    std::lock_guard lock(mutex_);
    return std::chrono::duration<double>(pop_wait_).count();
  }

 private:
  std::size_t capacity_;
  std::deque<T> values_;
  bool closed_ = false;
  std::chrono::steady_clock::duration push_wait_{};
  std::chrono::steady_clock::duration pop_wait_{};
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
};

// Linux schedules each thread with its own nice value, and a thread may
// always lower its own priority. Within one process (and one autogroup or
// cgroup) this only decides which thread runs first.
void lower_priority(int nice) {
#ifdef __linux__
  if (nice <= 0) return;
  const auto thread = static_cast<id_t>(gettid());
  // getpriority() may return -1 as a nice value, so only errno tells a failure.
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, thread);
  if (errno != 0 || setpriority(PRIO_PROCESS, thread, std::min(current + nice, 19)) != 0) {
    spdlog::debug("pipeline: failed to raise an analyzer thread's nice value by {}: {}", nice, std::strerror(errno));
  }
#else
  (void)nice;
#endif
}

}  // namespace

PipelineStats run_pipeline(Reader& reader, const Engine& engine, const PipelineOptions& options,
                           const std::function<void(Item&, Analysis&)>& sink,
                           const std::function<void(const Reject&)>& on_reject,
                           const std::function<void(std::int64_t)>& on_progress) {
  const auto started = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t queue_batches = std::max<std::size_t>(2, options.queue_items / kBatchItems);
  BoundedQueue<Batch> to_workers(queue_batches);
  BoundedQueue<Batch> to_writer(queue_batches);

  // The first failure on any thread stops the run and is rethrown here.
  std::mutex failure_mutex;
  std::exception_ptr failure;
  std::atomic<bool> stopping = false;
  auto record_failure = [&] {
    std::lock_guard lock(failure_mutex);
    if (!failure) failure = std::current_exception();
    stopping = true;
  };

  std::thread read_thread([&] {
    try {
      std::int64_t sequence = 0;
      Batch batch;
      Item item;
      Reject reject;
      while (!stopping) {
        const ReadStatus status = reader.next(item, reject);
        if (status == ReadStatus::end) break;
        if (status == ReadStatus::item) {
          batch.items.push_back(std::move(item));
          item = Item();
        } else {
          batch.reject_positions.push_back(batch.items.size());
          batch.rejects.push_back(std::move(reject));
          reject = Reject();
        }
        if (batch.items.size() + batch.rejects.size() >= kBatchItems) {
          batch.sequence = sequence++;
          to_workers.push(std::move(batch));
          batch = Batch();
        }
      }
      if (!batch.items.empty() || !batch.rejects.empty()) {
        batch.sequence = sequence++;
        to_workers.push(std::move(batch));
      }
    } catch (...) {
      record_failure();
    }
    to_workers.close();
  });

  std::vector<std::thread> workers;
  std::mutex workers_mutex;
  int workers_left = threads;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] {
      lower_priority(options.analyzer_nice);
      try {
        while (auto batch = to_workers.pop()) {
          batch->analyses.reserve(batch->items.size());
          for (const Item& item : batch->items) batch->analyses.push_back(engine.analyze(item));
          to_writer.push(std::move(*batch));
        }
      } catch (...) {
        record_failure();
        // Drain the input so the reader is never left blocked on a full queue.
        while (to_workers.pop()) {
        }
      }
      std::lock_guard lock(workers_mutex);
      if (--workers_left == 0) to_writer.close();
    });
  }

  // The calling thread writes, restoring input order from batch sequence numbers.
  PipelineStats stats;
  std::map<std::int64_t, Batch> pending;
  std::int64_t next_sequence = 0;
  auto write_batch = [&](Batch& done) {
    std::size_t next_reject = 0;
    for (std::size_t i = 0; i <= done.items.size(); ++i) {
      while (next_reject < done.rejects.size() && done.reject_positions[next_reject] == i) {
        on_reject(done.rejects[next_reject++]);
        ++stats.rejected;
      }
      if (i == done.items.size()) break;
      sink(done.items[i], done.analyses[i]);
      ++stats.items;
    }
    on_progress(stats.items + stats.rejected);
  };

  while (auto batch = to_writer.pop()) {
    // After a failure the remaining batches are drained unwritten, so no
    // thread stays blocked on a full queue.
    if (stopping) continue;
    try {
      pending.emplace(batch->sequence, std::move(*batch));
      for (auto ready = pending.find(next_sequence); ready != pending.end();
           ready = pending.find(++next_sequence)) {
        write_batch(ready->second);
        pending.erase(ready);
      }
    } catch (...) {
      record_failure();
    }
  }

  read_thread.join();
  for (auto& worker : workers) worker.join();
  if (failure) std::rethrow_exception(failure);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Analyzers blocked on a full output queue wait for the writer; a writer
  // blocked on an empty one waits for the analyzers.
  spdlog::debug("pipeline: {:.2f} s, {} analyzer threads blocked {:.2f} s in total on input and {:.2f} s on output, "
                "reader blocked {:.2f} s, writer blocked {:.2f} s",
                stats.seconds, threads, to_workers.pop_wait_seconds(), to_writer.push_wait_seconds(),
                to_workers.push_wait_seconds(), to_writer.pop_wait_seconds());
  return stats;
}

}  // namespace shopsight

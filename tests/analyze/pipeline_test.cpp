#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "analyze/analyze.h"
#include "shared_engine.h"

namespace shopsight {
namespace {

// A reader over an in-memory list in which every fifth row is a reject.
class ListReader final : public Reader {
 public:
  explicit ListReader(int rows) : rows_(rows) {}

  ReadStatus next(Item& item, Reject& reject) override {
    if (next_ >= rows_) return ReadStatus::end;
    const int row = next_++;
    if (row % 5 == 4) {
      reject.line = row;
      reject.reason = "bad row";
      return ReadStatus::rejected;
    }
    item = Item();
    item.id = std::to_string(row);
    item.line = row;
    item.text = row % 2 == 0 ? "物流很快，质量很好" : "Broke after a week, very disappointed.";
    return ReadStatus::item;
  }

  const std::vector<std::string>& header() const override { return header_; }
  const ColumnMap& resolved_columns() const override { return columns_; }
  const std::string& encoding() const override { return encoding_; }

 private:
  int rows_;
  int next_ = 0;
  std::vector<std::string> header_{"review"};
  ColumnMap columns_;
  std::string encoding_ = "UTF-8";
};

using PipelineTest = SharedEngineTest;

TEST_F(PipelineTest, KeepsInputOrderAcrossThreads) {
  ListReader reader(1000);
  PipelineOptions options;
  options.threads = 4;
  options.queue_items = 128;
  std::vector<std::int64_t> lines;
  std::int64_t last_progress = 0;
  const PipelineStats stats = run_pipeline(
      reader, *engine_, options, [&](const Item& item, const Analysis&) { lines.push_back(item.line); },
      [&](const Reject& reject) { lines.push_back(reject.line); },
      [&](std::int64_t done) { last_progress = done; });

  EXPECT_EQ(stats.items, 800);
  EXPECT_EQ(stats.rejected, 200);
  EXPECT_EQ(last_progress, 1000);
  ASSERT_EQ(lines.size(), 1000u);
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], static_cast<std::int64_t>(i));
}

TEST_F(PipelineTest, SinkFailureStopsRunWithoutHanging) {
  ListReader reader(100000);
  PipelineOptions options;
  options.threads = 2;
  options.queue_items = 64;
  int written = 0;
  EXPECT_THROW(run_pipeline(
                   reader, *engine_, options,
                   [&](const Item&, const Analysis&) {
                     if (++written == 50) throw std::runtime_error("disk full");
                   },
                   [](const Reject&) {}, [](std::int64_t) {}),
               std::runtime_error);
  EXPECT_EQ(written, 50);
}

#ifdef __linux__
// Nice values of this process's threads, read from /proc, which reports the
// value of each thread on its own.
std::vector<int> thread_nice_values() {
  std::vector<int> values;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the command name, which is in parentheses: nice is the 19th field overall.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) values.push_back(std::stoi(field));
    }
  }
  return values;
}

TEST_F(PipelineTest, AnalyzerThreadsRunAtTheirNiceValue) {
  const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (base > 12) GTEST_SKIP() << "the test runs at nice " << base;
  // Small queues and many rows keep the analyzers alive, blocked on the full
  // output queue, while the sink looks at them on the first item.
  ListReader reader(5000);
  PipelineOptions options;
  options.threads = 2;
  options.queue_items = 64;
  options.analyzer_nice = 7;
  long lowered = -1;
  run_pipeline(
      reader, *engine_, options,
      [&](const Item&, const Analysis&) {
        if (lowered >= 0) return;
        // An analyzer lowers its priority when it starts, which may come
        // after the other one analyzed this item.
        for (int attempt = 0; attempt < 500 && lowered < 2; ++attempt) {
          const std::vector<int> values = thread_nice_values();
          lowered = std::count(values.begin(), values.end(), base + 7);
          if (lowered < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      },
      [](const Reject&) {}, [](std::int64_t) {});

  // The writer (this thread) keeps its priority, the two analyzers lower theirs.
  EXPECT_EQ(lowered, 2);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), base);
}
#endif

}  // namespace
}  // namespace shopsight

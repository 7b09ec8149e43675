// `shopsight ingest` and `shopsight watch` end to end: growing files,
// replays, standard input, and SIGKILL at random points during ingest.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <sqlite3.h>

#include "common/error.h"
#include "store/store.h"
#include "support/run_shopsight.h"
#include "support/store_consistency.h"

namespace shopsight {
namespace {

namespace fs = std::filesystem;
using testing::run_shopsight;

const char* const kTexts[] = {
    "物流太慢了，等了一个星期才到",     "质量很好，做工精细，很满意",
    "价格便宜，性价比高",               "客服态度很差，问了半天没人回",
    "The fabric is soft and fits well", "Arrived late and the box was crushed",
    "包装破损，里面的东西也坏了",       "尺码偏小，建议买大一号",
};

// Minute buckets are kept for 3 days by default, and the test data spans 20.
const std::string kKeepAll = " --keep-minutes-days 0";

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() / ("shopsight_watch_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string path(const std::string& name) const { return (folder_ / name).string(); }

  /// Appends rows first..last-1 with ids, times over several days, and
  /// every fifth text quoted with a line break inside.
  static void append_rows(const std::string& file, int first, int last, bool header) {
    std::ofstream out(file, std::ios::app | std::ios::binary);
    if (header) out << "id,time,product,category,user,review\n";
    for (int i = first; i < last; ++i) {
      const int day = 1 + i % 20;
      out << "r" << i << ",2026-03-" << (day < 10 ? "0" : "") << day << " " << (10 + i % 12) << ":00:00,p" << i % 7
          << ",c" << i % 3 << ",u" << i % 50 << ",";
      if (i % 5 == 0) out << "\"" << kTexts[i % 8] << "\n第" << i << "条\"\n";
      else out << kTexts[i % 8] << " " << i << "\n";
    }
  }

  /// Items in the store; 0 while a watcher is still creating it.
  static std::int64_t stored_items(const std::string& db) {
    if (!fs::exists(db)) return 0;
    try {
      return store::Store({.path = db, .read_only = true}).item_count();
    } catch (const Error&) {
      return 0;
    }
  }

  fs::path folder_;
};

TEST_F(WatchTest, FollowsAGrowingFileWithoutRepeatsOrGaps) {
  const std::string feed = path("feed.csv");
  const std::string db = path("store.db");
  append_rows(feed, 0, 100, true);
  auto result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), 100);
  EXPECT_EQ(result.output.find("Ctrl-C"), std::string::npos) << "--once stops by itself: " << result.output;

  // A record still being written (no line break yet) waits for its end.
  append_rows(feed, 100, 150, false);
  { std::ofstream(feed, std::ios::app) << "r150,2026-03-05 10:00:00,p1,c1,u1,还没写完"; }
  result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), 150);

  { std::ofstream(feed, std::ios::app) << "的评论\n"; }
  result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), 151);
  const auto last = store::Store({.path = db}).items({.text = "还没写完的评论"});
  EXPECT_EQ(last.size(), 1u);

  result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once");
  EXPECT_EQ(stored_items(db), 151);
  const auto differences = testing::aggregates_match_items(db);
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences, first: " << differences.front();

  // Ingesting the whole file again adds nothing.
  result = run_shopsight("ingest " + feed + " --db " + db);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("151"), std::string::npos) << result.output;
  EXPECT_EQ(stored_items(db), 151);
}

TEST_F(WatchTest, ReadsAFolderAndStandardInput) {
  const std::string inbox = path("inbox");
  fs::create_directories(inbox);
  append_rows(inbox + "/a.csv", 0, 30, true);
  append_rows(inbox + "/b.csv", 30, 50, true);
  append_rows(inbox + "/c.csv.part", 50, 60, true);
  const std::string db = path("store.db");
  auto result = run_shopsight("watch " + inbox + " --db " + db + kKeepAll + " --once");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), 50) << "files still being copied in are left alone";

  append_rows(path("more.csv"), 40, 70, true);
  result = run_shopsight("watch - --db " + db + " < " + path("more.csv"));
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), 70) << "ids r40..r49 were stored already";
  EXPECT_TRUE(testing::aggregates_match_items(db).empty());
}

TEST_F(WatchTest, RejectsNameTheLineOfTheSource) {
  const std::string feed = path("feed.csv");
  const std::string db = path("store.db");
  append_rows(feed, 0, 10, true);
  ASSERT_EQ(run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once").status, 0);
  { std::ofstream(feed, std::ios::app) << "bad,2026-03-05 10:00:00,p1,c1,u1,\n"; }
  const auto result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once --rejects " + path("rejects.csv"));
  EXPECT_EQ(result.status, 3) << result.output;
  std::ifstream rejects(path("rejects.csv"));
  std::string content((std::istreambuf_iterator<char>(rejects)), std::istreambuf_iterator<char>());
  // The header and ten records take 13 lines (two records hold a line break).
  EXPECT_NE(content.find("feed.csv\",14,"), std::string::npos) << content;
}

// An export job that rewrites its file with `>` keeps the inode, and the new
// content may be longer than the saved offset.
TEST_F(WatchTest, RereadsAFileRewrittenInPlace) {
  const std::string feed = path("feed.csv");
  const std::string db = path("store.db");
  append_rows(feed, 0, 20, true);
  ASSERT_EQ(run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once").status, 0);
  struct stat old_file {};
  ASSERT_EQ(::stat(feed.c_str(), &old_file), 0);
  { std::ofstream(feed, std::ios::trunc | std::ios::binary); }
  append_rows(feed, 100, 140, true);
  struct stat new_file {};
  ASSERT_EQ(::stat(feed.c_str(), &new_file), 0);
  ASSERT_EQ(new_file.st_ino, old_file.st_ino);
  ASSERT_GT(new_file.st_size, old_file.st_size);

  const auto result =
      run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once --rejects " + path("rejects.csv"));
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("rewritten"), std::string::npos) << result.output;
  EXPECT_EQ(stored_items(db), 60);
  EXPECT_TRUE(testing::aggregates_match_items(db).empty());
}

// One position per file, whether it is named relatively or absolutely, and
// positions saved under a relative path before that keep their offset.
TEST_F(WatchTest, KeepsOnePositionPerFileWhateverItsName) {
  const std::string feed = path("feed.csv");
  const std::string db = path("store.db");
  append_rows(feed, 0, 10, true);
  const fs::path before = fs::current_path();
  fs::current_path(folder_);
  auto result = run_shopsight("watch feed.csv --db store.db" + kKeepAll + " --once");
  ASSERT_EQ(result.status, 0) << result.output;
  append_rows(feed, 10, 15, false);
  result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once");
  EXPECT_NE(result.output.find("5 new items stored, 0 already stored"), std::string::npos) << result.output;

  // A position row as older versions saved it: the path as typed, and an
  // identity of device and inode only.
  {
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    const char* legacy =
        "UPDATE positions SET source = 'feed.csv', identity = substr(identity, 1, instr(identity, ' ') - 1)";
    EXPECT_EQ(sqlite3_exec(handle, legacy, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(handle);
  }
  append_rows(feed, 15, 18, false);
  result = run_shopsight("watch feed.csv --db store.db" + kKeepAll + " --once");
  fs::current_path(before);
  EXPECT_NE(result.output.find("3 new items stored, 0 already stored"), std::string::npos) << result.output;
  EXPECT_EQ(stored_items(db), 18);
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(handle, "SELECT count(*) FROM positions WHERE source LIKE '/%'", -1, &count, nullptr);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 1);
  sqlite3_finalize(count);
  sqlite3_close(handle);
}

// A JSON number beyond a double, or a line nested far too deep, costs its
// row only, in ingest and in watch, so a followed file gets past it.
TEST_F(WatchTest, PoisonJsonLinesAreRejectedNotFatal) {
  const std::string feed = path("poison.jsonl");
  {
    std::ofstream out(feed, std::ios::binary);
    out << "{\"id\":\"A\",\"text\":\"好\",\"time\":\"2026-12-01T00:00:00Z\"}\n"
        << "{\"id\":\"B\",\"text\":\"坏\",\"rating\":1e400}\n"
        << "{\"text\":\"deep\",\"x\":" << std::string(100000, '[') << std::string(100000, ']') << "}\n"
        << "{\"id\":\"C\",\"text\":\"中\"}\n";
  }
  for (const std::string command : {"ingest", "watch"}) {
    const std::string db = path(command + ".db");
    const std::string rejects = path(command + "_rejects.csv");
    const auto result = run_shopsight(command + " " + feed + " --db " + db + " --no-detect --rejects " + rejects +
                                      (command == "watch" ? " --once" : ""));
    EXPECT_EQ(result.status, 3) << command << "\n" << result.output;
    EXPECT_EQ(stored_items(db), 2) << command;
    std::ifstream in(rejects);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(content.find("poison.jsonl\",2,\"\",\"invalid JSON: a number is out of range"), std::string::npos)
        << command << "\n" << content;
    EXPECT_NE(content.find("poison.jsonl\",3,\"\",\"invalid JSON: arrays and objects nested deeper than 512"),
              std::string::npos)
        << command << "\n" << content;
  }
}

// A file of a folder that lacks a requested column must not stop the others.
TEST_F(WatchTest, FileWithoutARequestedColumnCostsThatFileOnly) {
  const std::string inbox = path("inbox");
  fs::create_directories(inbox);
  std::ofstream(inbox + "/a.csv") << "id,review\nx1,物流太慢了\n";
  std::ofstream(inbox + "/b.csv") << "id,review,channel\ny1,质量很好,chat\ny2,价格便宜,query\n";
  const std::string db = path("store.db");
  const auto result = run_shopsight("watch " + inbox + " --db " + db + " --channel channel --no-detect --once");
  EXPECT_EQ(result.status, 3) << result.output;
  EXPECT_NE(result.output.find("a.csv: column 'channel' (requested for the channel field) not found; the columns "
                               "are: id, review"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(stored_items(db), 2);
}

// Without a time column every item gets the time it is stored, which puts a
// whole history in one day, so ingest logs a warning.
TEST_F(WatchTest, MissingTimeColumnIsAWarning) {
  const std::string feed = path("notime.csv");
  std::ofstream(feed) << "评价内容,买家昵称\n很好用,u1\n";
  auto result = run_shopsight("ingest " + feed + " --db " + path("a.db") + " --no-detect");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("notime.csv: no time column found"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("user: 买家昵称"), std::string::npos) << result.output;

  result = run_shopsight("watch " + feed + " --db " + path("b.db") + " --no-detect --once");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("no time column found"), std::string::npos) << result.output;

  const std::string timed = path("timed.csv");
  std::ofstream(timed) << "评价内容,评价时间\n很好用,2026-11-01 10:00:00\n";
  result = run_shopsight("ingest " + timed + " --db " + path("c.db") + " --no-detect");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output.find("no time column"), std::string::npos) << result.output;
}

// Kills `shopsight watch` with SIGKILL at random moments while the file
// grows, many times. Afterwards every row is stored exactly once, and the
// aggregates equal a recomputation from the stored items.
TEST_F(WatchTest, SurvivesSigkillAtRandomPoints) {
  const std::string feed = path("feed.csv");
  const std::string db = path("store.db");
  constexpr int kRounds = 12;
  constexpr int kRowsPerRound = 2500;
  constexpr int kRows = kRowsPerRound * (kRounds + 1);
  append_rows(feed, 0, kRowsPerRound, true);
  std::mt19937 random(20261205);
  std::uniform_int_distribution<int> delay_ms(0, 150);

  int rows = kRowsPerRound;
  int killed_mid_file = 0;
  for (int round = 0; round < kRounds; ++round) {
    append_rows(feed, rows, rows + kRowsPerRound, false);
    rows += kRowsPerRound;
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::execl(SHOPSIGHT_BINARY, SHOPSIGHT_BINARY, "--log-level", "off", "watch", feed.c_str(), "--db", db.c_str(),
              "--keep-minutes-days", "0", "--batch-items", "97", "--threads", "1", "--poll", "0.05",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The kill waits for the round's first commit, so it lands during ingest
    // however long the model takes to load in this build.
    const std::int64_t before = stored_items(db);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (stored_items(db) == before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": watch stopped by itself";
    const std::int64_t stored = stored_items(db);
    if (stored > before && stored < rows) ++killed_mid_file;
  }
  // Kills that only ever hit an idle watcher would prove nothing.
  EXPECT_GE(killed_mid_file, 3);
  const auto result = run_shopsight("watch " + feed + " --db " + db + kKeepAll + " --once --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(stored_items(db), kRows);
  const auto differences = testing::aggregates_match_items(db);
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences, first: " << differences.front();
  const auto shop = store::Store({.path = db}).values("shop", store::Granularity::day, 0, INT64_MAX);
  ASSERT_EQ(shop.size(), 1u);
  EXPECT_EQ(shop[0].volume, kRows);
}

}  // namespace
}  // namespace shopsight

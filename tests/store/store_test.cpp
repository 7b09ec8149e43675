// Store: idempotent adds, aggregates, queries, alerts, marks, retention and
// schema checks, on real SQLite files.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "support/run_shopsight.h"
#include "support/store_consistency.h"
#include "support/user_alert.h"
#include "store/store.h"
#include "text/text.h"

namespace shopsight::store {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;
// 2026-03-02T00:00:00Z, a Monday.
constexpr std::int64_t kMonday = 1'772'409'600'000;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() / ("shopsight_store_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string path(const std::string& name = "store.db") const { return (folder_ / name).string(); }

  fs::path folder_;
};

Item make_item(std::string id, std::int64_t time, std::string product, std::string text) {
  Item item;
  item.id = std::move(id);
  item.time = time;
  item.product = std::move(product);
  item.category = "washer";
  item.user = "u1";
  item.text = std::move(text);
  item.source = "test.csv";
  return item;
}

Analysis make_analysis(const std::string& label, float score, std::vector<AspectMention> aspects = {},
                       std::vector<std::string> keywords = {}) {
  Analysis analysis;
  analysis.language = "zh";
  analysis.masked_text = "text";
  analysis.sentiment = {label, 0.9f, score};
  analysis.aspects = std::move(aspects);
  for (auto& word : keywords) analysis.keywords.push_back({word, 1.0f});
  return analysis;
}

AspectMention mention(const std::string& category, const std::string& polarity) {
  AspectMention aspect;
  aspect.category = category;
  aspect.polarity = polarity;
  return aspect;
}

/// Three items of two products on one day; the second has a logistics complaint.
struct Batch {
  std::vector<Item> items;
  std::vector<Analysis> analyses;
};

Batch sample_batch() {
  Batch batch;
  batch.items = {make_item("1", kMonday + kHour, "p1", "好"), make_item("2", kMonday + 2 * kHour, "p1", "慢"),
                 make_item("3", kMonday + 3 * kHour, "p2", "ok")};
  batch.items[0].rating = 5;
  batch.items[1].rating = 1;
  batch.analyses = {make_analysis("positive", 0.8f, {mention("quality", "positive")}, {"质量"}),
                    make_analysis("negative", -0.9f, {mention("logistics", "negative")}, {"物流", "慢"}),
                    make_analysis("neutral", 0.0f)};
  return batch;
}

TEST_F(StoreTest, AddsItemsAndCountsThemInEveryDimension) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  const AddResult result = store.add(batch.items, batch.analyses, true);
  EXPECT_EQ(result.added, 3);
  EXPECT_EQ(result.duplicates, 0);
  EXPECT_EQ(store.item_count(), 3);

  const Series shop = store.series({.dimension = "shop", .from = kMonday, .to = kMonday + kDay});
  ASSERT_EQ(shop.buckets.size(), 1u);
  const BucketMeasures& day = shop.buckets[0];
  EXPECT_EQ(day.volume, 3);
  EXPECT_EQ(day.positive, 1);
  EXPECT_EQ(day.negative, 1);
  EXPECT_EQ(day.neutral, 1);
  EXPECT_NEAR(day.score_sum, -0.1, 1e-6);
  EXPECT_EQ(day.ratings[0], 1);
  EXPECT_EQ(day.ratings[4], 1);
  EXPECT_EQ(day.aspects.at("logistics").negative, 1);
  EXPECT_TRUE(day.keywords.empty()) << "keywords are read only when asked for";

  const Series p1 = store.series({.dimension = "product", .value = "p1", .granularity = Granularity::hour,
                                  .from = kMonday, .to = kMonday + 4 * kHour, .keywords = true});
  ASSERT_EQ(p1.buckets.size(), 4u);
  EXPECT_EQ(p1.buckets[0].volume, 0);
  EXPECT_EQ(p1.buckets[1].volume, 1);
  EXPECT_EQ(p1.buckets[2].aspects.at("logistics").negative, 1);
  EXPECT_TRUE(p1.buckets[2].keywords.empty()) << "keywords are counted by day";
  EXPECT_EQ(p1.buckets[3].volume, 0) << "p2's item is not p1's";
  const Series p1_days = store.series(
      {.dimension = "product", .value = "p1", .from = kMonday, .to = kMonday + kDay, .keywords = true});
  EXPECT_EQ(p1_days.buckets[0].keywords.at("物流"), 1);
  const Series minutes = store.series(
      {.granularity = Granularity::minute, .from = kMonday + 2 * kHour, .to = kMonday + 2 * kHour + 60'000});
  EXPECT_EQ(minutes.buckets[0].volume, 1);
  EXPECT_TRUE(minutes.buckets[0].aspects.empty()) << "aspects are counted by hour and day";

  const Series logistics = store.series({.dimension = "aspect", .value = "logistics", .from = kMonday, .to = kMonday + kDay});
  EXPECT_EQ(logistics.buckets[0].volume, 1);
  EXPECT_EQ(logistics.buckets[0].negative, 1);

  const auto products = store.values("product", Granularity::day, kMonday, kMonday + kDay);
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[0].value, "p1");
  EXPECT_EQ(products[0].volume, 2);
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, ReplayingItemsCountsNothingTwice) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  store.add(batch.items, batch.analyses, true);
  const AddResult again = store.add(batch.items, batch.analyses, true);
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.duplicates, 3);
  EXPECT_EQ(store.item_count(), 3);
  const Series shop = store.series({.dimension = "shop", .from = kMonday, .to = kMonday + kDay});
  EXPECT_EQ(shop.buckets[0].volume, 3);
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, CountsOnlyNewItemsOfLargeBatches) {
  // Batches this large are prepared on a helper thread that counts every
  // item, so the duplicates among them must be taken out again.
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  for (int i = 0; i < 600; ++i) {
    items.push_back(make_item(std::to_string(i), kMonday + i * 60'000, "p" + std::to_string(i % 7), "好"));
    analyses.push_back(make_analysis(i % 3 == 0 ? "negative" : "positive", i % 3 == 0 ? -0.5f : 0.5f,
                                     {mention("quality", i % 2 == 0 ? "positive" : "negative")}, {"质量"}));
  }
  Store store({.path = path()});
  EXPECT_EQ(store.add(std::span(items).subspan(0, 300), std::span(analyses).subspan(0, 300), true).added, 300);
  const AddResult again = store.add(items, analyses, true);
  EXPECT_EQ(again.added, 300);
  EXPECT_EQ(again.duplicates, 300);

  const Series shop = store.series({.from = kMonday, .to = kMonday + kDay, .keywords = true});
  EXPECT_EQ(shop.buckets[0].volume, 600);
  EXPECT_EQ(shop.buckets[0].negative, 200);
  EXPECT_EQ(shop.buckets[0].aspects.at("quality").mentions, 600);
  EXPECT_EQ(shop.buckets[0].aspects.at("quality").positive, 300);
  EXPECT_EQ(shop.buckets[0].keywords.at("质量"), 600);
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, KeysItemsWithoutIdsByContent) {
  Store store({.path = path()});
  Batch batch = sample_batch();
  EXPECT_EQ(store.add(batch.items, batch.analyses, false).added, 3);

  // Line numbers are not ids: the same content on other lines is the same item.
  for (auto& item : batch.items) item.id = "99";
  EXPECT_EQ(store.add(batch.items, batch.analyses, false).added, 0);

  batch.items[0].time = *batch.items[0].time + 1000;
  EXPECT_EQ(store.add(batch.items, batch.analyses, false).added, 1);
  EXPECT_NE(item_key(batch.items[0], false), item_key(batch.items[1], false));
}

TEST_F(StoreTest, KeepsThePositionWithTheItems) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  const SourcePosition position{"feed.csv", "1:2", 1234, 3};
  store.add(batch.items, batch.analyses, true, &position);
  const auto saved = Store({.path = path()}).position("feed.csv");
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->offset, 1234);
  EXPECT_EQ(saved->line, 3);
  EXPECT_EQ(saved->identity, "1:2");
  EXPECT_FALSE(store.position("other.csv"));
}

TEST_F(StoreTest, FiltersItems) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  store.add(batch.items, batch.analyses, true);

  EXPECT_EQ(store.items({.sentiment = "negative"}).size(), 1u);
  EXPECT_EQ(store.items({.aspect = "logistics", .aspect_polarity = "negative"}).size(), 1u);
  EXPECT_EQ(store.items({.aspect = "logistics", .aspect_polarity = "positive"}).size(), 0u);
  EXPECT_EQ(store.items({.keyword = "物流"}).size(), 1u);
  EXPECT_EQ(store.items({.keyword = "物"}).size(), 0u) << "keywords match whole words";
  EXPECT_EQ(store.items({.dimension = "product", .value = "p1"}).size(), 2u);
  EXPECT_EQ(store.items({.dimension = "aspect", .value = "quality"}).size(), 1u);
  EXPECT_EQ(store.items({.from = kMonday + 2 * kHour}).size(), 2u);
  EXPECT_EQ(store.items({.text = "tex"}).size(), 3u);
  EXPECT_EQ(store.items({.text = "100%"}).size(), 0u);

  const auto newest = store.items({.limit = 1});
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].id, "3");
  const auto by_row = store.items_by_row(std::vector<std::int64_t>{newest[0].row, 9999});
  ASSERT_EQ(by_row.size(), 1u);
  EXPECT_EQ(by_row[0].product, "p2");
  EXPECT_THROW(store.items({.dimension = "colour", .value = "x"}), Error);
}

TEST_F(StoreTest, UsersThatArePersonalDataGetPseudonyms) {
  Store store({.path = path()});
  Batch batch = sample_batch();
  batch.items[0].user = "13812345678";
  batch.items[1].user = "13812345678";
  store.add(batch.items, batch.analyses, true);
  const auto users = store.values("user", Granularity::day, kMonday, kMonday + kDay);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].volume, 2) << "one person's items stay together";
  EXPECT_EQ(users[0].value.find("138"), std::string::npos);
  EXPECT_TRUE(users[0].value.starts_with("user-"));
}

TEST_F(StoreTest, PseudonymsAreKeyedPerStore) {
  Batch batch = sample_batch();
  batch.items[0].user = "13812345678";
  Store first({.path = path("first.db")});
  Store second({.path = path("second.db")});
  first.add(batch.items, batch.analyses, true);
  second.add(batch.items, batch.analyses, true);
  const std::string pseudonym = first.items({.dimension = "user", .value = first.stored_user("13812345678")})
                                    .at(0).user;
  EXPECT_TRUE(pseudonym.starts_with("user-"));
  EXPECT_NE(pseudonym, unkeyed_pseudonym("13812345678")) << "enumerating phone numbers must not reverse it";
  EXPECT_NE(pseudonym, second.stored_user("13812345678"));
  EXPECT_EQ(first.stored_user(pseudonym), pseudonym) << "a pseudonym is looked up as itself";
  EXPECT_EQ(first.stored_user("u1"), "u1");

  Store reopened({.path = path("first.db"), .read_only = true});
  EXPECT_EQ(reopened.stored_user("13812345678"), pseudonym) << "the key is kept in the store";
}

// Turns a store into a version 3 store as shopsight left it, without the
// settings table and with the unkeyed pseudonym of `user`.
void make_version_three(const std::string& path, const std::string& user) {
  const std::string unkeyed = unkeyed_pseudonym(user);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE items SET user = '" + unkeyed + "' WHERE user LIKE 'user-%';"
                          "UPDATE buckets SET value = '" + unkeyed + "' WHERE value LIKE 'user-%';"
                          "UPDATE keyword_counts SET value = '" + unkeyed + "' WHERE value LIKE 'user-%';"
                          "DROP TABLE settings; DROP TABLE deliveries; PRAGMA user_version = 3;";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// Opens `path` read-only in a child process and returns what happened: the
// error message, or "opened" and the schema version. Root may write any
// file, so the child of root runs as the unprivileged user 65534 (nobody).
std::string read_only_open_as_other_user(const std::string& path) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return "pipe failed";
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_ends[0]);
    std::string outcome;
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
      outcome = "cannot become nobody";
    } else {
      try {
        outcome = "opened " + std::to_string(Store({.path = path, .read_only = true}).schema_version());
      } catch (const std::exception& error) {
        outcome = error.what();
      }
    }
    const ssize_t written = write(pipe_ends[1], outcome.data(), outcome.size());
    _exit(written == static_cast<ssize_t>(outcome.size()) ? 0 : 1);
  }
  close(pipe_ends[1]);
  std::string outcome;
  char buffer[512];
  for (ssize_t count; (count = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) outcome.append(buffer, count);
  close(pipe_ends[0]);
  waitpid(child, nullptr, 0);
  return outcome;
}

TEST_F(StoreTest, ReadOnlyOpenMigratesOlderStores) {
  Batch batch = sample_batch();
  batch.items[0].user = "13812345678";
  {
    Store store({.path = path()});
    store.add(batch.items, batch.analyses, true);
  }
  ASSERT_NO_FATAL_FAILURE(make_version_three(path(), "13812345678"));

  std::ostringstream captured;
  const auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  const auto logger = spdlog::default_logger();
  const auto level = logger->level();
  logger->sinks().push_back(sink);
  logger->set_level(spdlog::level::info);
  const Store reader({.path = path(), .read_only = true});
  logger->flush();
  logger->sinks().pop_back();
  logger->set_level(level);

  EXPECT_EQ(reader.schema_version(), kSchemaVersion) << "alerts, forecast and profile read older stores too";
  EXPECT_EQ(reader.items({.dimension = "user", .value = reader.stored_user("13812345678")}).size(), 1u);
  const std::string log = captured.str();
  EXPECT_NE(log.find("[info]"), std::string::npos) << log;
  EXPECT_NE(log.find("written by an older shopsight (schema version 3); migrating it to version 5"), std::string::npos)
      << log;
}

TEST_F(StoreTest, ReadOnlyOlderStoreNeedsWriteAccess) {
  { Store store({.path = path()}); }
  ASSERT_NO_FATAL_FAILURE(make_version_three(path(), "13812345678"));
  // A file that its reader cannot write is in rollback mode, because SQLite
  // needs to create the shared-memory file to read a WAL file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const auto read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  const auto listable = read_only | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  fs::permissions(path(), read_only);
  fs::permissions(folder_, listable);
  const std::string outcome = read_only_open_as_other_user(path());
  fs::permissions(folder_, listable | fs::perms::owner_write);
  EXPECT_NE(outcome.find(path()), std::string::npos) << outcome;
  EXPECT_NE(outcome.find("written by an older shopsight (schema version 3)"), std::string::npos) << outcome;
  EXPECT_NE(outcome.find("give write access"), std::string::npos) << outcome;

  fs::permissions(path(), read_only | fs::perms::owner_write);
  EXPECT_EQ(Store({.path = path(), .read_only = true}).schema_version(), kSchemaVersion);
}

TEST_F(StoreTest, ReadCommandsMigrateAndMapRawUsers) {
  Batch batch = sample_batch();
  for (auto& item : batch.items) item.user = "13812345678";
  {
    Store store({.path = path()});
    store.add(batch.items, batch.analyses, true);
  }
  ASSERT_NO_FATAL_FAILURE(make_version_three(path(), "13812345678"));

  const std::string user_options = " --dimension user --value 13812345678 --format json";
  auto run = shopsight::testing::run_shopsight("--lang en forecast --db " + path() + user_options + " --horizon 2");
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("migrating it to version 5"), std::string::npos) << run.output;
  const std::string pseudonym = Store({.path = path(), .read_only = true}).stored_user("13812345678");
  EXPECT_NE(run.output.find("\"value\": \"" + pseudonym + "\""), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("13812345678"), std::string::npos) << run.output;

  {
    Store store({.path = path()});
    ASSERT_TRUE(store.add_alert(shopsight::testing::user_alert(pseudonym, kMonday, kMonday + kDay)));
  }
  run = shopsight::testing::run_shopsight("--lang en alerts --db " + path() + user_options);
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("\"fingerprint\": \"volume|user|" + pseudonym + "\""), std::string::npos) << run.output;
}

TEST_F(StoreTest, ReadOnlyOpenRefusesNewerStores) {
  { Store store({.path = path()}); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 9", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    const Store store({.path = path(), .read_only = true});
    FAIL() << "a store of a newer shopsight was read";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("newer than this shopsight"), std::string::npos) << error.what();
  }
}

TEST_F(StoreTest, MigrationRewritesUnkeyedPseudonyms) {
  Batch batch = sample_batch();
  batch.items[0].user = "13812345678";
  batch.items[1].user = "13812345678";
  {
    Store store({.path = path()});
    store.add(batch.items, batch.analyses, true);
  }
  const std::string unkeyed = unkeyed_pseudonym("13812345678");
  ASSERT_NO_FATAL_FAILURE(make_version_three(path(), "13812345678"));

  Store store({.path = path()});
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  const std::string pseudonym = store.stored_user("13812345678");
  EXPECT_NE(pseudonym, unkeyed);
  EXPECT_EQ(store.items({.dimension = "user", .value = pseudonym}).size(), 2u);
  EXPECT_TRUE(store.items({.dimension = "user", .value = unkeyed}).empty());
  const auto users = store.values("user", Granularity::day, kMonday, kMonday + kDay);
  ASSERT_FALSE(users.empty());
  EXPECT_EQ(users[0].value, pseudonym);
  EXPECT_EQ(users[0].volume, 2);

  // New items of the same user join the rewritten ones.
  Batch more = sample_batch();
  for (auto& item : more.items) {
    item.id += "-new";
    item.user = "13812345678";
  }
  store.add(more.items, more.analyses, true);
  EXPECT_EQ(store.items({.dimension = "user", .value = pseudonym, .limit = 100}).size(), 2u + more.items.size());
}

TEST_F(StoreTest, DeduplicatesAlertsAndKeepsMarks) {
  Store store({.path = path()});
  Alert alert{.fingerprint = "negative_share|product|p1||day|1", .detector = "negative_share", .dimension = "product",
              .value = "p1", .window_start = kMonday, .window_end = kMonday + kDay, .severity = "warning",
              .examples = {2, 3}};
  EXPECT_TRUE(store.add_alert(alert));
  EXPECT_FALSE(store.add_alert(alert));

  const auto alerts = store.alerts({.dimension = "product"});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].examples, (std::vector<std::int64_t>{2, 3}));
  EXPECT_TRUE(store.alerts({.severity = "critical"}).empty());
  EXPECT_EQ(store.last_alert_end("negative_share", "product", "p1", ""), kMonday + kDay);
  EXPECT_FALSE(store.last_alert_end("volume", "product", "p1", ""));

  EXPECT_FALSE(store.mark("detect.day"));
  store.set_mark("detect.day", 42);
  EXPECT_EQ(Store({.path = path()}).mark("detect.day"), 42);
}

// A failed or untried delivery stays undelivered until a run records it as
// delivered, and a version 4 store gains the deliveries table.
TEST_F(StoreTest, KeepsDeliveryStatePerSink) {
  {
    Store store({.path = path()});
    Alert alert;
    alert.detector = "volume";
    alert.severity = "warning";
    for (int day = 0; day < 2; ++day) {
      alert.fingerprint = "volume|shop|||day|" + std::to_string(day);
      alert.window_start = kMonday + day * kDay;
      alert.window_end = alert.window_start + kDay;
      ASSERT_TRUE(store.add_alert(alert));
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE deliveries; PRAGMA user_version = 4;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  Store store({.path = path()});
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_TRUE(store.undelivered_alerts("log", 0).empty()) << "alerts without delivery rows are not sent again";
  store.record_delivery({.fingerprint = "volume|shop|||day|0", .sink = "webhook a", .status = "failed", .attempts = 4,
                         .error = "no response within 1000 ms"});
  store.add_pending_delivery("volume|shop|||day|1", "webhook a");
  store.add_pending_delivery("volume|shop|||day|1", "log");
  store.record_delivery({.fingerprint = "volume|shop|||day|1", .sink = "log", .status = "delivered", .attempts = 1});

  auto undelivered = store.undelivered_alerts("webhook a", 0);
  ASSERT_EQ(undelivered.size(), 2u);
  EXPECT_EQ(undelivered[0].fingerprint, "volume|shop|||day|0") << "oldest window first";
  EXPECT_TRUE(store.undelivered_alerts("log", 0).empty());
  EXPECT_EQ(store.undelivered_alerts("webhook a", kMonday + 2 * kDay).size(), 1u) << "older windows are left out";

  store.add_pending_delivery("volume|shop|||day|0", "webhook a");
  const auto states = store.deliveries("volume|shop|||day|0");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].status, "failed") << "adding a pending delivery keeps the state stored";
  EXPECT_EQ(states[0].attempts, 4);
  EXPECT_EQ(states[0].error, "no response within 1000 ms");
  EXPECT_GT(states[0].updated_at, 0);

  store.record_delivery({.fingerprint = "volume|shop|||day|0", .sink = "webhook a", .status = "delivered", .attempts = 1});
  EXPECT_EQ(store.undelivered_alerts("webhook a", 0).size(), 1u);
  const auto delivered = store.deliveries("volume|shop|||day|0");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].attempts, 5) << "attempts add up over runs";
  EXPECT_EQ(delivered[0].error, "");
}

// The states outlive the process that wrote them, so the next start sends
// what is still undelivered.
TEST_F(StoreTest, DeliveryStateSurvivesReopen) {
  {
    Store store({.path = path()});
    Alert alert{.fingerprint = "volume|shop|||day|0", .detector = "volume", .window_start = kMonday,
                .window_end = kMonday + kDay, .severity = "warning"};
    ASSERT_TRUE(store.add_alert(alert));
    store.add_pending_delivery(alert.fingerprint, "webhook a");
    store.record_delivery({.fingerprint = alert.fingerprint, .sink = "webhook a", .status = "failed", .attempts = 2,
                           .error = "HTTP status 500"});
  }
  const Store reader({.path = path(), .read_only = true});
  const auto states = reader.deliveries("volume|shop|||day|0");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].status, "failed");
  EXPECT_EQ(states[0].attempts, 2);
  EXPECT_EQ(reader.undelivered_alerts("webhook a", 0).size(), 1u);
}

TEST_F(StoreTest, RetentionDropsFineBucketsFirst) {
  Store store({.path = path(), .retention = {.minute_days = 1, .hour_days = 3, .day_days = 0, .item_days = 0}});
  Batch batch = sample_batch();
  batch.items[2].time = kMonday + 5 * kDay;
  store.add(batch.items, batch.analyses, true);
  EXPECT_GT(store.apply_retention(), 0);

  const auto minute = store.series({.granularity = Granularity::minute, .from = kMonday, .to = kMonday + kDay});
  std::int64_t old_minutes = 0;
  for (const auto& bucket : minute.buckets) old_minutes += bucket.volume;
  EXPECT_EQ(old_minutes, 0);
  const auto day = store.series({.from = kMonday, .to = kMonday + kDay});
  EXPECT_EQ(day.buckets[0].volume, 2) << "day buckets are kept forever by default";
  EXPECT_EQ(store.item_count(), 3);
}

TEST_F(StoreTest, RetentionIgnoresFutureItems) {
  Store store({.path = path(), .retention = {.minute_days = 1, .hour_days = 3, .day_days = 0, .item_days = 3650}});
  Batch batch = sample_batch();
  batch.items[2].time = 4'000'000'000'000;  // 2096, long after now
  store.add(batch.items, batch.analyses, true);
  store.apply_retention();

  EXPECT_EQ(store.item_count(), 3) << "retention counts back from now, not from the future item";
  const auto hours = store.series({.granularity = Granularity::hour, .from = kMonday, .to = kMonday + kDay});
  std::int64_t volume = 0;
  for (const auto& bucket : hours.buckets) volume += bucket.volume;
  EXPECT_EQ(volume, 0) << "hour buckets older than 3 days before now go";
}

TEST_F(StoreTest, RefusesForeignAndNewerFiles) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path("foreign.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE customers (name TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    Store store({.path = path("foreign.db")});
    FAIL() << "a foreign SQLite file was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("foreign.db"), std::string::npos) << error.what();
  }

  { Store store({.path = path()}); EXPECT_EQ(store.schema_version(), kSchemaVersion); }
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_THROW(Store({.path = path()}), Error);
}

TEST_F(StoreTest, BucketsStartOnUtcBoundaries) {
  EXPECT_EQ(bucket_start(kMonday + kDay - 1, Granularity::day, 0), kMonday);
  EXPECT_EQ(bucket_start(kMonday + 61'000, Granularity::minute, 0), kMonday + 60'000);
  EXPECT_EQ(bucket_start(-1, Granularity::hour, 0), -kHour);
  EXPECT_EQ(parse_granularity("hour"), Granularity::hour);
  EXPECT_FALSE(parse_granularity("week"));
}

// Buckets of a zone start at its local midnight. Whole-hour zones keep the
// UTC hours and minutes; a half-hour zone moves hour buckets to its own hours.
TEST_F(StoreTest, BucketsStartAtMidnightOfTheZone) {
  constexpr std::int64_t kShanghai = 8 * kHour;
  // 2026-03-02T23:30+08:00 is 15:30 UTC on the same date: local day 2026-03-02.
  const std::int64_t late_evening = kMonday + 15 * kHour + 30 * 60'000;
  EXPECT_EQ(bucket_start(late_evening, Granularity::day, kShanghai), kMonday - kShanghai);
  EXPECT_EQ(bucket_start(kMonday - kShanghai - 1, Granularity::day, kShanghai), kMonday - kShanghai - kDay);
  EXPECT_EQ(bucket_start(late_evening, Granularity::hour, kShanghai), kMonday + 15 * kHour);
  EXPECT_EQ(bucket_start(late_evening + 61'000, Granularity::minute, kShanghai), late_evening + 60'000);

  constexpr std::int64_t kKolkata = 5 * kHour + 30 * 60'000;
  EXPECT_EQ(bucket_start(kMonday, Granularity::day, kKolkata), kMonday - kKolkata);
  EXPECT_EQ(bucket_start(kMonday + kHour, Granularity::hour, kKolkata), kMonday + 30 * 60'000);
  EXPECT_EQ(bucket_start(kMonday - 1, Granularity::day, -kKolkata), kMonday + kKolkata - kDay);

  EXPECT_EQ(standard_offset("Asia/Shanghai").offset, kShanghai);
  EXPECT_EQ(standard_offset("PRC").name, standard_offset("Asia/Shanghai").name);
  EXPECT_EQ(standard_offset("Etc/UTC").name, "UTC");
  // Standard time all year: daylight saving time would make days of 23 and 25 hours.
  EXPECT_EQ(standard_offset("Europe/Berlin").offset, kHour);
  EXPECT_THROW(standard_offset("Mars/Olympus"), Error);
}

// The zone is set when the store is created and kept in it: later opens
// without it use it, and another zone is refused once buckets exist.
TEST_F(StoreTest, KeepsItsBucketTimeZone) {
  // 2026-11-24T23:30+08:00, late on 24 November in Beijing and 15:30 UTC.
  const std::int64_t time = 1'795'534'200'000;
  const std::int64_t local_midnight = 1'795'449'600'000;  // 2026-11-24T00:00+08:00
  {
    Store store({.path = path(), .bucket_timezone = "Asia/Shanghai"});
    EXPECT_EQ(store.bucket_timezone(), "Asia/Shanghai");
    Batch batch;
    batch.items = {make_item("1", time, "p1", "好")};
    batch.analyses = {make_analysis("positive", 0.8f)};
    store.add(batch.items, batch.analyses, true);
  }
  Store reopened({.path = path()});
  EXPECT_EQ(reopened.bucket_timezone(), "Asia/Shanghai");
  EXPECT_EQ(reopened.bucket_offset(), 8 * kHour);
  const Series days = reopened.series({.granularity = Granularity::day, .from = time, .to = time + 1});
  ASSERT_EQ(days.buckets.size(), 1u);
  EXPECT_EQ(days.buckets[0].start, local_midnight);
  EXPECT_EQ(days.buckets[0].volume, 1);
  EXPECT_EQ(Store({.path = path(), .read_only = true}).bucket_offset(), 8 * kHour);
  EXPECT_EQ(Store({.path = path(), .bucket_timezone = "PRC"}).bucket_timezone(), "Asia/Shanghai");

  try {
    Store({.path = path(), .bucket_timezone = "UTC"});
    FAIL() << "another zone on a store with buckets";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("keeps its day buckets in the time zone Asia/Shanghai"),
              std::string::npos)
        << error.what();
  }

  // A store without buckets can still take another zone; one without a zone is UTC.
  EXPECT_EQ(Store({.path = path("empty.db")}).bucket_timezone(), "UTC");
  EXPECT_EQ(Store({.path = path("empty.db"), .bucket_timezone = "Asia/Kolkata"}).bucket_offset(),
            5 * kHour + 30 * 60'000);
  EXPECT_EQ(Store({.path = path("empty.db")}).bucket_timezone(), "Asia/Kolkata");
  EXPECT_THROW(Store({.path = path("other.db"), .bucket_timezone = "Mars/Olympus"}), Error);
}

TEST_F(StoreTest, IngestsAFileWithTheDefaultModel) {
  std::istringstream csv(
      "id,time,product,review\n"
      "a,2026-03-02 10:00:00,p1,物流太慢了，等了一个星期\n"
      "b,2026-03-02 11:00:00,p1,质量很好，很满意\n"
      "c,not a time,p2,\n"
      "d,2026-03-03 09:00:00,p2,The fabric feels cheap and it shrank after one wash\n");
  ReaderOptions options;
  options.path = "reviews.csv";
  auto reader = Reader::open(csv, options);
  const Engine engine(EngineOptions{});
  Store store({.path = path()});
  std::vector<Reject> rejects;
  const IngestStats stats = ingest(*reader, engine, store, {.batch_items = 2}, nullptr,
                                   [&](const Reject& reject) { rejects.push_back(reject); });
  EXPECT_EQ(stats.read, 3);
  EXPECT_EQ(stats.added, 3);
  EXPECT_EQ(stats.rejected, 1);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].line, 4);

  const auto negative = store.items({.sentiment = "negative", .aspect = "logistics"});
  ASSERT_EQ(negative.size(), 1u);
  EXPECT_EQ(negative[0].id, "a");
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, IngestKeysEmptyIdsByContent) {
  const Engine engine(EngineOptions{});
  Store store({.path = path()});
  const auto ingest_text = [&](const std::string& text) {
    std::istringstream csv(text);
    ReaderOptions options;
    options.path = "export.csv";
    auto reader = Reader::open(csv, options);
    return ingest(*reader, engine, store, {}, nullptr, [](const Reject&) {});
  };

  const IngestStats first = ingest_text(
      "id,time,product,review\n"
      "a,2026-03-02 10:00:00,p1,物流太慢了\n"
      ",2026-03-02 11:00:00,p1,质量很好\n");
  EXPECT_EQ(first.added, 2);
  EXPECT_EQ(first.without_id, 1);

  // A later export puts a new row first, which moves the row without an id
  // to another line; it must still be the same item.
  const IngestStats second = ingest_text(
      "id,time,product,review\n"
      "b,2026-03-03 09:00:00,p2,很满意\n"
      "a,2026-03-02 10:00:00,p1,物流太慢了\n"
      ",2026-03-02 11:00:00,p1,质量很好\n");
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.duplicates, 2);
  EXPECT_EQ(second.without_id, 1);
  EXPECT_EQ(store.item_count(), 3);

  // The item is stored without an id rather than with its first line number.
  const auto stored = store.items({.text = "质量很好"});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, "");
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, SumsKeywordCountsAcrossTransactions) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  store.add(std::span(batch.items).first(2), std::span(batch.analyses).first(2), true);
  store.add(std::span(batch.items).subspan(2), std::span(batch.analyses).subspan(2), true);
  std::vector<Item> later = {make_item("4", kMonday + 5 * kHour, "p1", "慢")};
  std::vector<Analysis> analyses = {make_analysis("negative", -0.8f, {}, {"物流", "太慢"})};
  store.add(later, analyses, true);

  const Series shop = store.series({.from = kMonday, .to = kMonday + kDay, .keywords = true});
  EXPECT_EQ(shop.buckets[0].keywords.at("物流"), 2);
  EXPECT_EQ(shop.buckets[0].keywords.at("太慢"), 1);
  const Series p1 = store.series(
      {.dimension = "product", .value = "p1", .from = kMonday, .to = kMonday + kDay, .keywords = true});
  EXPECT_EQ(p1.buckets[0].keywords.at("物流"), 2);
}

TEST_F(StoreTest, SumsAspectCountsAcrossTransactions) {
  Store store({.path = path()});
  const Batch batch = sample_batch();
  store.add(std::span(batch.items).first(2), std::span(batch.analyses).first(2), true);
  std::vector<Item> later = {make_item("4", kMonday + 5 * kHour, "p2", "慢"),
                             make_item("5", kMonday + 6 * kHour, "p2", "好")};
  std::vector<Analysis> analyses = {
      make_analysis("negative", -0.8f, {mention("logistics", "negative"), mention("price", "positive")}),
      make_analysis("positive", 0.7f, {mention("logistics", "positive")})};
  store.add(later, analyses, true);

  const Series shop = store.series({.from = kMonday, .to = kMonday + kDay});
  const auto& aspects = shop.buckets[0].aspects;
  ASSERT_EQ(aspects.size(), 3u);
  EXPECT_EQ(aspects.at("logistics").mentions, 3);
  EXPECT_EQ(aspects.at("logistics").positive, 1);
  EXPECT_EQ(aspects.at("logistics").negative, 2);
  EXPECT_EQ(aspects.at("quality").mentions, 1);
  EXPECT_EQ(aspects.at("quality").positive, 1);
  EXPECT_EQ(aspects.at("price").mentions, 1);
  EXPECT_EQ(aspects.at("price").negative, 0);

  const Series p2 = store.series({.dimension = "product", .value = "p2", .granularity = Granularity::hour,
                                  .from = kMonday + 5 * kHour, .to = kMonday + 7 * kHour});
  EXPECT_EQ(p2.buckets[0].aspects.at("price").positive, 1);
  EXPECT_EQ(p2.buckets[1].aspects.size(), 1u);
  const Series minutes = store.series(
      {.granularity = Granularity::minute, .from = kMonday + 5 * kHour, .to = kMonday + 5 * kHour + 60'000});
  EXPECT_EQ(minutes.buckets[0].volume, 1);
  EXPECT_TRUE(minutes.buckets[0].aspects.empty()) << "minute buckets keep no aspect counts";
  EXPECT_TRUE(testing::aggregates_match_items(path()).empty());
}

TEST_F(StoreTest, FindsItemsByTheirWords) {
  const Engine engine(EngineOptions{});
  const std::vector<std::string> texts = {"这款耳机的物流太慢了，等了一周", "质量很好，包装也不错",
                                          "The Battery died after two days", "客服电话 13812345678 打不通"};
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    items.push_back(make_item(std::to_string(i), kMonday + static_cast<std::int64_t>(i) * kHour, "p1", texts[i]));
    analyses.push_back(engine.analyze(items.back()));
  }
  Store store({.path = path()});
  store.add(items, analyses, true);

  const auto search = [&](std::string_view text) {
    ItemQuery query;
    query.words = search_words(make_document(engine.normalizer(), text));
    std::vector<std::string> ids;
    for (const StoredItem& item : store.items(query)) ids.push_back(item.id);
    return ids;
  };
  EXPECT_EQ(search("物流"), std::vector<std::string>{"0"}) << "a word inside a Chinese sentence";
  EXPECT_EQ(search("物流 包装"), std::vector<std::string>{}) << "every word must occur";
  EXPECT_EQ(search("質量"), std::vector<std::string>{"1"}) << "Traditional finds Simplified";
  EXPECT_EQ(search("BATTERY"), std::vector<std::string>{"2"}) << "case is folded";
  ItemQuery phone;
  phone.words = "13812345678";
  EXPECT_TRUE(store.items(phone).empty()) << "personal data is not indexed";
  EXPECT_EQ(search("客服"), std::vector<std::string>{"3"});
  EXPECT_EQ(search("\"物流\" OR (NOT *"), std::vector<std::string>{}) << "query syntax is matched as words";
}

// The version 1 schema as it was released, to check the migration of a store
// written by an older shopsight.
constexpr const char* kVersion1Schema = R"sql(
CREATE TABLE items (row INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, id TEXT NOT NULL, time INTEGER NOT NULL,
  product TEXT NOT NULL, category TEXT NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL, rating REAL,
  language TEXT NOT NULL, sentiment TEXT NOT NULL, probability REAL NOT NULL, score REAL NOT NULL,
  text TEXT NOT NULL, aspects TEXT NOT NULL, keywords TEXT NOT NULL, summary TEXT, source TEXT NOT NULL);
CREATE TABLE buckets (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, volume INTEGER NOT NULL, positive INTEGER NOT NULL, negative INTEGER NOT NULL,
  neutral INTEGER NOT NULL, score_sum REAL NOT NULL, rating1 INTEGER NOT NULL, rating2 INTEGER NOT NULL,
  rating3 INTEGER NOT NULL, rating4 INTEGER NOT NULL, rating5 INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start)) WITHOUT ROWID;
CREATE TABLE aspect_buckets (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, aspect TEXT NOT NULL, mentions INTEGER NOT NULL, positive INTEGER NOT NULL,
  negative INTEGER NOT NULL, PRIMARY KEY (granularity, dimension, value, start, aspect)) WITHOUT ROWID;
CREATE TABLE keyword_buckets (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, keyword TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start, keyword)) WITHOUT ROWID;
CREATE TABLE alerts (row INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, detector TEXT NOT NULL,
  dimension TEXT NOT NULL, value TEXT NOT NULL, subject TEXT NOT NULL, granularity INTEGER NOT NULL,
  window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, severity TEXT NOT NULL, observed REAL NOT NULL,
  baseline REAL NOT NULL, statistic REAL NOT NULL, statistic_name TEXT NOT NULL, count INTEGER NOT NULL,
  examples TEXT NOT NULL, raised_at INTEGER NOT NULL);
CREATE TABLE positions (source TEXT PRIMARY KEY, identity TEXT NOT NULL, offset INTEGER NOT NULL,
  line INTEGER NOT NULL);
CREATE TABLE marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO items VALUES (1, 'id:a', 'a', 1772409600000, 'p1', 'washer', 'review', 'u1', 5, 'zh', 'negative',
  0.9, -0.8, '洗衣机噪音很大', '[]', '[{"word":"噪音","score":1.0}]', NULL, 'old.csv');
INSERT INTO keyword_buckets VALUES (2, 0, '', 1772409600000, '噪音', 3), (2, 0, '', 1772409600000, '很大', 1);
PRAGMA application_id = 1397248083;
PRAGMA user_version = 1;
)sql";

// Writes a store file as an older release left it, from its SQL.
void write_old_store(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(StoreTest, MigratesVersionOneStores) {
  ASSERT_NO_FATAL_FAILURE(write_old_store(path(), kVersion1Schema));

  Store store({.path = path()});
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  const Series shop = store.series({.from = kMonday, .to = kMonday + kDay, .keywords = true});
  EXPECT_EQ(shop.buckets[0].keywords.at("噪音"), 3);
  EXPECT_EQ(shop.buckets[0].keywords.at("很大"), 1);
  ItemQuery query;
  query.words = "噪音";
  const auto found = store.items(query);
  ASSERT_EQ(found.size(), 1u) << "the migration indexes the words of stored items";
  EXPECT_EQ(found[0].id, "a");
}

// The version 2 schema as it was released: aspect counts in a table of
// their own, one row per bucket and aspect category.
constexpr const char* kVersion2Schema = R"sql(
CREATE TABLE items (row INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, id TEXT NOT NULL, time INTEGER NOT NULL,
  product TEXT NOT NULL, category TEXT NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL, rating REAL,
  language TEXT NOT NULL, sentiment TEXT NOT NULL, probability REAL NOT NULL, score REAL NOT NULL,
  text TEXT NOT NULL, aspects TEXT NOT NULL, keywords TEXT NOT NULL, summary TEXT, source TEXT NOT NULL);
CREATE INDEX items_time ON items (time);
CREATE INDEX items_product ON items (product, time);
CREATE INDEX items_category ON items (category, time);
CREATE INDEX items_user ON items (user, time);
CREATE TABLE buckets (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, volume INTEGER NOT NULL, positive INTEGER NOT NULL, negative INTEGER NOT NULL,
  neutral INTEGER NOT NULL, score_sum REAL NOT NULL, rating1 INTEGER NOT NULL, rating2 INTEGER NOT NULL,
  rating3 INTEGER NOT NULL, rating4 INTEGER NOT NULL, rating5 INTEGER NOT NULL,
  PRIMARY KEY (granularity, dimension, value, start)) WITHOUT ROWID;
CREATE TABLE aspect_buckets (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, aspect TEXT NOT NULL, mentions INTEGER NOT NULL, positive INTEGER NOT NULL,
  negative INTEGER NOT NULL, PRIMARY KEY (granularity, dimension, value, start, aspect)) WITHOUT ROWID;
CREATE TABLE alerts (row INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, detector TEXT NOT NULL,
  dimension TEXT NOT NULL, value TEXT NOT NULL, subject TEXT NOT NULL, granularity INTEGER NOT NULL,
  window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, severity TEXT NOT NULL, observed REAL NOT NULL,
  baseline REAL NOT NULL, statistic REAL NOT NULL, statistic_name TEXT NOT NULL, count INTEGER NOT NULL,
  examples TEXT NOT NULL, raised_at INTEGER NOT NULL);
CREATE INDEX alerts_window ON alerts (window_start);
CREATE INDEX alerts_subject ON alerts (detector, dimension, value, subject, window_end);
CREATE TABLE positions (source TEXT PRIMARY KEY, identity TEXT NOT NULL, offset INTEGER NOT NULL,
  line INTEGER NOT NULL);
CREATE TABLE marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE VIRTUAL TABLE item_words USING fts5 (words, tokenize = 'unicode61', detail = 'none', columnsize = 0);
CREATE TABLE keyword_counts (granularity INTEGER NOT NULL, dimension INTEGER NOT NULL, value TEXT NOT NULL,
  start INTEGER NOT NULL, counts TEXT NOT NULL, PRIMARY KEY (granularity, dimension, value, start)) WITHOUT ROWID;
CREATE TABLE topic_runs (row INTEGER PRIMARY KEY, computed_at INTEGER NOT NULL, document TEXT NOT NULL);
INSERT INTO items VALUES (1, 'id:a', 'a', 1772413200000, 'p1', 'washer', 'review', 'u1', 1, 'zh', 'negative',
  0.9, -0.8, '物流太慢', '[{"category":"logistics","polarity":"negative"}]', '[]', NULL, 'old.csv');
INSERT INTO item_words (rowid, words) VALUES (1, '物流 太 慢');
INSERT INTO buckets VALUES (2, 0, '', 1772409600000, 1, 0, 1, 0, -0.8, 1, 0, 0, 0, 0),
  (1, 0, '', 1772413200000, 1, 0, 1, 0, -0.8, 1, 0, 0, 0, 0),
  (0, 0, '', 1772413200000, 1, 0, 1, 0, -0.8, 1, 0, 0, 0, 0);
INSERT INTO aspect_buckets VALUES (2, 0, '', 1772409600000, 'logistics', 4, 1, 3),
  (2, 0, '', 1772409600000, 'price', 2, 2, 0), (1, 0, '', 1772413200000, 'logistics', 1, 0, 1);
PRAGMA application_id = 1397248083;
PRAGMA user_version = 2;
)sql";

TEST_F(StoreTest, MigratesVersionTwoAspectCounts) {
  ASSERT_NO_FATAL_FAILURE(write_old_store(path(), kVersion2Schema));

  Store store({.path = path()});
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  Series day = store.series({.from = kMonday, .to = kMonday + kDay});
  ASSERT_EQ(day.buckets[0].aspects.size(), 2u);
  EXPECT_EQ(day.buckets[0].aspects.at("logistics").mentions, 4);
  EXPECT_EQ(day.buckets[0].aspects.at("logistics").positive, 1);
  EXPECT_EQ(day.buckets[0].aspects.at("logistics").negative, 3);
  EXPECT_EQ(day.buckets[0].aspects.at("price").positive, 2);
  const Series hour = store.series(
      {.granularity = Granularity::hour, .from = kMonday + kHour, .to = kMonday + 2 * kHour});
  EXPECT_EQ(hour.buckets[0].aspects.at("logistics").negative, 1);
  const Series minute = store.series(
      {.granularity = Granularity::minute, .from = kMonday + kHour, .to = kMonday + kHour + 60'000});
  EXPECT_EQ(minute.buckets[0].volume, 1);
  EXPECT_TRUE(minute.buckets[0].aspects.empty());

  // New items add to the migrated counts.
  std::vector<Item> items = {make_item("b", kMonday + 2 * kHour, "p1", "便宜")};
  std::vector<Analysis> analyses = {make_analysis("positive", 0.9f, {mention("price", "positive")})};
  EXPECT_EQ(store.add(items, analyses, true).added, 1);
  day = store.series({.from = kMonday, .to = kMonday + kDay});
  EXPECT_EQ(day.buckets[0].volume, 2);
  EXPECT_EQ(day.buckets[0].aspects.at("price").mentions, 3);
  EXPECT_EQ(day.buckets[0].aspects.at("logistics").mentions, 4);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'aspect_buckets'", -1,
                               &statement, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 0) << "the old table is dropped";
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

}  // namespace
}  // namespace shopsight::store

// Store queries behind the dashboard's routes (summary, keyword counts, one
// alert, saved topic runs) on real SQLite files, their speed on 100,000
// items, and `shopsight topics --db`, which fills the topic runs.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "support/run_shopsight.h"

namespace shopsight::store {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86'400'000;
// 2026-03-02T00:00:00Z, a Monday.
constexpr std::int64_t kMonday = 1'772'409'600'000;

class StoreApiQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() / ("shopsight_store_api_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string path(const std::string& name = "store.db") const { return (folder_ / name).string(); }

  std::unique_ptr<Store> open(const std::string& name = "store.db") const {
    StoreOptions options;
    options.path = path(name);
    return std::make_unique<Store>(options);
  }

  fs::path folder_;
};

/// Items and analyses added to a store together.
struct Batch {
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  std::int64_t next_id = 0;                        ///< kept when the vectors are cleared, so ids stay unique

  void add(std::int64_t time, const std::string& product, const std::string& label,
           const std::vector<std::string>& keywords) {
    Item item;
    item.id = std::to_string(next_id++);
    item.time = time;
    item.product = product;
    item.category = "washer";
    item.text = "text";
    item.source = "test";
    Analysis analysis;
    analysis.language = "zh";
    analysis.masked_text = "text";
    analysis.sentiment = {label, 0.9f, label == "negative" ? -0.7f : 0.7f};
    std::string words;
    for (const auto& word : keywords) {
      analysis.keywords.push_back({word, 1.0f});
      words += (words.empty() ? "" : " ") + word;
    }
    analysis.search_words = words;
    items.push_back(std::move(item));
    analyses.push_back(std::move(analysis));
  }
};

Alert make_alert(const std::string& fingerprint, std::int64_t window_start) {
  Alert alert{.fingerprint = fingerprint, .detector = "volume", .dimension = "shop", .window_start = window_start,
              .window_end = window_start + kDay, .severity = "warning", .observed = 12, .baseline = 3, .statistic = 4.5,
              .statistic_name = "robust_z", .count = 12, .examples = {1, 2}, .raised_at = window_start + kDay};
  return alert;
}

TEST_F(StoreApiQueries, SummaryOfEmptyAndFilledStore) {
  const auto store = open();
  StoreSummary empty = store->summary();
  EXPECT_EQ(empty.items, 0);
  EXPECT_EQ(empty.alerts, 0);
  EXPECT_FALSE(empty.earliest);
  EXPECT_FALSE(empty.latest);
  EXPECT_FALSE(empty.topics);

  Batch batch;
  batch.add(kMonday + 5000, "p1", "positive", {});
  batch.add(kMonday + 1000, "p1", "negative", {});
  batch.add(kMonday + kDay, "p2", "positive", {});
  store->add(batch.items, batch.analyses, true);
  ASSERT_TRUE(store->add_alert(make_alert("volume|shop|||day|1", kMonday)));
  store->save_topics("{}", kMonday);

  const StoreSummary filled = store->summary();
  EXPECT_EQ(filled.items, 3);
  EXPECT_EQ(filled.alerts, 1);
  EXPECT_EQ(filled.earliest, kMonday + 1000);
  EXPECT_EQ(filled.latest, kMonday + kDay);
  EXPECT_TRUE(filled.topics);
}

TEST_F(StoreApiQueries, KeywordCountsFollowFilters) {
  const auto store = open();
  Batch batch;
  batch.add(kMonday, "p1", "negative", {"噪音", "漏水"});
  batch.add(kMonday + 1, "p1", "negative", {"噪音"});
  batch.add(kMonday + 2, "p1", "positive", {"安装", "噪音"});
  batch.add(kMonday + 3, "p2", "negative", {"漏水"});
  batch.add(kMonday + kDay, "p1", "positive", {"安装"});
  store->add(batch.items, batch.analyses, true);

  ItemQuery query;
  query.dimension = "product";
  query.value = "p1";
  KeywordCounts counts = store->keyword_counts(query, 10);
  EXPECT_EQ(counts.items, 4);
  ASSERT_EQ(counts.keywords.size(), 3U);
  EXPECT_EQ(counts.keywords[0].word, "噪音");
  EXPECT_EQ(counts.keywords[0].count, 3);
  // Equal counts are ordered by word.
  EXPECT_EQ(counts.keywords[1].count, 2);
  EXPECT_EQ(counts.keywords[2].count, 1);
  EXPECT_EQ(counts.keywords[2].word, "漏水");

  query.sentiment = "negative";
  query.to = kMonday + kDay;
  counts = store->keyword_counts(query, 1);
  EXPECT_EQ(counts.items, 2);
  ASSERT_EQ(counts.keywords.size(), 1U);
  EXPECT_EQ(counts.keywords[0].word, "噪音");
  EXPECT_EQ(counts.keywords[0].count, 2);

  ItemQuery words;
  words.words = "漏水";
  EXPECT_EQ(store->keyword_counts(words, 10).items, 2);
}

TEST_F(StoreApiQueries, AlertByFingerprint) {
  const auto store = open();
  ASSERT_TRUE(store->add_alert(make_alert("volume|shop|||day|1", kMonday)));
  ASSERT_TRUE(store->add_alert(make_alert("volume|shop|||day|2", kMonday + kDay)));
  const std::optional<Alert> alert = store->alert("volume|shop|||day|2");
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->window_start, kMonday + kDay);
  EXPECT_EQ(alert->statistic_name, "robust_z");
  EXPECT_EQ(alert->examples, (std::vector<std::int64_t>{1, 2}));
  EXPECT_FALSE(store->alert("volume|shop|||day|3"));
  EXPECT_FALSE(store->alert(""));
}

TEST_F(StoreApiQueries, TopicRunsKeepLatest) {
  {
    const auto store = open();
    EXPECT_FALSE(store->latest_topics());
    const std::int64_t first = store->save_topics(R"({"run": 1})", kMonday + kDay);
    // An earlier computed_at (a clock stepped back) still makes the later run the latest.
    const std::int64_t second = store->save_topics(R"({"run": 2})", kMonday);
    EXPECT_GT(second, first);
  }
  const auto reopened = open();
  const std::optional<TopicRun> latest = reopened->latest_topics();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->document, R"({"run": 2})");
  EXPECT_EQ(latest->computed_at, kMonday);
}

// Median wall time of `runs` calls of `work`, in milliseconds.
template <typename Work>
double median_milliseconds(int runs, Work work) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto started = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The dashboard polls the summary every 5 s and requests one product's
// keywords per product page, so both must stay cheap on a large store.
TEST_F(StoreApiQueries, CountsOnHundredThousandItems) {
  constexpr int kItems = 100'000;
  constexpr int kProducts = 200;
  const std::vector<std::string> vocabulary = {"噪音", "漏水", "安装", "物流", "客服", "价格", "甩干", "容量",
                                               "外观", "省电", "质量", "包装"};
  const auto store = open();
  Batch batch;
  for (int i = 0; i < kItems; ++i) {
    std::vector<std::string> keywords;
    for (int k = 0; k < 4; ++k) keywords.push_back(vocabulary[static_cast<std::size_t>((i + k * 5) % 12)]);
    batch.add(kMonday + static_cast<std::int64_t>(i) * 60'000, "p" + std::to_string(i % kProducts),
              i % 4 == 0 ? "negative" : "positive", keywords);
    if (batch.items.size() == 10'000) {
      store->add(batch.items, batch.analyses, true);
      batch.items.clear();
      batch.analyses.clear();
    }
  }

  StoreSummary summary;
  const double summary_ms = median_milliseconds(5, [&] { summary = store->summary(); });
  EXPECT_EQ(summary.items, kItems);

  ItemQuery product;
  product.dimension = "product";
  product.value = "p7";
  KeywordCounts counts;
  const double keywords_ms = median_milliseconds(5, [&] { counts = store->keyword_counts(product, 20); });
  EXPECT_EQ(counts.items, kItems / kProducts);
  EXPECT_EQ(counts.keywords.size(), 12U);

  product.sentiment = "negative";
  const double negative_ms = median_milliseconds(5, [&] { counts = store->keyword_counts(product, 20); });

  // The whole shop reads every item, so it gets no bound; the test prints it for docs/api.md.
  const double shop_ms = median_milliseconds(3, [&] { counts = store->keyword_counts(ItemQuery(), 20); });
  EXPECT_EQ(counts.items, kItems);

  RecordProperty("summary_ms", std::to_string(summary_ms));
  RecordProperty("product_keywords_ms", std::to_string(keywords_ms));
  std::cout << "100,000 items: summary " << summary_ms << " ms, one product's keywords " << keywords_ms
            << " ms, its negative items' keywords " << negative_ms << " ms (medians of 5), the whole shop's keywords "
            << shop_ms << " ms (median of 3)\n";
  // The times are printed for docs/api.md, not checked: a timing bound in a
  // unit test fails on a busy machine rather than on a slow query.
}

TEST_F(StoreApiQueries, TopicsCommandSavesRun) {
  const std::string db = path();
  const std::string themes = std::string(SHOPSIGHT_SOURCE_DIR) + "/tests/topics/data/themes.csv";
  auto run = shopsight::testing::run_shopsight("--lang en --log-level warn ingest " + themes + " --db " + db +
                                               " --text review --time time --id id");
  ASSERT_EQ(run.status, 0) << run.output;

  run = shopsight::testing::run_shopsight("--lang en --log-level warn topics --db " + db + " --min-topic-size 5");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("3 topics in 40 reviews"), std::string::npos) << run.output;

  std::optional<TopicRun> latest;
  {
    const auto store = open();
    latest = store->latest_topics();
  }
  ASSERT_TRUE(latest);
  const auto document = nlohmann::json::parse(latest->document);
  EXPECT_EQ(document["items"], 40);
  EXPECT_EQ(document["topics"].size(), 3U);
  EXPECT_EQ(document["computed_at_ms"], latest->computed_at);
  EXPECT_TRUE(document["computed_at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(document["from"], "2024-05-01T09:00:00.000Z");
  EXPECT_EQ(document["from_ms"], 1714554000000);
  EXPECT_TRUE(document.contains("to"));
  EXPECT_TRUE(document.contains("timeline"));
  // Snippets come from the stored texts, whose phone number is masked.
  EXPECT_EQ(latest->document.find("13812345678"), std::string::npos);

  // A narrower range groups fewer items and adds a second run.
  run = shopsight::testing::run_shopsight("--lang en --log-level warn topics --db " + db +
                                          " --min-topic-size 2 --from 2024-05-02 --limit 5");
  ASSERT_EQ(run.status, 0) << run.output;
  const auto store = open();
  const std::optional<TopicRun> narrow = store->latest_topics();
  ASSERT_TRUE(narrow);
  EXPECT_GT(narrow->row, latest->row);
  const auto narrow_document = nlohmann::json::parse(narrow->document);
  EXPECT_EQ(narrow_document["items"], 5);
  EXPECT_EQ(narrow_document["limit"], 5);
  EXPECT_GE(narrow_document["from_ms"].get<std::int64_t>(), 1714608000000);
}

TEST_F(StoreApiQueries, TopicsCommandRejectsBadSources) {
  const std::string themes = std::string(SHOPSIGHT_SOURCE_DIR) + "/tests/topics/data/themes.csv";
  auto run = shopsight::testing::run_shopsight("--lang en topics --db " + path("missing.db"));
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(path("missing.db"))) << "a missing store must not be created";

  run = shopsight::testing::run_shopsight("--lang en topics " + themes + " --db " + path());
  EXPECT_NE(run.status, 0) << run.output;
  run = shopsight::testing::run_shopsight("--lang en topics");
  EXPECT_NE(run.status, 0) << run.output;
  run = shopsight::testing::run_shopsight("--lang en topics " + themes + " --from 2024-05-02");
  EXPECT_NE(run.status, 0) << run.output;

  open();  // an empty store
  run = shopsight::testing::run_shopsight("--lang en topics --db " + path());
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("no items"), std::string::npos) << run.output;
  run = shopsight::testing::run_shopsight("--lang en topics --db " + path() + " --from yesterday");
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("--from"), std::string::npos) << run.output;

  // A reversed or empty range is a mistake on the command line, not a range without items.
  for (const std::string range : {"--from 2026-12-10 --to 2026-12-01", "--from 2026-12-01 --to 2026-12-01"}) {
    run = shopsight::testing::run_shopsight("--lang en topics --db " + path() + " " + range);
    EXPECT_EQ(run.status, 2) << range << ": " << run.output;
    EXPECT_NE(run.output.find("is not before --to"), std::string::npos) << range << ": " << run.output;
  }
}

}  // namespace
}  // namespace shopsight::store

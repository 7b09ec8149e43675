// Routes for the dashboard against a real server and store: status, value
// comparison, forecast, keyword counts, full-text search, one alert and the
// saved topics.

#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <sstream>

#include "forecast/forecast.h"
#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr std::int64_t kDayMs = 24 * kHourMs;
// 2026-11-02T00:00:00Z, a Monday, so that day and week boundaries are known.
constexpr std::int64_t kMonday = 1793577600000;

/// Percent-encodes every byte but the unreserved characters of RFC 3986.
std::string percent_encode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

/// Items and hand-made analyses added straight to the store, for routes that
/// read aggregates and need more items than the model should analyze.
struct Batch {
  std::vector<Item> items;
  std::vector<Analysis> analyses;

  void add(std::int64_t time, const std::string& product, const std::string& label,
           const std::vector<std::string>& keywords = {}, const std::vector<std::string>& aspects = {}) {
    Item item;
    item.id = "item-" + std::to_string(items.size());
    item.time = time;
    item.product = product;
    item.category = "phones";
    item.text = "text " + item.id;
    item.source = "test";
    Analysis analysis;
    analysis.language = "en";
    analysis.masked_text = item.text;
    analysis.sentiment.label = label;
    analysis.sentiment.probability = 0.9f;
    analysis.sentiment.score = label == "negative" ? -0.8f : 0.6f;
    for (const auto& word : keywords) analysis.keywords.push_back({word, 1.0f});
    for (const auto& category : aspects) {
      AspectMention mention;
      mention.category = category;
      mention.polarity = label;
      analysis.aspects.push_back(mention);
    }
    items.push_back(std::move(item));
    analyses.push_back(std::move(analysis));
  }
};

class ServeRoutes : public ServeTest {
 protected:
  void add_batch(const Batch& batch) { store_->add(batch.items, batch.analyses, true); }

  /// GETs `path` and returns its JSON body, failing the test unless the status is 200.
  json get_json(const std::string& path) {
    const auto result = client_->Get(path.c_str());
    if (!result) {
      ADD_FAILURE() << path << ": no response";
      return json();
    }
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return body_json(result);
  }

  /// Ids of the items that GET /api/v1/items returns for `query`.
  std::vector<std::string> search_ids(const std::string& query) {
    const json body = get_json("/api/v1/items?" + query);
    std::vector<std::string> ids;
    if (!body.contains("items")) return ids;
    for (const auto& item : body["items"]) ids.push_back(item["id"]);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

// Eight weeks in which day d of the week has 2 + 2*d items of product A, a
// third of them negative and every other one mentioning price.
Batch weekly_batch() {
  Batch batch;
  for (int day = 0; day < 56; ++day) {
    const int count = 2 + 2 * (day % 7);
    for (int i = 0; i < count; ++i) {
      const std::string label = i % 3 == 0 ? "negative" : "positive";
      const std::vector<std::string> aspects = i % 2 == 0 ? std::vector<std::string>{"price"} : std::vector<std::string>{};
      batch.add(kMonday + day * kDayMs + i * 60'000, "A", label, {}, aspects);
    }
  }
  return batch;
}

store::Alert sample_alert(const std::string& fingerprint, std::vector<std::int64_t> examples) {
  store::Alert alert{.fingerprint = fingerprint, .detector = "negative_share", .dimension = "product",
                     .value = "P1/blue", .window_start = kMonday, .window_end = kMonday + kDayMs,
                     .severity = "critical", .observed = 0.7, .baseline = 0.1, .statistic = 0.0001,
                     .statistic_name = "p_value", .count = 9, .examples = std::move(examples),
                     .raised_at = kMonday + kDayMs};
  return alert;
}

TEST_F(ServeRoutes, StatusOfEmptyStore) {
  const json status = get_json("/api/v1/status");
  EXPECT_EQ(status["items"], 0);
  EXPECT_EQ(status["alerts"], 0);
  EXPECT_TRUE(status["earliest"].is_null());
  EXPECT_TRUE(status["earliest_ms"].is_null());
  EXPECT_TRUE(status["latest"].is_null());
  EXPECT_TRUE(status["latest_ms"].is_null());
  EXPECT_EQ(status["topics"], false);
  EXPECT_EQ(status["version"], SHOPSIGHT_VERSION);
}

TEST_F(ServeRoutes, StatusCountsItemsAlertsTopics) {
  Batch batch;
  batch.add(kMonday + kHourMs, "A", "positive");
  batch.add(kMonday + 5 * kHourMs, "A", "negative");
  batch.add(kMonday + 2 * kHourMs, "B", "positive");
  add_batch(batch);
  ASSERT_TRUE(store_->add_alert(sample_alert("a|1", {})));
  store_->save_topics(R"({"topics": []})", kMonday);

  const json status = get_json("/api/v1/status");
  EXPECT_EQ(status["items"], 3);
  EXPECT_EQ(status["alerts"], 1);
  EXPECT_EQ(status["earliest"], "2026-11-02T01:00:00.000Z");
  EXPECT_EQ(status["earliest_ms"], kMonday + kHourMs);
  EXPECT_EQ(status["latest"], "2026-11-02T05:00:00.000Z");
  EXPECT_EQ(status["latest_ms"], kMonday + 5 * kHourMs);
  EXPECT_EQ(status["topics"], true);
}

// A store in Asia/Shanghai returns local days, and every response with
// buckets names the zone, so that a client can label its dates.
TEST_F(ServeRoutes, DayBucketsOfAStoreInAZone) {
  EXPECT_EQ(get_json("/api/v1/status")["timezone"], "UTC");
  store::StoreOptions store_options;
  store_options.path = folder_.file("shanghai.db");
  store_options.bucket_timezone = "Asia/Shanghai";
  client_.reset();
  server_.reset();  // before the store it reads
  store_ = std::make_unique<store::Store>(store_options);
  restart();
  Batch batch;
  batch.add(kMonday - 7 * kHourMs, "A", "positive");      // 2026-11-02T01:00+08:00
  batch.add(kMonday + 15 * kHourMs + 1, "A", "negative");  // 2026-11-02T23:00+08:00
  batch.add(kMonday + 16 * kHourMs, "A", "positive");      // 2026-11-03T00:00+08:00
  add_batch(batch);

  const json status = get_json("/api/v1/status");
  EXPECT_EQ(status["timezone"], "Asia/Shanghai");
  EXPECT_EQ(status["utc_offset"], "+08:00");
  const json series = get_json(fmt::format("/api/v1/series?from={}&to={}", kMonday - 8 * kHourMs,
                                           kMonday + 40 * kHourMs));
  EXPECT_EQ(series["timezone"], "Asia/Shanghai");
  EXPECT_EQ(series["from"], "2026-11-02T00:00:00.000+08:00");
  ASSERT_EQ(series["buckets"].size(), 2u) << series.dump();
  EXPECT_EQ(series["buckets"][0]["start"], "2026-11-02T00:00:00.000+08:00");
  EXPECT_EQ(series["buckets"][0]["start_ms"], kMonday - 8 * kHourMs);
  EXPECT_EQ(series["buckets"][0]["volume"], 2);
  EXPECT_EQ(series["buckets"][1]["volume"], 1);
  const json values = get_json("/api/v1/values?dimension=product");
  EXPECT_EQ(values["utc_offset"], "+08:00");
  EXPECT_EQ(get_json("/api/v1/products/A")["timezone"], "Asia/Shanghai");
}

TEST_F(ServeRoutes, ValuesCompareWithPreviousRange) {
  // Week 1 is the previous range of week 2. A's share rises from 0.1 to 0.5,
  // B's falls from 0.5 to 0.2, C is new and D has too few items.
  Batch batch;
  for (int i = 0; i < 10; ++i) {
    batch.add(kMonday + i * kHourMs, "A", i < 1 ? "negative" : "positive");
    batch.add(kMonday + i * kHourMs, "B", i < 5 ? "negative" : "positive");
    batch.add(kMonday + 7 * kDayMs + i * kHourMs, "A", i < 5 ? "negative" : "positive");
    batch.add(kMonday + 7 * kDayMs + i * kHourMs, "B", i < 2 ? "negative" : "positive");
  }
  for (int i = 0; i < 3; ++i) batch.add(kMonday + 8 * kDayMs + i * kHourMs, "C", "negative");
  batch.add(kMonday + 8 * kDayMs, "D", "negative");
  add_batch(batch);

  const std::string range = "&from=" + std::to_string(kMonday + 7 * kDayMs) + "&to=" +
                            std::to_string(kMonday + 14 * kDayMs);
  const json body =
      get_json("/api/v1/values?dimension=product&compare=previous&sort=negative_share_change&min_volume=2" + range);
  EXPECT_EQ(body["previous_from"], "2026-11-02T00:00:00.000Z");
  EXPECT_EQ(body["previous_to"], "2026-11-09T00:00:00.000Z");
  const json& values = body["values"];
  ASSERT_EQ(values.size(), 3U) << body.dump();
  EXPECT_EQ(values[0]["value"], "A");
  EXPECT_EQ(values[0]["previous_volume"], 10);
  EXPECT_NEAR(values[0]["previous_negative_share"].get<double>(), 0.1, 1e-9);
  EXPECT_NEAR(values[0]["negative_share_change"].get<double>(), 0.4, 1e-9);
  EXPECT_EQ(values[1]["value"], "B");
  EXPECT_NEAR(values[1]["negative_share_change"].get<double>(), -0.3, 1e-9);
  EXPECT_EQ(values[2]["value"], "C");
  EXPECT_EQ(values[2]["previous_volume"], 0);
  EXPECT_TRUE(values[2]["previous_negative_share"].is_null());
  EXPECT_TRUE(values[2]["negative_share_change"].is_null());

  const json by_volume = get_json("/api/v1/values?dimension=product&compare=previous" + range);
  ASSERT_EQ(by_volume["values"].size(), 4U) << by_volume.dump();
  EXPECT_TRUE(by_volume["values"][0].contains("negative_share_change"));
  const json plain = get_json("/api/v1/values?dimension=product" + range);
  ASSERT_FALSE(plain["values"].empty());
  EXPECT_FALSE(plain["values"][0].contains("previous_volume"));
  EXPECT_FALSE(plain.contains("previous_from"));

  expect_error("/api/v1/values?dimension=product&compare=next", 400, "compare");
  expect_error("/api/v1/values?dimension=product&sort=change", 400, "sort");
}

TEST_F(ServeRoutes, ForecastMatchesForecastStage) {
  add_batch(weekly_batch());
  const json body = get_json("/api/v1/forecast?horizon=3");
  EXPECT_EQ(body["dimension"], "shop");
  EXPECT_EQ(body["value"], "");
  EXPECT_EQ(body["measure"], "volume");
  EXPECT_TRUE(body["aspect"].is_null());
  EXPECT_EQ(body["granularity"], "day");
  EXPECT_EQ(body["method"], "holt_winters");
  EXPECT_EQ(body["period"], 7);
  ASSERT_EQ(body["history"].size(), 56U);
  EXPECT_EQ(body["history"][0]["start"], "2026-11-02T00:00:00.000Z");
  EXPECT_EQ(body["history"][0]["start_ms"], kMonday);
  EXPECT_EQ(body["history"][0]["value"], 2.0);
  EXPECT_EQ(body["history"][6]["value"], 14.0);
  ASSERT_EQ(body["forecast"].size(), 3U);
  EXPECT_EQ(body["forecast"][0]["start_ms"], kMonday + 56 * kDayMs);
  EXPECT_EQ(body["forecast"][0]["start"], "2026-12-28T00:00:00.000Z");
  EXPECT_EQ(body["backtest"]["holdout"], 3);
  EXPECT_TRUE(body["backtest"].contains("mase"));
  EXPECT_TRUE(body["backtest"].contains("mape"));
  EXPECT_EQ(body["warnings"], json::array());

  // The same numbers as the forecast stage, which `shopsight forecast` prints.
  forecast::Query query;
  query.horizon = 3;
  const forecast::ValueForecast expected = forecast::forecast(*store_, query).at(0);
  for (std::size_t h = 0; h < 3; ++h) {
    const json& point = body["forecast"][h];
    EXPECT_DOUBLE_EQ(point["value"].get<double>(), expected.result.points[h].mean) << h;
    EXPECT_DOUBLE_EQ(point["lower"].get<double>(), expected.result.points[h].lower) << h;
    EXPECT_DOUBLE_EQ(point["upper"].get<double>(), expected.result.points[h].upper) << h;
    EXPECT_LE(point["lower"].get<double>(), point["value"].get<double>()) << h;
    EXPECT_LE(point["value"].get<double>(), point["upper"].get<double>()) << h;
  }
}

TEST_F(ServeRoutes, ForecastWarnsOnShortHistory) {
  add_batch(weekly_batch());
  const json body = get_json("/api/v1/forecast?horizon=2&from=" + std::to_string(kMonday + 52 * kDayMs));
  ASSERT_EQ(body["history"].size(), 4U);
  ASSERT_EQ(body["warnings"].size(), 1U);
  const json& warning = body["warnings"][0];
  EXPECT_EQ(warning["code"], "short_history");
  EXPECT_EQ(warning["observed_buckets"], 4);
  EXPECT_GT(warning["minimum_buckets"].get<int>(), 4);
  EXPECT_NE(warning["message"].get<std::string>().find("4 observed buckets"), std::string::npos) << warning;
}

TEST_F(ServeRoutes, ForecastMeasuresStayInRange) {
  add_batch(weekly_batch());
  const json shares = get_json("/api/v1/forecast?dimension=product&value=A&measure=negative_share&horizon=7");
  ASSERT_EQ(shares["forecast"].size(), 7U);
  for (const auto& point : shares["forecast"]) {
    EXPECT_GE(point["lower"].get<double>(), 0.0);
    EXPECT_LE(point["upper"].get<double>(), 1.0);
  }
  const json scores = get_json("/api/v1/forecast?measure=mean_score&coverage=0.8");
  EXPECT_EQ(scores["measure"], "mean_score");
  EXPECT_DOUBLE_EQ(scores["coverage"].get<double>(), 0.8);
  for (const auto& point : scores["forecast"]) {
    EXPECT_GE(point["lower"].get<double>(), -1.0);
    EXPECT_LE(point["upper"].get<double>(), 1.0);
  }
  for (const auto& bucket : scores["history"]) {
    EXPECT_GE(bucket["value"].get<double>(), -1.0);
    EXPECT_LE(bucket["value"].get<double>(), 1.0);
  }

  const json mentions = get_json("/api/v1/forecast?measure=aspect_mentions&aspect=price");
  EXPECT_EQ(mentions["measure"], "aspect_mentions");
  EXPECT_EQ(mentions["aspect"], "price");
  // Monday has 2 items, one of which mentions price; Sunday has 14 and 7.
  EXPECT_EQ(mentions["history"][0]["value"], 1.0);
  EXPECT_EQ(mentions["history"][6]["value"], 7.0);
  const json negative = get_json("/api/v1/forecast?measure=aspect_negative&aspect=price");
  // Sunday's price mentions are items 0, 2, ..., 12; items 0, 6 and 12 are negative.
  EXPECT_EQ(negative["history"][6]["value"], 3.0);

  const json hours = get_json("/api/v1/forecast?granularity=hour&from=" + std::to_string(kMonday + 50 * kDayMs));
  EXPECT_EQ(hours["period"], 24);
  EXPECT_EQ(hours["forecast"].size(), 24U);
  EXPECT_EQ(hours["history"][0]["start_ms"], kMonday + 50 * kDayMs);

  const json range = get_json("/api/v1/forecast?from=" + std::to_string(kMonday + 7 * kDayMs) +
                              "&to=" + std::to_string(kMonday + 21 * kDayMs));
  EXPECT_EQ(range["history"].size(), 14U);
  EXPECT_EQ(range["forecast"][0]["start_ms"], kMonday + 21 * kDayMs);
}

TEST_F(ServeRoutes, ForecastRejectsBadParameters) {
  add_batch(weekly_batch());
  expect_error("/api/v1/forecast?measure=mood", 400, "measure");
  expect_error("/api/v1/forecast?measure=aspect_mentions", 400, "aspect");
  expect_error("/api/v1/forecast?measure=aspect_negative", 400, "aspect");
  expect_error("/api/v1/forecast?measure=volume&aspect=price", 400, "aspect");
  expect_error("/api/v1/forecast?measure=aspect_mentions&aspect=bogus", 400, "the known categories are");
  expect_error("/api/v1/forecast?measure=aspect_negative&aspect=bogus", 400, "logistics");
  expect_error("/api/v1/forecast?granularity=minute", 400, "granularity");
  expect_error("/api/v1/forecast?granularity=week", 400, "granularity");
  expect_error("/api/v1/forecast?horizon=0", 400, "horizon");
  expect_error("/api/v1/forecast?horizon=many", 400, "horizon");
  expect_error("/api/v1/forecast?coverage=1.5", 400, "coverage");
  expect_error("/api/v1/forecast?coverage=abc", 400, "coverage");
  expect_error("/api/v1/forecast?dimension=planet", 400, "dimension");
  expect_error("/api/v1/forecast?dimension=product", 400, "value");
  expect_error("/api/v1/forecast?from=2026-12-01&to=2026-11-01", 400, "from");
  expect_error("/api/v1/forecast?to=yesterday", 400, "to");
  expect_error("/api/v1/forecast?dimension=product&value=Z", 404, "product Z");
  expect_error("/api/v1/forecast?to=2020-01-01", 404, "no items");
}

TEST_F(ServeRoutes, KeywordsCountStoredItems) {
  Batch batch;
  batch.add(kMonday, "A", "negative", {"battery", "screen"});
  batch.add(kMonday + 1000, "A", "negative", {"battery"});
  batch.add(kMonday + 2000, "A", "positive", {"battery", "price"}, {"price"});
  batch.add(kMonday + 3000, "B", "negative", {"screen"});
  batch.add(kMonday + kDayMs, "A", "positive", {"screen"});
  add_batch(batch);

  const json product = get_json("/api/v1/keywords?dimension=product&value=A");
  EXPECT_EQ(product["items"], 4);
  ASSERT_EQ(product["keywords"].size(), 3U) << product.dump();
  EXPECT_EQ(product["keywords"][0], (json{{"word", "battery"}, {"count", 3}}));
  EXPECT_EQ(product["keywords"][1], (json{{"word", "screen"}, {"count", 2}}));
  EXPECT_EQ(product["keywords"][2], (json{{"word", "price"}, {"count", 1}}));

  const json negative = get_json("/api/v1/keywords?dimension=product&value=A&sentiment=negative&limit=1");
  EXPECT_EQ(negative["items"], 2);
  ASSERT_EQ(negative["keywords"].size(), 1U);
  EXPECT_EQ(negative["keywords"][0]["word"], "battery");
  EXPECT_EQ(negative["keywords"][0]["count"], 2);

  const json shop = get_json("/api/v1/keywords?to=" + std::to_string(kMonday + kDayMs));
  EXPECT_EQ(shop["items"], 4);
  EXPECT_EQ(shop["keywords"][0]["word"], "battery");
  const json aspect = get_json("/api/v1/keywords?dimension=aspect&value=price");
  EXPECT_EQ(aspect["items"], 1);
  // Only the newest item of A (a positive one about the screen) is counted.
  const json newest = get_json("/api/v1/keywords?dimension=product&value=A&max_items=1");
  EXPECT_EQ(newest["items"], 4);
  EXPECT_EQ(newest["scanned"], 1);
  ASSERT_EQ(newest["keywords"].size(), 1U) << newest.dump();
  EXPECT_EQ(newest["keywords"][0], (json{{"word", "screen"}, {"count", 1}}));
  EXPECT_EQ(product["scanned"], 4) << "the default sample is larger than A's items";
  expect_error("/api/v1/keywords?max_items=0", 400, "max_items");

  const json nothing = get_json("/api/v1/keywords?dimension=product&value=Z");
  EXPECT_EQ(nothing["items"], 0);
  EXPECT_TRUE(nothing["keywords"].empty());

  expect_error("/api/v1/keywords?dimension=product", 400, "value");
  expect_error("/api/v1/keywords?dimension=planet&value=x", 400, "dimension");
  expect_error("/api/v1/keywords?sentiment=angry", 400, "sentiment");
  expect_error("/api/v1/keywords?limit=0", 400, "limit");
  expect_error("/api/v1/keywords?from=2026-12-01&to=2026-11-01", 400, "from");
}

class ServeSearch : public ServeRoutes {
 protected:
  void SetUp() override {
    ServeRoutes::SetUp();
    const json items = {
        review("s1", "P1", "audio", "这款耳机的物流太慢了", kMonday),
        review("s2", "P2", "audio", "音质很好，包装也不错", kMonday + 1000),
        review("s3", "P3", "phones", "The Battery life is great and the screen is bright", kMonday + 2000),
        review("s4", "P1", "audio", "物流很快，耳机音质一般", kMonday + 3000),
    };
    const auto result = post("/api/v1/items", items);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
};

TEST_F(ServeSearch, FindsChineseWordInSentence) {
  EXPECT_EQ(search_ids("q=" + percent_encode("物流")), (std::vector<std::string>{"s1", "s4"}));
  EXPECT_EQ(search_ids("q=" + percent_encode("音质")), (std::vector<std::string>{"s2", "s4"}));
  // Every word must occur.
  EXPECT_EQ(search_ids("q=" + percent_encode("物流 太慢")), (std::vector<std::string>{"s1"}));
  EXPECT_TRUE(search_ids("q=" + percent_encode("冰箱")).empty());
}

TEST_F(ServeSearch, TraditionalFindsSimplified) {
  EXPECT_EQ(search_ids("q=" + percent_encode("耳機")), (std::vector<std::string>{"s1", "s4"}));
  EXPECT_EQ(search_ids("q=" + percent_encode("這款耳機")), (std::vector<std::string>{"s1"}));
}

TEST_F(ServeSearch, EnglishIgnoresCase) {
  EXPECT_EQ(search_ids("q=battery"), (std::vector<std::string>{"s3"}));
  EXPECT_EQ(search_ids("q=BATTERY"), (std::vector<std::string>{"s3"}));
  EXPECT_EQ(search_ids("q=Screen%20BRIGHT"), (std::vector<std::string>{"s3"}));
}

TEST_F(ServeSearch, CombinesWithFilters) {
  EXPECT_EQ(search_ids("q=" + percent_encode("物流") + "&product=P1"),
            (std::vector<std::string>{"s1", "s4"}));
  EXPECT_TRUE(search_ids("q=" + percent_encode("物流") + "&product=P2").empty());
  EXPECT_EQ(search_ids("q=" + percent_encode("物流") + "&to=" + std::to_string(kMonday + 1)),
            (std::vector<std::string>{"s1"}));
}

TEST_F(ServeSearch, SyntaxCharactersAreText) {
  // FTS5 operators and quotes in the query are words to find or are
  // dropped, never query syntax, so none of them errors or widens the search.
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"\"", {}},
      {"\"物流", {"s1", "s4"}},
      {"物流\"", {"s1", "s4"}},
      {"*", {}},
      {"物流*", {"s1", "s4"}},
      {"AND", {"s3"}},
      {"物流 AND 音质", {}},
      {"物流 OR 音质", {}},
      {"NOT 物流", {}},
      {"(", {}},
      {"(物流", {"s1", "s4"}},
      {"NEAR(物流 音质)", {}},
      {"text:物流", {}},
      {"^物流", {"s1", "s4"}},
      {"-物流", {"s1", "s4"}},
      {"物流 \" OR \"音质", {}},
      {"'); DROP TABLE items; --", {}},
  };
  for (const auto& [query, expected] : cases) {
    EXPECT_EQ(search_ids("q=" + percent_encode(query)), expected) << query;
  }
  EXPECT_EQ(store_->item_count(), 4);
}

TEST_F(ServeRoutes, AlertByFingerprint) {
  Batch batch;
  batch.add(kMonday + kHourMs, "P1/blue", "negative");
  add_batch(batch);
  const std::int64_t row = store_->items({}).at(0).row;
  // Fingerprints contain '|', and values may contain '/'.
  const std::string fingerprint = "negative_share|product|P1/blue||day|1793577600000";
  ASSERT_TRUE(store_->add_alert(sample_alert(fingerprint, {row})));
  ASSERT_TRUE(store_->add_alert(sample_alert("other|1", {})));

  const json alert = get_json("/api/v1/alerts/" + percent_encode(fingerprint));
  EXPECT_EQ(alert["fingerprint"], fingerprint);
  EXPECT_EQ(alert["value"], "P1/blue");
  EXPECT_EQ(alert["severity"], "critical");
  ASSERT_EQ(alert["example_items"].size(), 1U);
  EXPECT_EQ(alert["example_items"][0]["row"], row);

  // The same JSON as the entry of the list.
  const json list = get_json("/api/v1/alerts?value=" + percent_encode("P1/blue"));
  ASSERT_FALSE(list["alerts"].empty());
  for (const auto& entry : list["alerts"]) {
    if (entry["fingerprint"] == fingerprint) {
      EXPECT_EQ(entry, alert);
    }
  }

  const std::string encoded_slash = "/api/v1/alerts/negative_share%7Cproduct%7CP1%2Fblue%7C%7Cday%7C1793577600000";
  EXPECT_EQ(get_json(encoded_slash)["fingerprint"], fingerprint);
  expect_error("/api/v1/alerts/unknown%7C1", 404, "alert not found");
}

// Every route with optional from and to rejects a reversed or empty range,
// instead of returning an empty result.
TEST_F(ServeRoutes, ReversedRangeRejected) {
  for (const char* route : {"/api/v1/items", "/api/v1/alerts", "/api/v1/keywords", "/api/v1/forecast"}) {
    expect_error(std::string(route) + "?from=2026-12-10&to=2026-12-01", 400, "from: must be before to");
    expect_error(std::string(route) + "?from=2026-12-01&to=2026-12-01", 400, "from: must be before to");
  }
}

TEST_F(ServeRoutes, TopicsReturnsLatestRun) {
  const auto none = client_->Get("/api/v1/topics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(body_json(none), (json{{"error", "no topics saved; run shopsight topics --db"}}));

  store_->save_topics(R"({"items": 10, "topics": [], "computed_at": "first"})", kMonday);
  store_->save_topics(R"({"items": 12, "topics": [{"id": 1}], "computed_at": "second"})", kMonday - 1);
  const json latest = get_json("/api/v1/topics");
  EXPECT_EQ(latest["computed_at"], "second");
  EXPECT_EQ(latest["items"], 12);
  EXPECT_EQ(latest["topics"].size(), 1U);
}

// The debug request log names the route template, never the path, the query
// string or the token, for the new routes as for the old ones.
TEST_F(ServeRoutes, RequestLogLeavesOutQueriesAndTokens) {
  options_.token = "log-test-token-123";
  restart();
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = spdlog::default_logger();
  const auto level = logger->level();
  logger->sinks().push_back(sink);
  logger->set_level(spdlog::level::debug);
  for (const char* path : {"/api/v1/status", "/api/v1/forecast?dimension=product&value=secret-product",
                           "/api/v1/keywords?dimension=user&value=secret-user",
                           "/api/v1/items?q=secret-words", "/api/v1/alerts/secret-fingerprint",
                           "/api/v1/topics", "/api/v1/values?dimension=user&compare=previous",
                           "/secret-file.js?secret-query=1"}) {
    ASSERT_TRUE(client_->Get(path)) << path;
  }
  // The server logs a request after sending its response, so it must stop
  // before the sink goes; the client closes its keep-alive connection first.
  client_.reset();
  server_->stop();
  logger->flush();
  logger->sinks().pop_back();
  logger->set_level(level);

  const std::string log = captured.str();
  EXPECT_NE(log.find("/api/v1/forecast"), std::string::npos) << log;
  EXPECT_NE(log.find("/api/v1/alerts/{fingerprint}"), std::string::npos) << log;
  EXPECT_NE(log.find("GET dashboard 404"), std::string::npos) << log;
  EXPECT_EQ(log.find("secret"), std::string::npos) << log;
  EXPECT_EQ(log.find("log-test-token-123"), std::string::npos) << log;
  EXPECT_EQ(log.find('?'), std::string::npos) << log;
}

}  // namespace
}  // namespace shopsight::serve

// Forecasts read from a real in-memory store filled with hand-made items.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "forecast/forecast.h"

namespace shopsight::forecast {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kMonday = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

/// Items and analyses added to a store together.
struct Batch {
  std::vector<Item> items;
  std::vector<Analysis> analyses;

  void add(std::int64_t time, const std::string& product, const std::string& label,
           const std::vector<std::string>& aspects = {}) {
    Item item;
    item.id = "item-" + std::to_string(items.size());
    item.time = time;
    item.product = product;
    item.category = "washer";
    item.user = "user-" + std::to_string(items.size() % 5);
    item.text = "text " + item.id;
    Analysis analysis;
    analysis.language = "en";
    analysis.masked_text = item.text;
    analysis.sentiment.label = label;
    analysis.sentiment.score = label == "negative" ? -0.8f : 0.8f;
    for (const auto& category : aspects) analysis.aspects.push_back({category, "", -1, -1, "", -1, -1, label});
    items.push_back(std::move(item));
    analyses.push_back(std::move(analysis));
  }
};

std::unique_ptr<store::Store> open_store(const Batch& batch, const std::string& bucket_timezone = "") {
  store::StoreOptions options;
  options.path = ":memory:";
  options.bucket_timezone = bucket_timezone;
  auto store = std::make_unique<store::Store>(options);
  if (!batch.items.empty()) store->add(batch.items, batch.analyses, true);
  return store;
}

// Eight weeks in which day d of the week has 2 + 2*d items of product A and
// one item of product B, every third item negative and every other one
// mentioning price.
Batch weekly_batch() {
  Batch batch;
  for (int day = 0; day < 56; ++day) {
    const int count = 2 + 2 * (day % 7);
    for (int i = 0; i < count; ++i) {
      const std::int64_t time = kMonday + day * kDay + i * 60'000;
      batch.add(time, "A", i % 3 == 0 ? "negative" : "positive",
                i % 2 == 0 ? std::vector<std::string>{"price"} : std::vector<std::string>{});
    }
    batch.add(kMonday + day * kDay + 3'600'000, "B", "positive");
  }
  return batch;
}

TEST(ForecastStore, WeeklyShopVolume) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.horizon = 7;
  const auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  const ValueForecast& result = forecasts[0];
  EXPECT_EQ(result.history.size(), 56u);
  EXPECT_EQ(result.history_start, kMonday);
  EXPECT_EQ(result.forecast_start, kMonday + 56 * kDay);
  EXPECT_EQ(result.result.fit.method, Method::holt_winters);
  ASSERT_EQ(result.result.points.size(), 7u);
  for (int h = 0; h < 7; ++h) {
    EXPECT_NEAR(result.result.points[h].mean, 3 + 2 * h, 0.5) << "h=" << h + 1;
  }
  EXPECT_EQ(result.result.backtest.holdout, 7);
  // The weeks repeat exactly, so the seasonal naive error that scales MASE
  // is zero and MASE is undefined; MAPE still measures the fit.
  EXPECT_FALSE(result.result.backtest.mase.has_value());
  ASSERT_TRUE(result.result.backtest.mape.has_value());
  EXPECT_LT(*result.result.backtest.mape, 5.0);
}

TEST(ForecastStore, TopProductsByVolume) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.dimension = "product";
  query.top = 1;
  auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  EXPECT_EQ(forecasts[0].value, "A");

  query.top = 10;
  forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 2u);
  EXPECT_EQ(forecasts[1].value, "B");
  for (double volume : forecasts[1].history) EXPECT_DOUBLE_EQ(volume, 1.0);
}

TEST(ForecastStore, NegativeShareStaysInUnitInterval) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.measure = *parse_measure("negative_share");
  query.horizon = 14;
  const auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  for (double share : forecasts[0].history) {
    EXPECT_GT(share, 0.0);
    EXPECT_LT(share, 1.0);
  }
  for (const Point& point : forecasts[0].result.points) {
    EXPECT_GE(point.lower, 0.0);
    EXPECT_LE(point.upper, 1.0);
  }
}

TEST(ForecastStore, AspectMentionsPerBucket) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.measure = *parse_measure("aspect:price");
  query.dimension = "product";
  query.value = "A";
  const auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  // Day d of the week has 2 + 2d items, half of them mentioning price.
  for (std::size_t day = 0; day < forecasts[0].history.size(); ++day) {
    EXPECT_DOUBLE_EQ(forecasts[0].history[day], static_cast<double>(1 + day % 7)) << "day " << day;
  }
}

TEST(ForecastStore, OpenBucketLeftOut) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.horizon = 7;
  // The clock is inside the last day, so that day is still filling.
  query.now = kMonday + 55 * kDay + 12 * 3'600'000;
  const auto open = forecast(*store, query);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].history.size(), 55u);
  EXPECT_EQ(open[0].forecast_start, kMonday + 55 * kDay);

  // Once the clock leaves that day, it counts as complete.
  query.now = kMonday + 56 * kDay;
  const auto closed = forecast(*store, query);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].history.size(), 56u);
  EXPECT_EQ(closed[0].forecast_start, kMonday + 56 * kDay);

  // Items dated after the clock: no bucket is filling.
  query.now = kMonday - kDay;
  EXPECT_EQ(forecast(*store, query).at(0).history.size(), 56u);
}

TEST(ForecastStore, OnlyOpenBucketIsKept) {
  Batch batch;
  batch.add(kMonday + 3'600'000, "A", "positive");
  batch.add(kMonday + 7'200'000, "A", "negative");
  const auto store = open_store(batch);
  Query query;
  query.horizon = 2;
  query.now = kMonday + 8 * 3'600'000;
  const auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  EXPECT_EQ(forecasts[0].history.size(), 1u);
  EXPECT_EQ(forecasts[0].forecast_start, kMonday + kDay);
}

TEST(ForecastStore, HistoryLimit) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.max_history = 14;
  const auto forecasts = forecast(*store, query);
  ASSERT_EQ(forecasts.size(), 1u);
  EXPECT_EQ(forecasts[0].history.size(), 14u);
  EXPECT_EQ(forecasts[0].history_start, kMonday + 42 * kDay);
}

TEST(ForecastStore, InvalidQueriesThrow) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.dimension = "colour";
  EXPECT_THROW(forecast(*store, query), Error);
  query.dimension = "product";
  query.value = "no such product";
  EXPECT_THROW(forecast(*store, query), Error);
  query.value = "A";
  query.horizon = 0;
  EXPECT_THROW(forecast(*store, query), Error);
}

TEST(ForecastStore, UnknownAspectNamesKnownOnes) {
  Batch batch = weekly_batch();
  batch.add(kMonday + 3 * kDay, "A", "negative", {"battery_life"});
  const auto store = open_store(batch);
  Query query;
  query.measure = *parse_measure("aspect:bogus");
  try {
    forecast(*store, query);
    FAIL() << "aspect:bogus was accepted";
  } catch (const UnknownAspectError& error) {
    EXPECT_EQ(error.aspect(), "bogus");
    const auto& known = error.known();
    EXPECT_NE(std::find(known.begin(), known.end(), "price"), known.end());
    EXPECT_NE(std::find(known.begin(), known.end(), "logistics"), known.end()) << "standard, though not stored";
    EXPECT_NE(std::find(known.begin(), known.end(), "battery_life"), known.end()) << "a lexicon's own category";
    EXPECT_NE(std::string(error.what()).find("logistics"), std::string::npos) << error.what();
  }

  // A category of the store's items is known even when it is not a standard one.
  query.measure = *parse_measure("aspect_negative:battery_life");
  EXPECT_EQ(forecast(*store, query).size(), 1u);
}

TEST(ForecastStore, EmptyStoreThrows) {
  const auto store = open_store({});
  EXPECT_THROW(forecast(*store, Query{}), Error);
}

TEST(ForecastStore, JsonCarriesFitAndBacktest) {
  const auto store = open_store(weekly_batch());
  Query query;
  query.horizon = 3;
  const nlohmann::json json = to_json(forecast(*store, query).at(0));
  EXPECT_EQ(json["method"], "holt_winters");
  EXPECT_EQ(json["period"], 7);
  EXPECT_EQ(json["measure"], "volume");
  ASSERT_EQ(json["forecast"].size(), 3u);
  EXPECT_EQ(json["forecast"][0]["start"], "2024-02-26T00:00:00Z");
  EXPECT_TRUE(json["parameters"].contains("alpha"));
  EXPECT_TRUE(json["backtest"]["mase"].is_null());
  EXPECT_TRUE(json["backtest"]["mape"].is_number());
  EXPECT_FALSE(format_text(forecast(*store, query).at(0)).empty());
}

TEST(ForecastStore, BucketTimesAtStoreOffset) {
  // The items lie at 08:00 to 09:00 in Shanghai, so the local days are the UTC days.
  const auto store = open_store(weekly_batch(), "Asia/Shanghai");
  Query query;
  query.horizon = 1;
  const ValueForecast volume = forecast(*store, query).at(0);
  const nlohmann::json json = to_json(volume);
  EXPECT_EQ(json["history_start"], "2024-01-01T00:00:00+08:00");
  EXPECT_EQ(json["forecast"][0]["start"], "2024-02-26T00:00:00+08:00");
  EXPECT_NE(format_text(volume).find("2024-02-26T00:00:00+08:00"), std::string::npos) << format_text(volume);
}

// Every translated line must format with the same arguments as the English one.
// A product three days old: 40, 30 and 20 items, 12, 6 and 1 of them negative.
Batch young_batch() {
  Batch batch;
  const int counts[] = {40, 30, 20};
  const int negatives[] = {12, 6, 1};
  for (int day = 0; day < 3; ++day) {
    for (int i = 0; i < counts[day]; ++i) {
      batch.add(kMonday + day * kDay + i * 60'000, "young", i < negatives[day] ? "negative" : "positive");
    }
  }
  return batch;
}

TEST(ForecastStore, YoungProductIsWarnedAndUncertain) {
  const auto store = open_store(young_batch());
  Query query;
  query.horizon = 4;
  query.now = kMonday + 10 * kDay;
  const ValueForecast volume = forecast(*store, query).at(0);
  EXPECT_EQ(volume.result.fit.method, Method::level);
  for (const Point& point : volume.result.points) {
    EXPECT_GT(point.mean, 10.0);
    EXPECT_GT(point.upper - point.lower, 10.0);
  }
  const nlohmann::json json = to_json(volume);
  ASSERT_EQ(json["warnings"].size(), 1u);
  EXPECT_EQ(json["warnings"][0]["code"], "short_history");
  EXPECT_EQ(json["warnings"][0]["minimum_buckets"], 14);
  const std::string text = format_text(volume);
  EXPECT_NE(text.find("warning: only 3 observed buckets, fewer than the 14"), std::string::npos) << text;

  query.measure.kind = Measure::Kind::negative_share;
  const ValueForecast share = forecast(*store, query).at(0);
  for (const Point& point : share.result.points) {
    EXPECT_GT(point.mean, 0.05);
    EXPECT_GT(point.upper, point.mean);
  }
}

TEST(ForecastStore, OneBucketHasAnInterval) {
  Batch batch;
  for (int i = 0; i < 10; ++i) batch.add(kMonday + i * 60'000, "A", "positive");
  const auto store = open_store(batch);
  Query query;
  query.horizon = 1;
  query.now = kMonday + 2 * kDay;
  const ValueForecast result = forecast(*store, query).at(0);
  ASSERT_EQ(result.result.points.size(), 1u);
  EXPECT_LT(result.result.points[0].lower, 5.0);
  EXPECT_GT(result.result.points[0].upper, 15.0);
  const std::string text = format_text(result);
  EXPECT_NE(text.find("over 1 bucket from"), std::string::npos) << text;
  EXPECT_NE(text.find("warning: only 1 observed bucket"), std::string::npos) << text;
}

// Two weeks at a negative share of 0.25 and two at 0.35, a shift that makes
// the fit follow recent days, then a day of 2 positive items: that day must
// not pull the forecast of the share down.
TEST(ForecastStore, SmallDayBarelyMovesTheShare) {
  Batch batch;
  for (int day = 0; day < 28; ++day) {
    if (day >= 20 && day < 23) continue;  // empty days repeat the last share
    for (int i = 0; i < 40; ++i) {
      batch.add(kMonday + day * kDay + i * 60'000, "A", i < (day < 14 ? 10 : 14) ? "negative" : "positive");
    }
  }
  batch.add(kMonday + 28 * kDay, "A", "positive");
  batch.add(kMonday + 28 * kDay + 60'000, "A", "positive");
  const auto store = open_store(batch);
  Query query;
  query.measure.kind = Measure::Kind::negative_share;
  query.horizon = 3;
  query.now = kMonday + 40 * kDay;
  const ValueForecast result = forecast(*store, query).at(0);
  ASSERT_EQ(result.history.size(), 29u);
  EXPECT_DOUBLE_EQ(result.history.back(), 0.0);
  for (const Point& point : result.result.points) EXPECT_NEAR(point.mean, 0.35, 0.04);
}

TEST(ForecastStore, TextInChinese) {
  const auto store = open_store(weekly_batch());
  const ValueForecast result = forecast(*store, Query{}).at(0);
  set_language(Language::zh);
  std::string text;
  EXPECT_NO_THROW(text = format_text(result));
  set_language(Language::en);
  EXPECT_NE(text.find("参数"), std::string::npos) << text;
  EXPECT_NE(text.find("回测"), std::string::npos) << text;

  // The heading of each column ends where its numbers end, by display width.
  const std::size_t heading = text.find("时间桶起点");
  ASSERT_NE(heading, std::string::npos) << text;
  const std::size_t heading_end = text.find('\n', heading);
  const std::string heading_line = text.substr(heading, heading_end - heading);
  const std::size_t row_end = text.find('\n', heading_end + 1);
  const std::string first_row = text.substr(heading_end + 1, row_end - heading_end - 1);
  EXPECT_EQ(utf8::display_width(heading_line), utf8::display_width(first_row)) << heading_line << "\n" << first_row;
}

}  // namespace
}  // namespace shopsight::forecast

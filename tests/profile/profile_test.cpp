// Profiles and recommendations read from a real in-memory store.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "profile/profile.h"

namespace shopsight::profile {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

/// One hand-made review.
struct Review {
  std::string user;
  std::string product;
  int day = 0;
  std::string label;
  std::string aspect;
  std::string keyword;
};

std::unique_ptr<store::Store> open_store(const std::vector<Review>& reviews) {
  std::vector<Item> items;
  std::vector<Analysis> analyses;
  for (const Review& review : reviews) {
    Item item;
    item.id = "review-" + std::to_string(items.size());
    item.time = kStart + review.day * kDay + static_cast<std::int64_t>(items.size()) * 1000;
    item.user = review.user;
    item.product = review.product;
    item.category = review.product == "P2" ? "dryer" : "washer";
    item.text = "review text " + item.id;
    Analysis analysis;
    analysis.language = "en";
    analysis.masked_text = item.text;
    analysis.sentiment.label = review.label;
    analysis.sentiment.score = review.label == "negative" ? -0.6f : 0.8f;
    analysis.aspects.push_back({review.aspect, "", -1, -1, "", -1, -1, review.label});
    analysis.keywords.push_back({review.keyword, 1.0f});
    items.push_back(std::move(item));
    analyses.push_back(std::move(analysis));
  }
  store::StoreOptions options;
  options.path = ":memory:";
  auto store = std::make_unique<store::Store>(options);
  store->add(items, analyses, true);
  return store;
}

// Alice reviews P1 and talks about price; the rest of the shop mostly talks
// about quality. P3 is the product other reviewers discuss for its price.
std::vector<Review> shop_reviews() {
  std::vector<Review> reviews;
  for (int i = 0; i < 4; ++i) {
    reviews.push_back({"alice", "P1", i < 2 ? 0 : i, i == 3 ? "positive" : "negative", "price", "cheap"});
  }
  for (int i = 0; i < 5; ++i) {
    reviews.push_back({"bob", "P2", i, "positive", "quality", "sturdy"});
    reviews.push_back({"bob", "P3", i, "positive", "price", "cheap"});
  }
  for (int i = 0; i < 10; ++i) reviews.push_back({"carol", i % 2 == 0 ? "P2" : "P3", i, "positive", "quality", "quiet"});
  reviews.push_back({"dave", "P4", 1, "positive", "price", "cheap"});
  reviews.push_back({"dave", "P4", 2, "positive", "price", "cheap"});
  return reviews;
}

TEST(ProfileUser, Activity) {
  const auto store = open_store(shop_reviews());
  const UserProfile profile = user_profile(*store, "alice");
  EXPECT_EQ(profile.user, "alice");
  EXPECT_EQ(profile.items, 4);
  EXPECT_EQ(profile.active_days, 3);
  EXPECT_EQ(profile.first_time, kStart);
  EXPECT_EQ(profile.last_time, kStart + 3 * kDay + 3000);
  ASSERT_EQ(profile.products.size(), 1u);
  EXPECT_EQ(profile.products[0].name, "P1");
  EXPECT_EQ(profile.products[0].count, 4);
  ASSERT_EQ(profile.categories.size(), 1u);
  EXPECT_EQ(profile.categories[0].name, "washer");
  ASSERT_EQ(profile.channels.size(), 1u);
  EXPECT_EQ(profile.channels[0].name, "review");
}

TEST(ProfileUser, SentimentAgainstShop) {
  const auto store = open_store(shop_reviews());
  const UserProfile profile = user_profile(*store, "alice");
  EXPECT_NEAR(profile.sentiment.mean_score, (3 * -0.6 + 0.8) / 4, 1e-6);
  EXPECT_DOUBLE_EQ(profile.sentiment.negative_share, 0.75);
  EXPECT_NEAR(profile.sentiment.shop_negative_share, 3.0 / 26, 1e-9);
  EXPECT_EQ(profile.sentiment.tendency, "critical");
  EXPECT_EQ(user_profile(*store, "bob").sentiment.tendency, "typical");
  // Dave's two items are too few to judge his tendency.
  EXPECT_EQ(user_profile(*store, "dave").sentiment.tendency, "undetermined");
}

TEST(ProfileUser, PriceSensitiveLabel) {
  const auto store = open_store(shop_reviews());
  const UserProfile profile = user_profile(*store, "alice");
  ASSERT_EQ(profile.aspects.size(), 1u);
  const AspectInterest& price = profile.aspects[0];
  EXPECT_EQ(price.category, "price");
  EXPECT_EQ(price.mentions, 4);
  EXPECT_EQ(price.negative, 3);
  EXPECT_DOUBLE_EQ(price.share, 1.0);
  // 11 of the shop's 26 mentions are about price.
  EXPECT_NEAR(price.shop_share, 11.0 / 26, 1e-9);
  EXPECT_NEAR(price.lift, 26.0 / 11, 1e-9);
  ASSERT_EQ(profile.labels.size(), 1u);
  EXPECT_EQ(profile.labels[0], "price-sensitive");
}

TEST(ProfileUser, NoLabelBelowLift) {
  const auto store = open_store(shop_reviews());
  // Carol talks only about quality, which is 15 of 26 shop mentions: lift 1.73.
  const UserProfile carol = user_profile(*store, "carol");
  EXPECT_EQ(carol.labels, std::vector<std::string>{"quality-focused"});
  // Bob splits evenly between price and quality, close to the shop's mix.
  EXPECT_TRUE(user_profile(*store, "bob").labels.empty());
}

// Frank makes 98 quality mentions and 2 smell mentions; the shop's smell
// share is 5 in 400. His smell lift is 1.6, but 2 mentions are what 100
// mentions at the shop's share give about one time in three.
TEST(ProfileUser, NoLabelFromChanceMentions) {
  std::vector<Review> reviews;
  for (int i = 0; i < 100; ++i) reviews.push_back({"frank", "P1", i % 30, "positive", i < 2 ? "smell" : "quality", "fine"});
  for (int i = 0; i < 300; ++i) {
    reviews.push_back({"other" + std::to_string(i % 40), "P2", i % 30, "positive", i < 3 ? "smell" : "quality", "ok"});
  }
  const auto store = open_store(reviews);
  const UserProfile profile = user_profile(*store, "frank");
  const auto smell = std::find_if(profile.aspects.begin(), profile.aspects.end(),
                                  [](const AspectInterest& interest) { return interest.category == "smell"; });
  ASSERT_NE(smell, profile.aspects.end());
  EXPECT_NEAR(smell->lift, 1.6, 1e-9);
  EXPECT_GT(smell->p_value, 0.3);
  EXPECT_TRUE(smell->label.empty());
  EXPECT_TRUE(profile.labels.empty());
  // The shares show the difference that the lift rests on.
  const std::string text = format_text(profile);
  EXPECT_NE(text.find("2 mentions (100% positive, 0% negative), 2% of the user's mentions against 1."),
            std::string::npos)
      << text;
}

TEST(ProfileText, SingularCounts) {
  std::vector<Review> reviews = shop_reviews();
  reviews.push_back({"gina", "P2", 1, "positive", "quality", "quiet"});
  const auto store = open_store(reviews);
  const std::string text = format_text(user_profile(*store, "gina"));
  EXPECT_NE(text.find(": 1 item from "), std::string::npos) << text;
  EXPECT_NE(text.find(" on 1 active day\n"), std::string::npos) << text;
  EXPECT_NE(text.find("quality: 1 mention ("), std::string::npos) << text;
  set_language(Language::zh);
  const std::string chinese = format_text(user_profile(*store, "gina"));
  set_language(Language::en);
  EXPECT_NE(chinese.find("渠道：评论 (1)"), std::string::npos) << chinese;
}

TEST(ProfileUser, TopKeywords) {
  const auto store = open_store(shop_reviews());
  const UserProfile profile = user_profile(*store, "bob");
  ASSERT_EQ(profile.keywords.size(), 2u);
  EXPECT_EQ(profile.keywords[0].count, 5);
}

TEST(ProfileUser, UnknownUserThrows) {
  const auto store = open_store(shop_reviews());
  EXPECT_THROW(user_profile(*store, "mallory"), Error);
  EXPECT_THROW(recommend(*store, "mallory", 3), Error);
}

TEST(ProfileRecommend, PrefersMatchingProduct) {
  const auto store = open_store(shop_reviews());
  const std::vector<Recommendation> result = recommend(*store, "alice", 5);
  // P1 is already reviewed and P4 has too few items.
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(result[0].product, "P3");
  EXPECT_EQ(result[1].product, "P2");
  EXPECT_GT(result[0].similarity, result[1].similarity);
  EXPECT_GT(result[0].score, result[1].score);
  EXPECT_NEAR(result[0].score, 0.7 * result[0].similarity + 0.3 * (result[0].mean_score + 1) / 2, 1e-9);
  EXPECT_DOUBLE_EQ(result[0].positive_share, 1.0);
  EXPECT_EQ(result[0].explanation, "matches your interest in price and \"cheap\"; 100% positive");
}

TEST(ProfileRecommend, TopLimitsCount) {
  const auto store = open_store(shop_reviews());
  EXPECT_EQ(recommend(*store, "alice", 1).size(), 1u);
  // Bob reviewed P2 and P3, which leaves P1.
  const std::vector<Recommendation> for_bob = recommend(*store, "bob", 5);
  ASSERT_EQ(for_bob.size(), 1u);
  EXPECT_EQ(for_bob[0].product, "P1");
}

TEST(ProfileRecommend, ExplanationSkipsAspectsBelowShopAverage) {
  // Erin mentions quality once in four reviews, a lift of about 0.47, and
  // price three times, a lift of about 1.6.
  std::vector<Review> reviews = shop_reviews();
  reviews.push_back({"erin", "P5", 1, "positive", "quality", "sturdy"});
  for (int i = 0; i < 3; ++i) reviews.push_back({"erin", "P5", 2 + i, "positive", "price", "cheap"});
  const auto store = open_store(reviews);
  const UserProfile profile = user_profile(*store, "erin");
  const auto quality = std::find_if(profile.aspects.begin(), profile.aspects.end(),
                                    [](const AspectInterest& interest) { return interest.category == "quality"; });
  ASSERT_NE(quality, profile.aspects.end());
  ASSERT_LT(quality->lift, 1.0);

  const std::vector<Recommendation> result = recommend(*store, "erin", 5);
  const auto dryer = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "P2"; });
  ASSERT_NE(dryer, result.end());
  EXPECT_GT(dryer->similarity, 0.0);
  EXPECT_EQ(dryer->explanation, "matches your interest in \"sturdy\"; 100% positive");
  EXPECT_EQ(std::find(dryer->matched.begin(), dryer->matched.end(), "aspect:quality"), dryer->matched.end());
}

// PE is discussed for its price, but as too expensive; PB's price is
// praised. A price-minded user must be sent to PB for the price, not to PE.
TEST(ProfileRecommend, MatchesOnlyPraisedAspects) {
  std::vector<Review> reviews = shop_reviews();
  for (int i = 0; i < 6; ++i) reviews.push_back({"other", "PE", i, "negative", "price", i < 3 ? "price" : "expensive"});
  reviews.push_back({"alice", "P1", 5, "positive", "price", "price"});
  reviews.push_back({"other", "PE", 7, "positive", "quality", "sturdy"});
  for (int i = 0; i < 4; ++i) reviews.push_back({"other", "PB", i, "positive", "price", "cheap"});
  const auto store = open_store(reviews);
  const std::vector<Recommendation> result = recommend(*store, "alice", 10);
  const auto expensive = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "PE"; });
  const auto cheap = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "PB"; });
  ASSERT_NE(expensive, result.end());
  ASSERT_NE(cheap, result.end());
  EXPECT_EQ(std::find(expensive->matched.begin(), expensive->matched.end(), "aspect:price"), expensive->matched.end());
  EXPECT_EQ(expensive->explanation.find("price"), std::string::npos) << expensive->explanation;
  EXPECT_NE(std::find(cheap->matched.begin(), cheap->matched.end(), "aspect:price"), cheap->matched.end());
  // Reviewers of PE use the word "price" in complaints only.
  EXPECT_EQ(std::find(expensive->matched.begin(), expensive->matched.end(), "keyword:price"), expensive->matched.end());
  EXPECT_GT(cheap->score, expensive->score);
}

// Hank praises quality with the keyword "quality" itself, and so do the
// reviewers of PQ.
std::vector<Review> quality_word_reviews() {
  std::vector<Review> reviews = shop_reviews();
  for (int i = 0; i < 3; ++i) reviews.push_back({"hank", "P1", i, "positive", "quality", "quality"});
  reviews.push_back({"hank", "P1", 4, "positive", "quality", "quiet"});
  for (int i = 0; i < 4; ++i) reviews.push_back({"other", "PQ", i, "positive", "quality", i < 2 ? "quality" : "quiet"});
  return reviews;
}

// The explanation names the word once, then the next feature.
TEST(ProfileRecommend, ExplanationNamesAWordOnce) {
  const auto store = open_store(quality_word_reviews());
  const std::vector<Recommendation> result = recommend(*store, "hank", 10);
  const auto product = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "PQ"; });
  ASSERT_NE(product, result.end());
  EXPECT_EQ(product->matched, (std::vector<std::string>{"aspect:quality", "keyword:quiet"}));
  EXPECT_EQ(product->explanation, "matches your interest in quality and \"quiet\"; 100% positive");
}

// The same with Chinese output: the English keyword "quality" is the
// category 质量 too, so it is not named beside it.
TEST(ProfileRecommend, ChineseNamesEnglishWordOnce) {
  const auto store = open_store(quality_word_reviews());
  set_language(Language::zh);
  const std::vector<Recommendation> result = recommend(*store, "hank", 10);
  set_language(Language::en);
  const auto product = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "PQ"; });
  ASSERT_NE(product, result.end());
  EXPECT_EQ(product->matched, (std::vector<std::string>{"aspect:quality", "keyword:quiet"}));
  EXPECT_EQ(product->explanation.find("\"quality\""), std::string::npos) << product->explanation;
}

// Reviewers of PE write 价格 in complaints only, so English output must not
// name the Chinese keyword either.
TEST(ProfileRecommend, ChineseComplaintWordNotMatched) {
  std::vector<Review> reviews = shop_reviews();
  for (int i = 0; i < 6; ++i) reviews.push_back({"other", "PE", i, "negative", "price", "价格"});
  reviews.push_back({"alice", "P1", 5, "positive", "price", "价格"});
  reviews.push_back({"other", "PE", 7, "positive", "quality", "sturdy"});
  const auto store = open_store(reviews);
  const std::vector<Recommendation> result = recommend(*store, "alice", 10);
  const auto expensive = std::find_if(result.begin(), result.end(), [](const auto& r) { return r.product == "PE"; });
  ASSERT_NE(expensive, result.end());
  EXPECT_EQ(std::find(expensive->matched.begin(), expensive->matched.end(), "keyword:价格"), expensive->matched.end());
  EXPECT_EQ(expensive->explanation.find("价格"), std::string::npos) << expensive->explanation;
}

TEST(ProfileRecommend, ExplanationInChinese) {
  const auto store = open_store(shop_reviews());
  set_language(Language::zh);
  const std::vector<Recommendation> result = recommend(*store, "alice", 1);
  set_language(Language::en);
  ASSERT_EQ(result.size(), 1u);
  EXPECT_NE(result[0].explanation.find("价格"), std::string::npos) << result[0].explanation;
  EXPECT_NE(result[0].explanation.find("100% 正面"), std::string::npos) << result[0].explanation;
}

TEST(ProfileJson, ProfileFields) {
  const auto store = open_store(shop_reviews());
  const nlohmann::json json = to_json(user_profile(*store, "alice"));
  EXPECT_EQ(json["user"], "alice");
  EXPECT_EQ(json["activity"]["items"], 4);
  EXPECT_EQ(json["activity"]["first_time"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(json["sentiment"]["tendency"], "critical");
  EXPECT_EQ(json["aspects"][0]["label"], "price-sensitive");
  EXPECT_EQ(json["keywords"][0]["name"], "cheap");
}

TEST(ProfileJson, RecommendationFields) {
  const auto store = open_store(shop_reviews());
  const nlohmann::json json = to_json(recommend(*store, "alice", 2));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["product"], "P3");
  EXPECT_EQ(json[0]["category"], "washer");
  EXPECT_TRUE(json[0]["score"].is_number());
  ASSERT_EQ(json[0]["matched"].size(), 2u);
  EXPECT_EQ(json[0]["matched"][0], "aspect:price");
  EXPECT_EQ(json[0]["matched"][1], "keyword:cheap");
}

TEST(ProfileExport, OneLinePerUser) {
  const auto store = open_store(shop_reviews());
  std::ostringstream out;
  EXPECT_EQ(export_profiles(*store, out), 4);
  std::istringstream lines(out.str());
  std::vector<std::string> users;
  for (std::string line; std::getline(lines, line);) users.push_back(nlohmann::json::parse(line)["user"]);
  // Bob and Carol tie on volume, so only the set of the first two is fixed.
  ASSERT_EQ(users.size(), 4u);
  std::sort(users.begin(), users.begin() + 2);
  EXPECT_EQ(users, (std::vector<std::string>{"bob", "carol", "alice", "dave"}));
}

TEST(ProfileText, NamesLabelAndTendency) {
  const auto store = open_store(shop_reviews());
  const std::string text = format_text(user_profile(*store, "alice"));
  EXPECT_NE(text.find("price-sensitive"), std::string::npos) << text;
  EXPECT_NE(text.find("more critical than the shop average"), std::string::npos) << text;
}

TEST(ProfileText, FormatsInChinese) {
  const auto store = open_store(shop_reviews());
  const UserProfile profile = user_profile(*store, "alice");
  const std::vector<Recommendation> recommendations = recommend(*store, "alice", 2);
  set_language(Language::zh);
  std::string text;
  EXPECT_NO_THROW(text = format_text(profile) + format_text(recommendations));
  set_language(Language::en);
  EXPECT_NE(text.find("价格敏感"), std::string::npos) << text;
  EXPECT_NE(text.find("比全店平均更挑剔"), std::string::npos) << text;
}

}  // namespace
}  // namespace shopsight::profile

// Routes of /api/v1 against a real server and store: success and error cases.

#include <set>
#include <thread>
#include <vector>

#include "serve_fixture.h"
#include "support/user_alert.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;
// 2026-11-01T00:00:00Z, a fixed day so that bucket boundaries are known.
constexpr std::int64_t kNovember1 = 1793491200000;

const char* const kNegative = "质量太差了，用了两天就坏了，非常失望";
const char* const kPositive = "质量很好，物流很快，非常满意";

class ServeApi : public ServeTest {
 protected:
  // Stores three reviews of P1 and one of P2 on November 1 and 2.
  void add_sample_items() {
    const json items = {review("a1", "P1", "phones", kNegative, kNovember1 + 3600 * 1000),
                        review("a2", "P1", "phones", kNegative, kNovember1 + 2 * 3600 * 1000),
                        review("a3", "P1", "phones", kPositive, kNovember1 + kDayMs),
                        review("a4", "P2", "shoes", kPositive, kNovember1 + kDayMs + 1000)};
    const auto result = post("/api/v1/items", items);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
};

TEST_F(ServeApi, HealthzAnswersOk) {
  const auto result = client_->Get("/healthz");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(body_json(result)["status"], "ok");
}

TEST_F(ServeApi, AnalyzeReturnsAnalyses) {
  const json items = {{"items", {review("x1", "P1", "phones", kNegative, kNovember1), {{"text", kPositive}}}}};
  const auto result = post("/api/v1/analyze", items);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = body_json(result);
  ASSERT_EQ(body["analyses"].size(), 2U);
  const json& first = body["analyses"][0];
  EXPECT_EQ(first["id"], "x1");
  EXPECT_EQ(first["product"], "P1");
  EXPECT_EQ(first["time"], "2026-11-01T00:00:00.000Z");
  EXPECT_EQ(first["sentiment"]["label"], "negative");
  EXPECT_EQ(body["analyses"][1]["sentiment"]["label"], "positive");
  EXPECT_TRUE(first["aspects"].is_array());
  EXPECT_TRUE(first["keywords"].is_array());
  EXPECT_EQ(first["language"], "zh");
  EXPECT_EQ(store_->item_count(), 0) << "analyze must not store";
}

TEST_F(ServeApi, AnalyzeMasksPersonalData) {
  const auto result = post("/api/v1/analyze", json::array({{{"text", "联系我 13812345678，质量很差"}}}));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const std::string text = body_json(result)["analyses"][0]["text"];
  EXPECT_EQ(text.find("13812345678"), std::string::npos) << text;
}

TEST_F(ServeApi, AnalyzeShowsTheStoredPseudonym) {
  const auto result = post("/api/v1/analyze", json::array({{{"text", kNegative}, {"user", "13812345678"}},
                                                           {{"text", kPositive}, {"user", "alice"}}}));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = body_json(result);
  const std::string pseudonym = store_->stored_user("13812345678");
  ASSERT_TRUE(pseudonym.starts_with("user-")) << pseudonym;
  EXPECT_EQ(body["analyses"][0]["user"], pseudonym) << "the user as the store and the other routes show it";
  EXPECT_EQ(body["analyses"][1]["user"], "alice");
  EXPECT_EQ(result->body.find("13812345678"), std::string::npos) << result->body;
}

TEST_F(ServeApi, AnalyzeRejectsInvalidBodies) {
  const auto not_json = client_->Post("/api/v1/analyze", "{not json", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_TRUE(body_json(not_json).contains("error"));

  const auto no_text = post("/api/v1/analyze", json::array({{{"text", "好"}}, {{"id", "2"}}}));
  ASSERT_TRUE(no_text);
  EXPECT_EQ(no_text->status, 400);
  const std::string message = body_json(no_text)["error"];
  EXPECT_NE(message.find("items[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("text"), std::string::npos) << message;

  const auto bad_time = post("/api/v1/analyze", json::array({{{"text", "好"}, {"time", "yesterday"}}}));
  ASSERT_TRUE(bad_time);
  EXPECT_EQ(bad_time->status, 400);

  const auto bad_channel = post("/api/v1/analyze", json::array({{{"text", "好"}, {"channel", "fax"}}}));
  ASSERT_TRUE(bad_channel);
  EXPECT_EQ(bad_channel->status, 400);
}

TEST_F(ServeApi, AddItemsIsIdempotent) {
  const json items = json::array({review("i1", "P1", "phones", kNegative, kNovember1),
                                  review("i2", "P1", "phones", kPositive, kNovember1 + 1000)});
  const auto first = post("/api/v1/items", items);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(body_json(first)["added"], 2);
  EXPECT_EQ(body_json(first)["duplicates"], 0);

  const auto again = post("/api/v1/items", items);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(body_json(again)["added"], 0);
  EXPECT_EQ(body_json(again)["duplicates"], 2);
  EXPECT_EQ(store_->item_count(), 2);
}

TEST_F(ServeApi, AddItemsWithoutIdDeduplicates) {
  const json items = json::array({{{"text", kPositive}, {"time", "2026-11-01T08:00:00Z"}}});
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);
  const auto again = post("/api/v1/items", items);
  ASSERT_TRUE(again);
  EXPECT_EQ(body_json(again)["duplicates"], 1);
  EXPECT_EQ(store_->item_count(), 1);
}

TEST_F(ServeApi, SearchItemsFiltersAndPages) {
  add_sample_items();
  const auto by_product = client_->Get("/api/v1/items?product=P1");
  ASSERT_TRUE(by_product);
  ASSERT_EQ(by_product->status, 200) << by_product->body;
  EXPECT_EQ(body_json(by_product)["items"].size(), 3U);

  const auto negative = client_->Get("/api/v1/items?product=P1&sentiment=negative");
  ASSERT_TRUE(negative);
  EXPECT_EQ(body_json(negative)["items"].size(), 2U);

  const auto text = client_->Get("/api/v1/items?text=%E6%BB%A1%E6%84%8F");  // 满意
  ASSERT_TRUE(text);
  EXPECT_EQ(body_json(text)["items"].size(), 2U);

  const auto page = client_->Get("/api/v1/items?limit=1&offset=1");
  ASSERT_TRUE(page);
  const json body = body_json(page);
  ASSERT_EQ(body["items"].size(), 1U);
  EXPECT_EQ(body["next_offset"], 2);
  // Newest first: the second newest item is a3.
  EXPECT_EQ(body["items"][0]["id"], "a3");

  const auto in_range = client_->Get("/api/v1/items?from=2026-11-02T00:00:00Z");
  ASSERT_TRUE(in_range);
  EXPECT_EQ(body_json(in_range)["items"].size(), 2U);
}

TEST_F(ServeApi, SearchItemsRejectsBadParameters) {
  expect_error("/api/v1/items?limit=0", 400, "limit");
  expect_error("/api/v1/items?limit=abc", 400, "limit");
  expect_error("/api/v1/items?offset=-1", 400, "offset");
  expect_error("/api/v1/items?sentiment=angry", 400, "sentiment");
  expect_error("/api/v1/items?from=noon", 400, "from");
  expect_error("/api/v1/items?product=P1&category=phones", 400, "category");
}

TEST_F(ServeApi, SeriesReturnsBuckets) {
  add_sample_items();
  const std::string range = "&from=" + std::to_string(kNovember1) + "&to=2026-11-03T00:00:00Z";
  const auto result = client_->Get(("/api/v1/series?dimension=product&value=P1&granularity=day" + range).c_str());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = body_json(result);
  ASSERT_EQ(body["buckets"].size(), 2U);
  EXPECT_EQ(body["buckets"][0]["start"], "2026-11-01T00:00:00.000Z");
  EXPECT_EQ(body["buckets"][0]["volume"], 2);
  EXPECT_EQ(body["buckets"][0]["negative"], 2);
  EXPECT_DOUBLE_EQ(body["buckets"][0]["negative_share"].get<double>(), 1.0);
  EXPECT_EQ(body["buckets"][1]["volume"], 1);
  EXPECT_TRUE(body["buckets"][0].contains("aspects"));
  EXPECT_FALSE(body["buckets"][0].contains("keywords"));

  const auto one = client_->Get(("/api/v1/series?granularity=hour&measure=volume" + range).c_str());
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  const json hours = body_json(one);
  ASSERT_EQ(hours["buckets"].size(), 48U);
  EXPECT_EQ(hours["buckets"][1]["volume"], 1);
  EXPECT_FALSE(hours["buckets"][1].contains("negative"));
}

TEST_F(ServeApi, SeriesRatiosAreNullWithoutItems) {
  add_sample_items();
  const std::string range = "&granularity=hour&from=2026-11-01T00:00:00Z&to=2026-11-01T04:00:00Z";
  const auto result = client_->Get(("/api/v1/series?dimension=product&value=P1" + range).c_str());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json buckets = body_json(result)["buckets"];
  ASSERT_EQ(buckets.size(), 4U);
  EXPECT_EQ(buckets[0]["volume"], 0);
  EXPECT_TRUE(buckets[0]["negative_share"].is_null()) << buckets[0];
  EXPECT_TRUE(buckets[0]["mean_score"].is_null()) << buckets[0];
  EXPECT_DOUBLE_EQ(buckets[1]["negative_share"].get<double>(), 1.0);
  EXPECT_TRUE(buckets[1]["mean_score"].is_number());

  // A value with items elsewhere in time returns empty buckets, and one with no items at all is not found.
  const auto later = client_->Get("/api/v1/series?dimension=product&value=P1&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200) << later->body;
  expect_error("/api/v1/series?dimension=product&value=NOPE" + range, 404, "NOPE");
}

TEST_F(ServeApi, SeriesRejectsBadParameters) {
  expect_error("/api/v1/series?dimension=planet&value=x", 400, "dimension");
  expect_error("/api/v1/series?dimension=product", 400, "value");
  expect_error("/api/v1/series?granularity=week", 400, "granularity");
  expect_error("/api/v1/series?measure=mood", 400, "measure");
  expect_error("/api/v1/series?to=tomorrow", 400, "to");
  expect_error("/api/v1/series?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", 400, "from");
  expect_error("/api/v1/series?granularity=minute&from=0&to=2026-11-01T00:00:00Z", 400, "buckets");
}

TEST_F(ServeApi, SeriesRejectsExtremeTimes) {
  // Without the range check, rounding these to a bucket would overflow and pass the bucket limit.
  expect_error("/api/v1/series?granularity=minute&from=0&to=9223372036854775807", 400, "to");
  expect_error("/api/v1/series?from=-9223372036854775808", 400, "from");
  expect_error("/api/v1/series?from=-1&to=2026-11-01T00:00:00Z", 400, "1970 to 2099");
  expect_error("/api/v1/items?to=2100-01-02T00:00:00Z", 400, "1970 to 2099");

  // The first instant of 2100 is a valid exclusive end.
  const auto last_day = client_->Get("/api/v1/series?from=2099-12-31T00:00:00Z&to=2100-01-01T00:00:00Z");
  ASSERT_TRUE(last_day);
  EXPECT_EQ(last_day->status, 200) << last_day->body;
}

TEST_F(ServeApi, ValuesMinuteDefaultRange) {
  add_sample_items();
  // The store keeps minute buckets for the shop and channels only.
  const auto result = client_->Get("/api/v1/values?dimension=channel&granularity=minute");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = body_json(result);
  // One day up to the latest item, a4 at 2026-11-02T00:00:01Z, in whole minutes.
  EXPECT_EQ(body["from"], "2026-11-01T00:00:00.000Z");
  EXPECT_EQ(body["to"], "2026-11-02T00:01:00.000Z");
  ASSERT_EQ(body["values"].size(), 1U);
  EXPECT_EQ(body["values"][0]["value"], "review");
  EXPECT_EQ(body["values"][0]["volume"], 4);
}

TEST_F(ServeApi, ValuesRanksByVolumeAndNegativeShare) {
  add_sample_items();
  const std::string range = "&from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z";
  const auto by_volume = client_->Get(("/api/v1/values?dimension=product" + range).c_str());
  ASSERT_TRUE(by_volume);
  ASSERT_EQ(by_volume->status, 200) << by_volume->body;
  const json volume = body_json(by_volume)["values"];
  ASSERT_EQ(volume.size(), 2U);
  EXPECT_EQ(volume[0]["value"], "P1");
  EXPECT_EQ(volume[0]["volume"], 3);

  const auto by_share = client_->Get(("/api/v1/values?dimension=product&sort=mean_score&limit=1" + range).c_str());
  ASSERT_TRUE(by_share);
  const json worst = body_json(by_share)["values"];
  ASSERT_EQ(worst.size(), 1U);
  EXPECT_EQ(worst[0]["value"], "P1");

  const auto positive = client_->Get(("/api/v1/values?dimension=category&sort=negative_share" + range).c_str());
  ASSERT_TRUE(positive);
  EXPECT_EQ(body_json(positive)["values"][0]["value"], "phones");
}

TEST_F(ServeApi, ValuesRejectsBadParameters) {
  expect_error("/api/v1/values", 400, "dimension");
  expect_error("/api/v1/values?dimension=product&sort=price", 400, "sort");
  expect_error("/api/v1/values?dimension=product&limit=100000", 400, "limit");
}

TEST_F(ServeApi, AlertsFilters) {
  store::Alert alert{.fingerprint = "negative_share/product/P1/day/1", .detector = "negative_share",
                     .dimension = "product", .value = "P1", .window_start = kNovember1,
                     .window_end = kNovember1 + kDayMs, .severity = "warning", .observed = 0.6, .baseline = 0.1,
                     .statistic = 0.001, .statistic_name = "p_value", .count = 12, .raised_at = kNovember1 + kDayMs};
  ASSERT_TRUE(store_->add_alert(alert));
  store_->record_delivery({.fingerprint = alert.fingerprint, .sink = "log", .status = "delivered", .attempts = 1});

  const auto all = client_->Get("/api/v1/alerts");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200) << all->body;
  const json alerts = body_json(all)["alerts"];
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0]["detector"], "negative_share");
  EXPECT_EQ(alerts[0]["window_start"], kNovember1);
  EXPECT_EQ(alerts[0]["window_start_time"], "2026-11-01T00:00:00Z");
  EXPECT_TRUE(alerts[0]["example_items"].is_array());
  ASSERT_EQ(alerts[0]["deliveries"].size(), 1U);
  EXPECT_EQ(alerts[0]["deliveries"][0]["sink"], "log");
  EXPECT_EQ(alerts[0]["deliveries"][0]["status"], "delivered");
  EXPECT_DOUBLE_EQ(alerts[0]["observed"].get<double>(), 0.6);

  const auto critical = client_->Get("/api/v1/alerts?severity=critical");
  ASSERT_TRUE(critical);
  EXPECT_EQ(body_json(critical)["alerts"].size(), 0U);
  const auto by_value = client_->Get("/api/v1/alerts?dimension=product&value=P1");
  ASSERT_TRUE(by_value);
  EXPECT_EQ(body_json(by_value)["alerts"].size(), 1U);
  expect_error("/api/v1/alerts?severity=loud", 400, "severity");
  expect_error("/api/v1/alerts?limit=0", 400, "limit");
}

TEST_F(ServeApi, ProductSummary) {
  add_sample_items();
  const auto result = client_->Get("/api/v1/products/P1?recent=2");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json body = body_json(result);
  EXPECT_EQ(body["product"], "P1");
  EXPECT_EQ(body["volume"], 3);
  EXPECT_EQ(body["negative"], 2);
  EXPECT_NEAR(body["negative_share"].get<double>(), 2.0 / 3.0, 1e-9);
  EXPECT_TRUE(body["aspects"].is_object());
  EXPECT_TRUE(body["keywords"].is_array());
  ASSERT_EQ(body["recent_items"].size(), 2U);
  EXPECT_EQ(body["recent_items"][0]["id"], "a3");
}

TEST_F(ServeApi, ProductNotFound) {
  add_sample_items();
  expect_error("/api/v1/products/P404", 404, "P404");
}

TEST_F(ServeApi, UserProfileAndRecommendations) {
  json items = json::array();
  for (int i = 0; i < 4; ++i) {
    json item = review("u" + std::to_string(i), "P" + std::to_string(i), "phones", i % 2 ? kPositive : kNegative,
                       kNovember1 + i * 1000);
    item["user"] = i < 2 ? "alice" : "bob";
    items.push_back(item);
  }
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);

  const auto profile = client_->Get("/api/v1/users/alice/profile");
  ASSERT_TRUE(profile);
  ASSERT_EQ(profile->status, 200) << profile->body;
  const json body = body_json(profile);
  EXPECT_TRUE(body.is_object());
  EXPECT_NE(profile->body.find("alice"), std::string::npos) << profile->body;

  const auto recommendations = client_->Get("/api/v1/users/alice/recommendations?top=2");
  ASSERT_TRUE(recommendations);
  ASSERT_EQ(recommendations->status, 200) << recommendations->body;
  const json list = body_json(recommendations)["recommendations"];
  ASSERT_TRUE(list.is_array());
  EXPECT_LE(list.size(), 2U);

  expect_error("/api/v1/users/nobody/profile", 404, "user");
  expect_error("/api/v1/users/nobody/recommendations", 404, "user");
  expect_error("/api/v1/users/alice/recommendations?top=0", 400, "top");
}

// Adds to `problems` every field of `value` that `schema` does not list and
// every field it requires that `value` lacks, at any depth. `document` is the
// OpenAPI document that resolves references to its components.
void check_schema(const json& document, const json& schema, const json& value, const std::string& where,
                  std::vector<std::string>& problems) {
  if (schema.contains("$ref")) {
    const std::string name = schema["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size());
    check_schema(document, document["components"]["schemas"][name], value, where, problems);
    return;
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check_schema(document, schema["items"], value[i], where + "[" + std::to_string(i) + "]", problems);
    }
  }
  if (!value.is_object() || !schema.contains("properties")) return;
  for (const auto& [key, field] : value.items()) {
    if (!schema["properties"].contains(key)) {
      problems.push_back("undocumented " + where + "." + key);
      continue;
    }
    check_schema(document, schema["properties"][key], field, where + "." + key, problems);
  }
  for (const auto& key : schema.value("required", json::array())) {
    if (!value.contains(key.get<std::string>())) problems.push_back("missing " + where + "." + key.get<std::string>());
  }
}

TEST_F(ServeApi, UserProfileMatchesOpenApi) {
  json items = json::array();
  for (int i = 0; i < 4; ++i) {
    json item = review("s" + std::to_string(i), "P" + std::to_string(i % 2), "phones",
                       i % 2 ? kPositive : kNegative, kNovember1 + i * 1000);
    item["user"] = "carol";
    items.push_back(item);
  }
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);
  const json document = body_json(client_->Get("/openapi.json"));
  const json& profile_schema = document["paths"]["/api/v1/users/{id}/profile"]["get"]["responses"]["200"]["content"]
                                       ["application/json"]["schema"];
  const json profile = body_json(client_->Get("/api/v1/users/carol/profile"));
  ASSERT_TRUE(profile.is_object());

  std::vector<std::string> problems;
  check_schema(document, profile_schema, profile, "profile", problems);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  // An object schema without fields would pass the check above trivially.
  ASSERT_TRUE(document["components"]["schemas"].contains("UserProfile"));
  EXPECT_EQ(document["components"]["schemas"]["UserProfile"]["required"].size(), profile.size());
}

TEST_F(ServeApi, RecommendationsSeeNewItems) {
  // Products need a few items before they are recommended, so each gets three.
  const auto reviews_of = [&](const std::string& product, const std::string& user, int first) {
    json items = json::array();
    for (int i = 0; i < 3; ++i) {
      json item = review(product + "-" + std::to_string(i), product, "phones", kPositive, kNovember1 + (first + i) * 1000);
      item["user"] = user;
      items.push_back(item);
    }
    return items;
  };
  ASSERT_EQ(post("/api/v1/items", reviews_of("P0", "alice", 0))->status, 200);
  ASSERT_EQ(post("/api/v1/items", reviews_of("P1", "bob", 3))->status, 200);
  const auto products = [&] {
    std::set<std::string> names;
    const auto response = client_->Get("/api/v1/users/alice/recommendations?top=10");
    EXPECT_EQ(response->status, 200) << response->body;
    const json body = body_json(response);
    for (const auto& entry : body["recommendations"]) names.insert(entry["product"].get<std::string>());
    return names;
  };
  // After a change the server uses its previous profiler while it builds
  // the next in the background, and one built at start may predate the
  // items above, so the expected products show up within a few responses.
  const auto products_within_seconds = [&](const std::set<std::string>& expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::set<std::string> seen = products();
    while (seen != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      seen = products();
    }
    return seen;
  };
  EXPECT_EQ(products_within_seconds({"P1"}), std::set<std::string>{"P1"});

  ASSERT_EQ(post("/api/v1/items", reviews_of("P2", "bob", 6))->status, 200);
  EXPECT_EQ(products_within_seconds({"P1", "P2"}), (std::set<std::string>{"P1", "P2"}));
}

TEST_F(ServeApi, UserLookupsAcceptRawId) {
  json items = json::array();
  for (int i = 0; i < 2; ++i) {
    json item = review("p" + std::to_string(i), "P1", "phones", kNegative, kNovember1 + i * kDayMs);
    item["user"] = "13912345678";
    items.push_back(item);
  }
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);
  const std::string pseudonym = store_->stored_user("13912345678");
  ASSERT_NE(pseudonym, "13912345678");
  ASSERT_TRUE(store_->add_alert(testing::user_alert(pseudonym, kNovember1, kNovember1 + kDayMs)));

  for (const std::string& user : {std::string("13912345678"), pseudonym}) {
    const auto found = client_->Get(("/api/v1/items?user=" + user).c_str());
    ASSERT_TRUE(found);
    ASSERT_EQ(found->status, 200) << found->body;
    EXPECT_EQ(body_json(found)["items"].size(), 2U) << user;
    EXPECT_EQ(found->body.find("13912345678"), std::string::npos) << found->body;
    const auto profile = client_->Get(("/api/v1/users/" + user + "/profile").c_str());
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->status, 200) << profile->body;
    EXPECT_EQ(profile->body.find("13912345678"), std::string::npos) << profile->body;
    const auto recommendations = client_->Get(("/api/v1/users/" + user + "/recommendations").c_str());
    ASSERT_TRUE(recommendations);
    EXPECT_EQ(recommendations->status, 200) << recommendations->body;
    EXPECT_EQ(recommendations->body.find("13912345678"), std::string::npos) << recommendations->body;

    // Every route that takes a value of the user dimension maps it the same way.
    const std::string range = "&from=" + std::to_string(kNovember1) + "&to=" + std::to_string(kNovember1 + 2 * kDayMs);
    for (const std::string route : {"series", "forecast", "keywords", "alerts"}) {
      const std::string path = "/api/v1/" + route + "?dimension=user&value=" + user + range;
      const auto response = client_->Get(path.c_str());
      ASSERT_TRUE(response) << path;
      EXPECT_EQ(response->status, 200) << path << ": " << response->body;
      EXPECT_EQ(response->body.find("13912345678"), std::string::npos) << path << ": " << response->body;
    }
    const json series = body_json(client_->Get(("/api/v1/series?dimension=user&value=" + user + range).c_str()));
    EXPECT_EQ(series["value"], pseudonym);
    ASSERT_EQ(series["buckets"].size(), 2U);
    EXPECT_EQ(series["buckets"][0]["volume"], 1);
    const json keywords = body_json(client_->Get(("/api/v1/keywords?dimension=user&value=" + user).c_str()));
    EXPECT_EQ(keywords["items"], 2);
    const json alerts = body_json(client_->Get(("/api/v1/alerts?dimension=user&value=" + user).c_str()));
    EXPECT_EQ(alerts["alerts"].size(), 1U);
  }
}

TEST_F(ServeApi, UnknownRouteIsJson404) {
  expect_error("/api/v1/nothing", 404, "not found");
}

TEST_F(ServeApi, WrongMethodIs405WithAllow) {
  const auto get_analyze = client_->Get("/api/v1/analyze");
  ASSERT_TRUE(get_analyze);
  EXPECT_EQ(get_analyze->status, 405) << get_analyze->body;
  EXPECT_EQ(get_analyze->get_header_value("Allow"), "POST");
  EXPECT_TRUE(body_json(get_analyze).contains("error")) << get_analyze->body;

  const auto delete_items = client_->Delete("/api/v1/items");
  ASSERT_TRUE(delete_items);
  EXPECT_EQ(delete_items->status, 405);
  EXPECT_EQ(delete_items->get_header_value("Allow"), "GET, HEAD, POST");

  const auto post_status = client_->Post("/api/v1/status", "{}", "application/json");
  ASSERT_TRUE(post_status);
  EXPECT_EQ(post_status->status, 405);
  EXPECT_EQ(post_status->get_header_value("Allow"), "GET, HEAD");

  const auto post_profile = client_->Post("/api/v1/users/alice/profile", "{}", "application/json");
  ASSERT_TRUE(post_profile);
  EXPECT_EQ(post_profile->status, 405);
}

}  // namespace
}  // namespace shopsight::serve

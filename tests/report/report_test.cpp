// Tests of the report stage: aggregates, the three formats and snippets,
// built from hand-made (Item, Analysis) pairs so no analyzer is involved.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "ingest/ingest.h"
#include "report/report.h"
#include "report/report_data.h"

namespace shopsight {
namespace {

using nlohmann::json;

// 2026-11-03 00:00:00 UTC in Unix milliseconds.
constexpr std::int64_t kNov3 = 1793664000000;
constexpr std::int64_t kHour = 3'600'000;

Item make_item(const std::string& id, const std::string& category, const std::string& product,
               std::optional<double> rating = std::nullopt, std::optional<std::int64_t> time = std::nullopt) {
  Item item;
  item.id = id;
  item.category = category;
  item.product = product;
  item.rating = rating;
  item.time = time;
  return item;
}

Analysis make_analysis(const std::string& label, float score, const std::string& masked_text = "",
                       std::vector<AspectMention> aspects = {}, const std::vector<std::string>& words = {}) {
  Analysis analysis;
  analysis.language = "zh";
  analysis.masked_text = masked_text;
  analysis.sentiment.label = label;
  analysis.sentiment.probability = 0.9f;
  analysis.sentiment.score = score;
  analysis.aspects = std::move(aspects);
  for (const auto& word : words) analysis.keywords.push_back({word, 1.0f});
  return analysis;
}

// Mention whose aspect and opinion terms are located in `text` by search.
AspectMention mention_in(const std::string& text, const std::string& category, const std::string& aspect,
                         const std::string& opinion, const std::string& polarity) {
  AspectMention mention;
  mention.category = category;
  mention.polarity = polarity;
  auto locate = [&](const std::string& term, std::int32_t& begin, std::int32_t& end) {
    const auto at = text.find(term);
    if (term.empty() || at == std::string::npos) return;
    begin = utf8::length(std::string_view(text).substr(0, at));
    end = begin + utf8::length(term);
  };
  mention.aspect = aspect;
  locate(aspect, mention.aspect_begin, mention.aspect_end);
  mention.opinion = opinion;
  locate(opinion, mention.opinion_begin, mention.opinion_end);
  return mention;
}

// Restores English after a test that switches the message language.
class LanguageGuard {
 public:
  explicit LanguageGuard(Language language) { set_language(language); }
  ~LanguageGuard() { set_language(Language::en); }
};

// Parses the page as XML, which only well-formed XHTML-compatible markup passes.
pugi::xml_document parse_html(const std::string& html) {
  pugi::xml_document document;
  const pugi::xml_parse_result result = document.load_string(html.c_str());
  EXPECT_TRUE(result) << result.description() << " at byte " << result.offset << ": "
                      << html.substr(static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, result.offset - 80)), 160);
  return document;
}

// Four items in two categories: 2 positive, 1 negative, 1 neutral.
void add_small_set(ReportBuilder& builder) {
  const std::string slow = "衣服不错，但是物流太慢了，等了一周。";
  builder.add(make_item("r1", "服装", "T恤", 5.0, kNov3 + 2 * kHour),
              make_analysis("positive", 0.8f, "面料很舒服。", {}, {"舒服"}));
  builder.add(make_item("r2", "服装", "T恤", 2.0, kNov3 + 30 * kHour),
              make_analysis("negative", -0.7f, slow, {mention_in(slow, "logistics", "物流", "太慢", "negative")},
                            {"物流", "慢"}));
  builder.add(make_item("r3", "服装", "羽绒服", 3.0, kNov3 + 75 * kHour), make_analysis("neutral", 0.0f, "还行。"));
  builder.add(make_item("r4", "数码", "耳机", std::nullopt, kNov3 + 76 * kHour),
              make_analysis("positive", 0.6f, "音质很好。"));
}

TEST(ReportJson, CountsAndShares) {
  ReportBuilder builder;
  add_small_set(builder);
  const json report = json::parse(builder.to_json());

  EXPECT_EQ(report["format"], "shopsight-report");
  const auto& totals = report["totals"];
  EXPECT_EQ(totals["items"], 4);
  EXPECT_EQ(totals["sentiment"]["positive"]["count"], 2);
  EXPECT_DOUBLE_EQ(totals["sentiment"]["positive"]["share"].get<double>(), 0.5);
  EXPECT_EQ(totals["sentiment"]["negative"]["count"], 1);
  EXPECT_DOUBLE_EQ(totals["sentiment"]["negative"]["share"].get<double>(), 0.25);
  EXPECT_EQ(totals["sentiment"]["neutral"]["count"], 1);
  EXPECT_DOUBLE_EQ(totals["mean_score"].get<double>(), 0.175);
  EXPECT_EQ(totals["rated_items"], 3);
  EXPECT_DOUBLE_EQ(totals["mean_rating"].get<double>(), 3.3333);
  EXPECT_EQ(totals["channels"]["review"], 4);
}

TEST(ReportJson, NonFiniteValuesIgnored) {
  ReportBuilder builder;
  builder.add(make_item("1", "", "", std::nan("")), make_analysis("positive", std::nanf("")));
  builder.add(make_item("2", "", "", 4.0), make_analysis("positive", 0.5f));
  const json report = json::parse(builder.to_json());
  EXPECT_DOUBLE_EQ(report["totals"]["mean_score"].get<double>(), 0.5);
  EXPECT_EQ(report["totals"]["rated_items"], 1);
  EXPECT_DOUBLE_EQ(report["totals"]["mean_rating"].get<double>(), 4.0);
}

TEST(ReportJson, CategoriesAndProducts) {
  ReportBuilder builder;
  add_small_set(builder);
  const json report = json::parse(builder.to_json());

  ASSERT_EQ(report["categories"].size(), 2u);
  EXPECT_EQ(report["categories"][0]["name"], "服装");
  EXPECT_EQ(report["categories"][0]["items"], 3);
  EXPECT_EQ(report["categories"][1]["name"], "数码");
  EXPECT_TRUE(report["categories"][1]["mean_rating"].is_null());

  EXPECT_EQ(report["product_count"], 3);
  ASSERT_EQ(report["products"].size(), 3u);
  EXPECT_EQ(report["products"][0]["name"], "T恤");
  EXPECT_EQ(report["products"][0]["category"], "服装");
  EXPECT_EQ(report["products"][0]["items"], 2);
  EXPECT_FALSE(report["products"][0].contains("keywords"));
}

TEST(ReportJson, TopProductsLimit) {
  ReportOptions options;
  options.top_products = 1;
  ReportBuilder builder(options);
  add_small_set(builder);
  const json report = json::parse(builder.to_json());
  EXPECT_EQ(report["product_count"], 3);
  ASSERT_EQ(report["products"].size(), 1u);
  EXPECT_EQ(report["products"][0]["name"], "T恤");
}

TEST(ReportJson, NegativeAspectsRanked) {
  ReportBuilder builder;
  const std::string text = "物流太慢，价格太贵，质量很好。";
  for (int i = 0; i < 4; ++i) {
    std::vector<AspectMention> aspects{mention_in(text, "quality", "质量", "很好", "positive"),
                                       mention_in(text, "logistics", "物流", "太慢", i < 3 ? "negative" : "positive")};
    if (i == 0) aspects.push_back(mention_in(text, "price", "价格", "太贵", "negative"));
    builder.add(make_item(fmt::format("a{}", i), "家居", "枕头"), make_analysis("negative", -0.5f, text, aspects));
  }
  const json report = json::parse(builder.to_json());
  const auto& aspects = report["totals"]["negative_aspects"];

  ASSERT_EQ(aspects.size(), 2u);
  EXPECT_EQ(aspects[0]["category"], "logistics");
  EXPECT_EQ(aspects[0]["mentions"], 4);
  EXPECT_EQ(aspects[0]["negative"], 3);
  EXPECT_DOUBLE_EQ(aspects[0]["negative_share"].get<double>(), 0.75);
  EXPECT_EQ(aspects[1]["category"], "price");
  EXPECT_EQ(report["totals"]["aspect_mentions"], 9);

  // Identical snippets are kept once.
  ASSERT_EQ(aspects[0]["examples"].size(), 1u);
  EXPECT_EQ(aspects[0]["examples"][0]["text"], "物流太慢，价格太贵，质量很好。");
  EXPECT_EQ(aspects[0]["examples"][0]["opinion"], json::array({2, 4}));
}

TEST(ReportJson, ExamplesBoundedAndMostNegative) {
  ReportOptions options;
  options.examples_per_aspect = 2;
  ReportBuilder builder(options);
  for (int i = 0; i < 500; ++i) {
    const std::string text = fmt::format("第{}单，快递太慢。", i);
    const float score = i == 123 ? -0.99f : (i == 321 ? -0.95f : -0.2f);
    builder.add(make_item(fmt::format("id{}", i), "食品", "坚果"),
                make_analysis("negative", score, text, {mention_in(text, "logistics", "快递", "太慢", "negative")}));
  }
  const json report = json::parse(builder.to_json());
  const auto& examples = report["totals"]["negative_aspects"][0]["examples"];
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0]["item_id"], "id123");
  EXPECT_EQ(examples[1]["item_id"], "id321");
}

TEST(ReportJson, NoExampleWithoutMaskedText) {
  ReportBuilder builder;
  AspectMention mention;
  mention.category = "service";
  mention.polarity = "negative";
  mention.opinion_begin = 0;
  mention.opinion_end = 2;
  builder.add(make_item("x", "美妆", "面霜"), make_analysis("negative", -0.5f, "", {mention}));
  const json report = json::parse(builder.to_json());
  ASSERT_EQ(report["totals"]["negative_aspects"].size(), 1u);
  EXPECT_TRUE(report["totals"]["negative_aspects"][0]["examples"].empty());
}

TEST(ReportJson, TimelineInTimeZone) {
  ReportOptions options;
  options.timezone = "Asia/Shanghai";
  ReportBuilder builder(options);
  add_small_set(builder);
  const json report = json::parse(builder.to_json());

  // Shanghai is UTC+8, so 02:00 UTC on Nov 3 is Nov 3, 06:00 UTC on Nov 4
  // is Nov 4, and 03:00 and 04:00 UTC on Nov 6 are Nov 6.
  EXPECT_EQ(report["timezone"], "Asia/Shanghai");
  EXPECT_EQ(report["timeline"]["bucket"], "day");
  const auto& points = report["timeline"]["points"];
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0]["start"], "2026-11-03");
  EXPECT_EQ(points[0]["items"], 1);
  EXPECT_EQ(points[1]["negative"], 1);
  EXPECT_EQ(points[2]["start"], "2026-11-05");
  EXPECT_EQ(points[2]["items"], 0);
  EXPECT_EQ(points[3]["items"], 2);
  EXPECT_EQ(report["totals"]["first_time"], "2026-11-03T02:00:00Z");
  EXPECT_EQ(report["totals"]["last_time"], "2026-11-06T04:00:00Z");
}

TEST(ReportJson, TimelineWeeksForLongRange) {
  ReportBuilder builder;
  for (int day = 0; day < 200; day += 10) {
    builder.add(make_item(fmt::format("w{}", day), "", "", std::nullopt, kNov3 + day * 24 * kHour),
                make_analysis("positive", 0.5f));
  }
  const json report = json::parse(builder.to_json());
  EXPECT_EQ(report["timeline"]["bucket"], "week");

  // 2026-11-03 is a Tuesday, so the first week starts on Monday 2026-11-02.
  EXPECT_EQ(report["timeline"]["points"][0]["start"], "2026-11-02");
  std::int64_t total = 0;
  for (const auto& point : report["timeline"]["points"]) total += point["items"].get<std::int64_t>();
  EXPECT_EQ(total, 20);
}

// One positive item every fifth day from 2026-11-03 to 2029-01-11, which is
// long enough for months: 2026-11 is covered from the 3rd and 2029-01 up to the 11th.
void add_months_with_partial_ends(ReportBuilder& builder) {
  for (int day = 0; day <= 800; day += 5) {
    builder.add(make_item(fmt::format("m{}", day), "", "", std::nullopt, kNov3 + day * 24 * kHour),
                make_analysis("positive", 0.5f));
  }
}

TEST(ReportTimeline, PartialMonthsInJson) {
  ReportBuilder builder;
  add_months_with_partial_ends(builder);
  const json report = json::parse(builder.to_json());
  ASSERT_EQ(report["timeline"]["bucket"], "month");
  const auto& points = report["timeline"]["points"];
  ASSERT_EQ(points.size(), 27u);

  EXPECT_EQ(points[0]["start"], "2026-11");
  EXPECT_EQ(points[0]["days"], 30);
  EXPECT_EQ(points[0]["covered_days"], 28);
  EXPECT_EQ(points[1]["start"], "2026-12");
  EXPECT_EQ(points[1]["days"], 31);
  EXPECT_EQ(points[1]["covered_days"], 31);
  EXPECT_EQ(points[15]["start"], "2028-02");
  EXPECT_EQ(points[15]["days"], 29);
  EXPECT_EQ(points[15]["covered_days"], 29);
  EXPECT_EQ(points[26]["start"], "2029-01");
  EXPECT_EQ(points[26]["days"], 31);
  EXPECT_EQ(points[26]["covered_days"], 11);
}

TEST(ReportTimeline, PartialWeeksAtBothEnds) {
  std::map<std::int64_t, report::SentimentCounts> days;
  // Day 20396 is Tuesday 2025-11-04 and day 20595 Friday 2026-05-22.
  days[20396].positive = 1;
  days[20595].negative = 1;
  std::string bucket;
  std::vector<report::TimeBucket> timeline;
  report::build_timeline(days, bucket, timeline);
  ASSERT_EQ(bucket, "week");
  ASSERT_GE(timeline.size(), 2u);
  EXPECT_EQ(timeline.front().label, "2025-11-03");
  EXPECT_EQ(timeline.front().days, 7);
  EXPECT_EQ(timeline.front().covered_days, 6);
  EXPECT_EQ(timeline.front().covered_from, "2025-11-04");
  EXPECT_EQ(timeline.front().covered_to, "2025-11-09");
  EXPECT_TRUE(timeline.front().partial());
  EXPECT_FALSE(timeline[1].partial());
  EXPECT_EQ(timeline.back().covered_days, 5);
  EXPECT_EQ(timeline.back().covered_to, "2026-05-22");
  EXPECT_TRUE(timeline.back().partial());
}

TEST(ReportTimeline, DaysAreNeverPartial) {
  ReportBuilder builder;
  add_small_set(builder);
  const json report = json::parse(builder.to_json());
  ASSERT_EQ(report["timeline"]["bucket"], "day");
  for (const auto& point : report["timeline"]["points"]) EXPECT_EQ(point["covered_days"], point["days"]);
  EXPECT_EQ(builder.to_markdown().find("(partial)"), std::string::npos);
}

TEST(ReportTimeline, PartialMonthsMarkedInMarkdown) {
  ReportBuilder builder;
  add_months_with_partial_ends(builder);
  const std::string markdown = builder.to_markdown();
  EXPECT_NE(markdown.find("| 2026-11 (partial) | 6 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| 2029-01 (partial) | 3 |"), std::string::npos);
  EXPECT_NE(markdown.find("| 2027-05 | 6 |"), std::string::npos);
  EXPECT_NE(markdown.find("The data covers only 11 of the 31 days of 2029-01 (2029-01-01 to 2029-01-11)"),
            std::string::npos);
  EXPECT_NE(markdown.find("The data covers only 28 of the 30 days of 2026-11 (2026-11-03 to 2026-11-30)"),
            std::string::npos);
}

TEST(ReportTimeline, PartialMonthsHatchedInHtml) {
  ReportBuilder builder;
  add_months_with_partial_ends(builder);
  const std::string html = builder.to_html();
  const pugi::xml_document document = parse_html(html);

  // Two partial months, drawn in the wide and in the narrow chart.
  const auto hatched = document.select_nodes("//*[local-name()='rect'][@class='partial']");
  EXPECT_EQ(hatched.size(), 4u);
  for (const auto& rect : hatched) EXPECT_NE(std::string(rect.node().attribute("fill").value()).find("-hatch)"), std::string::npos);
  EXPECT_EQ(document.select_nodes("//*[local-name()='pattern']").size(), 2u);
  EXPECT_NE(html.find("The data covers only 11 of the 31 days of 2029-01"), std::string::npos);
  EXPECT_NE(html.find("<td>2029-01 (partial)</td>"), std::string::npos);
  EXPECT_NE(html.find("class=\"swatch partial\""), std::string::npos);
}

TEST(ReportTimeline, PartialNoteInChinese) {
  LanguageGuard guard(Language::zh);
  ReportBuilder builder;
  add_months_with_partial_ends(builder);
  const std::string markdown = builder.to_markdown();
  EXPECT_NE(markdown.find("2029-01（不完整）"), std::string::npos);
  EXPECT_NE(markdown.find("数据只覆盖了 2029-01 这个月 31 天中的 11 天（2029-01-01 至 2029-01-11）"), std::string::npos);
}

TEST(ReportJson, NoCategoriesWithoutNames) {
  ReportBuilder builder;
  builder.add(make_item("1", "", ""), make_analysis("positive", 0.5f));
  const json report = json::parse(builder.to_json());
  EXPECT_TRUE(report["categories"].empty());
  EXPECT_TRUE(report["products"].empty());
  EXPECT_TRUE(report["timeline"]["bucket"].is_null());
}

TEST(ReportKeywords, DistinguishCraftedCase) {
  ReportBuilder builder;
  for (int i = 0; i < 12; ++i) {
    builder.add(make_item(fmt::format("n{}", i), "食品", "坚果"),
                make_analysis("negative", -0.8f, "", {}, {"快递", "受潮", i % 2 == 0 ? "压坏" : "口感"}));
    builder.add(make_item(fmt::format("p{}", i), "食品", "坚果"),
                make_analysis("positive", 0.8f, "", {}, {"快递", "新鲜", i % 2 == 0 ? "香脆" : "口感"}));
  }
  const json report = json::parse(builder.to_json());
  const auto& keywords = report["totals"]["keywords"];

  ASSERT_GE(keywords["negative"].size(), 2u);
  EXPECT_EQ(keywords["negative"][0]["word"], "受潮");
  EXPECT_EQ(keywords["negative"][0]["negative_items"], 12);
  EXPECT_EQ(keywords["negative"][0]["positive_items"], 0);
  EXPECT_EQ(keywords["negative"][1]["word"], "压坏");
  EXPECT_GT(keywords["negative"][0]["z"].get<double>(), keywords["negative"][1]["z"].get<double>());
  ASSERT_GE(keywords["positive"].size(), 2u);
  EXPECT_EQ(keywords["positive"][0]["word"], "新鲜");
  EXPECT_EQ(keywords["positive"][1]["word"], "香脆");

  // Words equally common on both sides separate nothing.
  for (const char* side : {"negative", "positive"}) {
    for (const auto& keyword : keywords[side]) {
      EXPECT_NE(keyword["word"], "快递") << side;
      EXPECT_NE(keyword["word"], "口感") << side;
    }
  }
}

TEST(ReportKeywords, SingleItemWordsSkipped) {
  std::unordered_map<std::string, report::WordCounts> words;
  words["罕见"] = {0, 1, 0};
  words["常见"] = {5, 5, 0};
  words["差"] = {0, 4, 0};
  words["好"] = {4, 0, 0};
  std::vector<report::KeywordContrast> negative;
  std::vector<report::KeywordContrast> positive;
  report::rank_keywords(words, 10, negative, positive);
  ASSERT_EQ(negative.size(), 1u);
  EXPECT_EQ(negative[0].word, "差");
  ASSERT_EQ(positive.size(), 1u);
  EXPECT_EQ(positive[0].word, "好");
}

TEST(ReportKeywords, RareWordsBelowFrequentOnes) {
  // As in real shops, positive items far outnumber negative ones.
  std::unordered_map<std::string, report::WordCounts> words;
  words["漏水"] = {3, 40, 5};    // often in negative items, sometimes elsewhere
  words["噪音"] = {10, 25, 5};
  words["偶然"] = {0, 2, 0};     // only in two negative items
  words["一次"] = {0, 1, 0};     // in one negative item
  words["满意"] = {300, 5, 20};
  words["好"] = {600, 60, 80};
  words["洗衣机"] = {400, 45, 60};
  std::vector<report::KeywordContrast> negative;
  std::vector<report::KeywordContrast> positive;
  report::rank_keywords(words, 10, negative, positive);

  ASSERT_GE(negative.size(), 2u);
  EXPECT_EQ(negative[0].word, "漏水");
  EXPECT_EQ(negative[1].word, "噪音");
  for (const auto& keyword : negative) {
    EXPECT_NE(keyword.word, "一次");
    if (keyword.word == "偶然") {
      EXPECT_LT(keyword.z, negative[1].z);
    }
  }
  ASSERT_FALSE(positive.empty());
  EXPECT_EQ(positive[0].word, "满意");
}

TEST(ReportKeywords, VocabularyBounded) {
  ReportOptions options;
  options.max_keyword_vocabulary = 8;
  ReportBuilder builder(options);
  for (int i = 0; i < 50; ++i) {
    builder.add(make_item(fmt::format("v{}", i), "", ""),
                make_analysis(i % 2 == 0 ? "negative" : "positive", 0.0f, "", {},
                              {fmt::format("word{}", i), i % 2 == 0 ? "bad" : "good"}));
  }
  const json report = json::parse(builder.to_json());
  EXPECT_TRUE(report["totals"]["keywords"]["approximate"].get<bool>());
  ASSERT_FALSE(report["totals"]["keywords"]["negative"].empty());
  EXPECT_EQ(report["totals"]["keywords"]["negative"][0]["word"], "bad");
}

TEST(ReportMarkdown, EnglishTables) {
  ReportBuilder builder;
  add_small_set(builder);
  const std::string markdown = builder.to_markdown();

  EXPECT_NE(markdown.find("# Customer feedback report\n"), std::string::npos);
  EXPECT_NE(markdown.find("| Group | Items | Positive | Negative | Neutral | Mean score | Mean rating |"),
            std::string::npos);
  EXPECT_NE(markdown.find("| All items | 4 | 2 (50.0%) | 1 (25.0%) | 1 (25.0%) | +0.18 | 3.33 |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| 服装 | 3 | 1 (33.3%) | 1 (33.3%) | 1 (33.3%) |"), std::string::npos);
  EXPECT_NE(markdown.find("## Aspects with the most negative mentions"), std::string::npos);
  EXPECT_NE(markdown.find("**物流太慢**"), std::string::npos) << markdown;
}

TEST(ReportMarkdown, ChineseLabels) {
  LanguageGuard guard(Language::zh);
  ReportBuilder builder;
  add_small_set(builder);
  const std::string markdown = builder.to_markdown();

  EXPECT_NE(markdown.find("# 用户反馈报告\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| 全部 | 4 | 2 (50.0%) |"), std::string::npos);
  EXPECT_NE(markdown.find("## 负面提及最多的方面"), std::string::npos);
  EXPECT_EQ(markdown.find("Positive"), std::string::npos);
  EXPECT_EQ(markdown.find("Customer feedback"), std::string::npos);
}

TEST(ReportMarkdown, EscapesMarkup) {
  ReportBuilder builder;
  builder.add(make_item("1", "a|b", "*bold* <i>x</i>"), make_analysis("positive", 0.5f));
  builder.add(make_item("2", "c", "d"), make_analysis("positive", 0.5f));
  const std::string markdown = builder.to_markdown();
  EXPECT_NE(markdown.find("| a\\|b |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("\\*bold\\* \\<i\\>x\\</i\\>"), std::string::npos);
  EXPECT_EQ(markdown.find("<i>"), std::string::npos);
}

TEST(ReportMarkdown, EmptyReport) {
  ReportBuilder builder;
  EXPECT_NE(builder.to_markdown().find("No items were analyzed."), std::string::npos);
}

TEST(ReportHtml, EscapesScript) {
  ReportBuilder builder;
  const std::string text = "<script>alert('x')</script> 物流太慢 & \"quoted\"";
  builder.add(make_item("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<b>p</b>"),
              make_analysis("negative", -0.9f, text, {mention_in(text, "logistics", "物流", "太慢", "negative")},
                            {"<script>", "慢"}));
  builder.add(make_item("2", "<script>alert(1)</script>", "<b>p</b>"),
              make_analysis("negative", -0.9f, text, {}, {"<script>", "慢"}));
  const std::string html = builder.to_html();

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&amp; &quot;quoted&quot;"), std::string::npos);
  parse_html(html);
}

TEST(ReportHtml, WellFormedWithAccessibleCharts) {
  ReportBuilder builder;
  add_small_set(builder);
  const std::string html = builder.to_html();
  const pugi::xml_document document = parse_html(html);

  const pugi::xml_node root = document.child("html");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("lang").value(), "en");
  EXPECT_STREQ(root.child("head").child("meta").attribute("charset").value(), "utf-8");
  EXPECT_TRUE(root.child("head").child("style"));
  EXPECT_TRUE(document.select_nodes("//script").empty());
  EXPECT_TRUE(document.select_nodes("//*[@src]").empty());
  EXPECT_TRUE(document.select_nodes("//link").empty());

  // Stacked sentiment bars, negative aspect bars and the timeline, each in
  // a wide and a narrow layout.
  const auto charts = document.select_nodes("//*[local-name()='svg']");
  ASSERT_EQ(charts.size(), 6u);
  for (const auto& chart : charts) {
    EXPECT_TRUE(chart.node().child("title")) << chart.node().attribute("aria-labelledby").value();
    EXPECT_TRUE(chart.node().child("desc"));
    EXPECT_STREQ(chart.node().attribute("role").value(), "img");
  }
  EXPECT_GE(document.select_nodes("//table").size(), 4u);
  EXPECT_FALSE(document.select_nodes("//mark[@class='opinion']").empty());
}

TEST(ReportHtml, ResponsiveLayout) {
  ReportBuilder builder;
  add_small_set(builder);
  const std::string html = builder.to_html();
  const pugi::xml_document document = parse_html(html);

  const auto viewport = document.select_node("//meta[@name='viewport']");
  ASSERT_TRUE(viewport);
  EXPECT_STREQ(viewport.node().attribute("content").value(), "width=device-width, initial-scale=1");

  // Every table scrolls in its own box.
  const auto tables = document.select_nodes("//table");
  ASSERT_FALSE(tables.empty());
  for (const auto& table : tables) {
    EXPECT_STREQ(table.node().parent().name(), "div");
    EXPECT_STREQ(table.node().parent().attribute("class").value(), "table-scroll");
  }

  // Each chart comes in a wide and a narrow layout; CSS shows one per width.
  const auto wide = document.select_nodes("//*[local-name()='svg'][@class='chart wide']");
  const auto narrow = document.select_nodes("//*[local-name()='svg'][@class='chart narrow']");
  EXPECT_EQ(wide.size(), 3u);
  EXPECT_EQ(narrow.size(), 3u);
  for (const auto& chart : wide) EXPECT_EQ(std::string(chart.node().attribute("viewBox").value()).rfind("0 0 760.0 ", 0), 0u);
  for (const auto& chart : narrow) EXPECT_EQ(std::string(chart.node().attribute("viewBox").value()).rfind("0 0 360.0 ", 0), 0u);
  EXPECT_NE(html.find("@media (max-width: 700px)"), std::string::npos);

  // Ids stay unique although every chart is drawn twice.
  std::set<std::string> ids;
  for (const auto& node : document.select_nodes("//*[@id]")) {
    EXPECT_TRUE(ids.insert(node.node().attribute("id").value()).second) << node.node().attribute("id").value();
  }
}

TEST(ReportHtml, SnippetEscapedOnce) {
  ReportBuilder builder;
  const std::string text = "客服说\"正常\" & <盒子>破了，太差了";
  builder.add(make_item("r1", "", ""),
              make_analysis("negative", -0.9f, text, {mention_in(text, "packaging", "盒子", "破了", "negative")}));
  const std::string html = builder.to_html();
  EXPECT_NE(html.find("客服说&quot;正常&quot; &amp; &lt;<mark class=\"aspect\">盒子</mark>&gt;"), std::string::npos)
      << html;
  EXPECT_EQ(html.find("&amp;amp;"), std::string::npos);
  EXPECT_EQ(html.find("&amp;quot;"), std::string::npos);

  const pugi::xml_document document = parse_html(html);
  const auto item = document.select_node("//ul[@class='examples']/li");
  ASSERT_TRUE(item);
  std::string all_text;
  for (const auto& node : item.node().select_nodes(".//text()")) all_text += node.node().value();
  EXPECT_NE(all_text.find(text), std::string::npos) << all_text;
}

TEST(ReportHtml, ChineseLanguage) {
  LanguageGuard guard(Language::zh);
  ReportBuilder builder;
  add_small_set(builder);
  const std::string html = builder.to_html();
  const pugi::xml_document document = parse_html(html);
  EXPECT_STREQ(document.child("html").attribute("lang").value(), "zh-CN");
  EXPECT_NE(html.find("<title>用户反馈报告</title>"), std::string::npos);
  EXPECT_NE(html.find("按类目的情感分布"), std::string::npos);
}

TEST(ReportHtml, EmptyReportWellFormed) {
  ReportBuilder builder;
  const std::string html = builder.to_html();
  parse_html(html);
  EXPECT_NE(html.find("No items were analyzed."), std::string::npos);
}

TEST(ReportWrite, ChoosesFormatByExtension) {
  const auto folder = std::filesystem::temp_directory_path() / fmt::format("shopsight_report_{}", ::getpid());
  std::filesystem::create_directories(folder);
  ReportBuilder builder;
  add_small_set(builder);

  for (const char* name : {"r.md", "r.MARKDOWN", "r.html", "r.HTM", "r.json"}) {
    const auto path = (folder / name).string();
    builder.write(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    const std::string text = content.str();
    ASSERT_FALSE(text.empty()) << name;
    const std::string extension = std::filesystem::path(name).extension().string();
    if (extension == ".md" || extension == ".MARKDOWN") {
      EXPECT_EQ(text.rfind("# ", 0), 0u) << name;
    } else if (extension == ".json") {
      EXPECT_EQ(json::parse(text)["totals"]["items"], 4);
    } else {
      EXPECT_EQ(text.rfind("<!DOCTYPE html>", 0), 0u) << name;
    }
  }
  std::filesystem::remove_all(folder);
}

TEST(ReportWrite, UnknownExtensionThrows) {
  ReportBuilder builder;
  add_small_set(builder);
  const auto path = (std::filesystem::temp_directory_path() / "shopsight_report.pdf").string();
  try {
    builder.write(path);
    FAIL() << "no error for .pdf";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(".pdf"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(builder.write("report"), Error);
}

TEST(ReportWrite, MissingFolderThrows) {
  ReportBuilder builder;
  EXPECT_THROW(builder.write("/nonexistent-folder/shopsight/report.md"), Error);
}

TEST(ReportOptions, InvalidTimeZoneThrows) {
  ReportOptions options;
  options.timezone = "Mars/Olympus";
  EXPECT_THROW(ReportBuilder{options}, Error);
}

TEST(ReportOptions, NegativeCountThrows) {
  ReportOptions options;
  options.top_aspects = -1;
  EXPECT_THROW(ReportBuilder{options}, Error);
}

TEST(ReportSnippet, CutsAtCodePointBoundaries) {
  // Three-byte ideographs and four-byte emoji, so a byte-based cut would
  // split a character at almost every window size.
  const std::string text = "第一天😀很开心，第二天😡物流太慢了😭等了好久🚚还是没有到，最后客服🙏道歉了。";
  AspectMention mention = mention_in(text, "logistics", "物流", "太慢", "negative");
  for (std::int32_t size = 1; size <= 45; ++size) {
    const auto snippet = report::make_snippet(text, mention, size);
    ASSERT_TRUE(snippet) << size;
    EXPECT_TRUE(utf8::is_valid(snippet->text)) << size;
    EXPECT_LE(utf8::length(snippet->text), size + 2) << size;
    EXPECT_NE(snippet->opinion_begin, -1) << size;
    if (size < utf8::length(text)) {
      EXPECT_NE(snippet->text.find("\xE2\x80\xA6"), std::string::npos) << size;
    } else {
      EXPECT_EQ(snippet->text, text) << size;
    }
  }
}

TEST(ReportSnippet, OffsetsPointAtTerms) {
  const std::string text = "包装很好看，但是😡物流太慢了，等了九天才到，客服也不回复消息。";
  const auto snippet = report::make_snippet(text, mention_in(text, "logistics", "物流", "太慢", "negative"), 12);
  ASSERT_TRUE(snippet);
  EXPECT_EQ(utf8::substr(snippet->text, snippet->aspect_begin, snippet->aspect_end), "物流");
  EXPECT_EQ(utf8::substr(snippet->text, snippet->opinion_begin, snippet->opinion_end), "太慢");

  const auto parts = report::split_snippet(*snippet);
  std::string joined;
  int highlighted = 0;
  for (const auto& part : parts) {
    joined += part.text;
    if (part.role != report::SnippetPart::Role::plain) ++highlighted;
  }
  EXPECT_EQ(joined, snippet->text);
  EXPECT_EQ(highlighted, 2);
}

TEST(ReportSnippet, PrefersSentenceBoundaries) {
  const std::string text = "面料很好。物流太慢了！下次不买";
  const auto snippet = report::make_snippet(text, mention_in(text, "logistics", "物流", "太慢", "negative"), 40);
  ASSERT_TRUE(snippet);
  EXPECT_EQ(snippet->text, "物流太慢了！");
}

TEST(ReportSnippet, WholeShortTextAndLineBreaks) {
  const std::string text = "物流\n太慢";
  const auto snippet = report::make_snippet(text, mention_in(text, "logistics", "", "太慢", "negative"), 40);
  ASSERT_TRUE(snippet);
  EXPECT_EQ(snippet->text, "太慢");

  const std::string flat = "Shipping was slow";
  const auto whole = report::make_snippet(flat, mention_in(flat, "logistics", "Shipping", "slow", "negative"), 40);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->text, flat);
  EXPECT_EQ(whole->aspect_begin, 0);
  EXPECT_EQ(whole->opinion_end, 17);
}

TEST(ReportSnippet, KeepsEnglishWordsWhole) {
  const std::string text = "It gets very hot while charging and the capacity seems lower than advertised by far";
  const auto mention = mention_in(text, "function", "capacity", "lower", "negative");
  for (std::int32_t size = 20; size <= 60; ++size) {
    const auto snippet = report::make_snippet(text, mention, size);
    ASSERT_TRUE(snippet) << size;
    EXPECT_EQ(utf8::substr(snippet->text, snippet->aspect_begin, snippet->aspect_end), "capacity") << size;

    // Every word of the snippet, ellipses aside, is a whole word of the text.
    std::string without_ellipses = snippet->text;
    for (const std::string ellipsis = "\xE2\x80\xA6"; without_ellipses.find(ellipsis) != std::string::npos;) {
      without_ellipses.replace(without_ellipses.find(ellipsis), ellipsis.size(), " ");
    }
    std::istringstream words(without_ellipses);
    for (std::string word; words >> word;) {
      EXPECT_NE((" " + text + " ").find(" " + word + " "), std::string::npos) << size << ": " << snippet->text;
    }
  }
}

TEST(ReportSnippet, RejectsBadSpans) {
  AspectMention mention;
  mention.opinion_begin = 5;
  mention.opinion_end = 50;
  EXPECT_FALSE(report::make_snippet("short", mention, 10));
  mention.opinion_begin = -1;
  mention.opinion_end = -1;
  EXPECT_FALSE(report::make_snippet("short", mention, 10));
  mention.opinion_begin = 0;
  mention.opinion_end = 2;
  EXPECT_FALSE(report::make_snippet("\xFF\xFE bad", mention, 10));
}

}  // namespace
}  // namespace shopsight

namespace shopsight {
namespace {

// The quick start analyzes the example files, so they must read cleanly.
TEST(ExampleData, ReviewsReadWithoutRejects) {
  ReaderOptions options;
  options.path = std::string(SHOPSIGHT_DATA_DIR) + "/examples/reviews.csv";
  options.timezone = "Asia/Shanghai";
  auto reader = Reader::open(options);
  Item item;
  Reject reject;
  int items = 0;
  int rejects = 0;
  int multi_line = 0;
  ReadStatus status;
  while ((status = reader->next(item, reject)) != ReadStatus::end) {
    if (status == ReadStatus::rejected) {
      ++rejects;
      ADD_FAILURE() << "line " << reject.line << ": " << reject.reason;
      continue;
    }
    ++items;
    EXPECT_TRUE(item.time.has_value()) << item.id;
    EXPECT_TRUE(item.rating.has_value()) << item.id;
    EXPECT_FALSE(item.product.empty()) << item.id;
    EXPECT_FALSE(item.category.empty()) << item.id;
    if (item.text.find('\n') != std::string::npos) ++multi_line;
  }
  EXPECT_EQ(items, 100);
  EXPECT_EQ(rejects, 0);
  EXPECT_EQ(multi_line, 1);
}

TEST(ExampleData, ChatsReadWithChannels) {
  ReaderOptions options;
  options.path = std::string(SHOPSIGHT_DATA_DIR) + "/examples/chats.jsonl";
  options.columns.channel = "channel";
  auto reader = Reader::open(options);
  Item item;
  Reject reject;
  int queries = 0;
  int chats = 0;
  ReadStatus status;
  while ((status = reader->next(item, reject)) != ReadStatus::end) {
    ASSERT_EQ(status, ReadStatus::item) << reject.reason;
    if (item.channel == "query") ++queries;
    if (item.channel == "chat") ++chats;
  }
  EXPECT_EQ(queries, 4);
  EXPECT_EQ(chats, 6);
}

}  // namespace
}  // namespace shopsight

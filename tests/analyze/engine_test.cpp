#include <gtest/gtest.h>

#include "analyze/analyze.h"
#include "common/utf8.h"
#include "shared_engine.h"

namespace shopsight {
namespace {

Item make_item(const std::string& text) {
  Item item;
  item.id = "1";
  item.text = text;
  return item;
}

using EngineTest = SharedEngineTest;

TEST_F(EngineTest, ClearSentimentInBothLanguages) {
  EXPECT_EQ(engine_->analyze(make_item("质量非常好，物流也很快，很满意，下次还来买")).sentiment.label, "positive");
  EXPECT_EQ(engine_->analyze(make_item("太差了，质量很烂，客服也不理人，退货")).sentiment.label, "negative");
  EXPECT_EQ(engine_->analyze(make_item("Love this dress, fits perfectly and the fabric is soft.")).sentiment.label,
            "positive");
  EXPECT_EQ(engine_->analyze(make_item("Terrible quality, it ripped after one wash. Returned it.")).sentiment.label,
            "negative");
}

TEST_F(EngineTest, ProbabilityAndScoreInRange) {
  const Analysis analysis = engine_->analyze(make_item("还行吧"));
  EXPECT_GE(analysis.sentiment.probability, 0.0f);
  EXPECT_LE(analysis.sentiment.probability, 1.0f);
  EXPECT_GE(analysis.sentiment.score, -1.0f);
  EXPECT_LE(analysis.sentiment.score, 1.0f);
}

TEST_F(EngineTest, AspectSpansPointIntoOriginalText) {
  // Traditional characters and full-width letters change during
  // normalization; spans must still index the text as the user wrote it.
  const std::string text = "ＸＬ碼的衣服，物流太慢了，包裝也破了";
  const Analysis analysis = engine_->analyze(make_item(text));
  ASSERT_FALSE(analysis.aspects.empty());
  const auto length = utf8::length(text);
  bool found_logistics = false;
  for (const AspectMention& mention : analysis.aspects) {
    if (mention.aspect_begin >= 0) {
      EXPECT_LE(mention.aspect_end, length);
      EXPECT_EQ(mention.aspect, utf8::substr(text, mention.aspect_begin, mention.aspect_end));
    }
    if (mention.opinion_begin >= 0) {
      EXPECT_LE(mention.opinion_end, length);
      EXPECT_EQ(mention.opinion, utf8::substr(text, mention.opinion_begin, mention.opinion_end));
    }
    if (mention.category == "logistics") {
      found_logistics = true;
      EXPECT_EQ(mention.polarity, "negative");
    }
  }
  EXPECT_TRUE(found_logistics);
}

TEST_F(EngineTest, MasksPhoneNumberInOutputText) {
  const Analysis analysis = engine_->analyze(make_item("快递员电话13812345678打不通，差评"));
  EXPECT_EQ(analysis.masked_text.find("13812345678"), std::string::npos);
  EXPECT_EQ(analysis.normalized_text.find("13812345678"), std::string::npos);
  EXPECT_EQ(utf8::length(analysis.masked_text), utf8::length("快递员电话13812345678打不通，差评"));
}

TEST_F(EngineTest, MaskedTextWithoutMarkup) {
  // Scraped reviews carry references, some escaped twice, and tags.
  const std::string text = "&ldquo;物流&rdquo;太慢了&hellip;&hellip;<br>包装也破了，客服说&amp;quot;正常&amp;quot;";
  const std::string shown = "“物流”太慢了…… 包装也破了，客服说\"正常\"";
  const Analysis analysis = engine_->analyze(make_item(text));
  EXPECT_EQ(analysis.masked_text, shown);

  ASSERT_FALSE(analysis.aspects.empty());
  const auto length = utf8::length(shown);
  bool found_logistics = false;
  for (const AspectMention& mention : analysis.aspects) {
    if (mention.aspect_begin >= 0) {
      EXPECT_LE(mention.aspect_end, length);
      EXPECT_EQ(mention.aspect, utf8::substr(shown, mention.aspect_begin, mention.aspect_end));
    }
    if (mention.opinion_begin >= 0) {
      EXPECT_LE(mention.opinion_end, length);
      EXPECT_EQ(mention.opinion, utf8::substr(shown, mention.opinion_begin, mention.opinion_end));
    }
    if (mention.category == "logistics" && mention.aspect == "物流") found_logistics = true;
  }
  EXPECT_TRUE(found_logistics);
}

TEST_F(EngineTest, MarkupKeptWhenStrippingIsOff) {
  EngineOptions options;
  options.normalize.strip_html = false;
  const Engine engine(options);
  const Analysis analysis = engine.analyze(make_item("好&hellip;"));
  EXPECT_EQ(analysis.masked_text, "好&hellip;");
}

TEST_F(EngineTest, KeepsPersonalDataWhenAsked) {
  EngineOptions options;
  options.normalize.mask_personal_data = false;
  const Engine engine(options);
  const Analysis analysis = engine.analyze(make_item("电话13812345678"));
  EXPECT_NE(analysis.masked_text.find("13812345678"), std::string::npos);
}

TEST_F(EngineTest, KeywordsComeFromTheText) {
  const Analysis analysis = engine_->analyze(make_item("电池续航很差，充电器也发烫"));
  ASSERT_FALSE(analysis.keywords.empty());
  for (const Keyword& keyword : analysis.keywords) {
    EXPECT_NE(analysis.normalized_text.find(keyword.word), std::string::npos) << keyword.word;
  }
}

TEST(Engine, MissingModelFolderIsAnError) {
  EngineOptions options;
  options.model_dir = "/nonexistent/shopsight-model";
  EXPECT_THROW(Engine{options}, std::exception);
}

}  // namespace
}  // namespace shopsight

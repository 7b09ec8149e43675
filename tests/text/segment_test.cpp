#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/utf8.h"
#include "text/text.h"

namespace shopsight {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& token : segment(text)) {
    if (token.is_word) out.push_back(token.text);
  }
  return out;
}

TEST(Segment, ChineseWords) {
  EXPECT_EQ(words("物流很快"), (std::vector<std::string>{"物流", "很快"}));
  EXPECT_EQ(words("这个产品质量很好"), (std::vector<std::string>{"这个", "产品", "质量", "很好"}));
  EXPECT_EQ(words("质量不错"), (std::vector<std::string>{"质量", "不错"}));
}

TEST(Segment, ShoppingLexicon) {
  // ICU alone gives 客 服, 发 货, 性 价 比高 and 尺 码.
  EXPECT_EQ(words("客服态度差,发货慢"), (std::vector<std::string>{"客服", "态度", "差", "发货", "慢"}));
  EXPECT_EQ(words("性价比高"), (std::vector<std::string>{"性价比", "高"}));
  EXPECT_EQ(words("就是尺码偏小"), (std::vector<std::string>{"就是", "尺码", "偏小"}));
  EXPECT_EQ(words("物美价廉"), (std::vector<std::string>{"物美价廉"}));
}

TEST(Segment, LexiconAfterLeadingAdverb) {
  // ICU alone gives 是正 品 and 很好 用.
  EXPECT_EQ(words("是正品"), (std::vector<std::string>{"是", "正品"}));
  EXPECT_EQ(words("很好用"), (std::vector<std::string>{"很", "好用"}));
  EXPECT_EQ(words("还好吧"), (std::vector<std::string>{"还好", "吧"}));
}

TEST(Segment, LexiconKeepsIcuWords) {
  // A two-character entry (差评) must not take a character from ICU's word 评价.
  EXPECT_EQ(words("很差评价"), (std::vector<std::string>{"很", "差", "评价"}));
  EXPECT_EQ(words("北京东路"), (std::vector<std::string>{"北京", "东", "路"}));
}

TEST(Segment, LexiconOffsets) {
  const std::string text = "好!性价比高";
  const auto tokens = segment(text);
  ASSERT_EQ(tokens.size(), 4U);
  for (const auto& token : tokens) {
    EXPECT_EQ(utf8::substr(text, token.begin, token.end), token.text);
  }
  EXPECT_EQ(tokens[2].begin, 2);
  EXPECT_EQ(tokens[2].end, 5);
  EXPECT_EQ(tokens[3].begin, 5);
  EXPECT_EQ(tokens[3].end, 6);
}

TEST(Segment, EnglishWords) {
  EXPECT_EQ(words("i love this dress, don't you?"),
            (std::vector<std::string>{"i", "love", "this", "dress", "don't", "you"}));
  EXPECT_EQ(words("5000mah battery 3.5 stars"), (std::vector<std::string>{"5000mah", "battery", "3.5", "stars"}));
}

TEST(Segment, OffsetsInCodePoints) {
  const std::string text = "好评 good,质量";
  const auto tokens = segment(text);
  ASSERT_EQ(tokens.size(), 4U);
  for (const auto& token : tokens) {
    EXPECT_EQ(utf8::substr(text, token.begin, token.end), token.text);
  }
  EXPECT_EQ(tokens[0].begin, 0);
  EXPECT_EQ(tokens[0].end, 2);
  EXPECT_EQ(tokens[1].begin, 3);
  EXPECT_EQ(tokens[1].end, 7);
  EXPECT_EQ(tokens[3].begin, 8);
  EXPECT_EQ(tokens[3].end, 10);
}

TEST(Segment, PunctuationAndEmojiAreNotWords) {
  const auto tokens = segment("好!😀。");
  ASSERT_EQ(tokens.size(), 4U);
  EXPECT_TRUE(tokens[0].is_word);
  EXPECT_FALSE(tokens[1].is_word);
  EXPECT_EQ(tokens[2].text, "😀");
  EXPECT_FALSE(tokens[2].is_word);
  EXPECT_FALSE(tokens[3].is_word);
}

// Characters outside the Basic Multilingual Plane take two UTF-16 units in
// ICU but one code point in token offsets.
TEST(Segment, OffsetsAfterAstralCharacters) {
  const std::string text = "😀😀好评 𠀀 nice 质量";
  const auto tokens = segment(text);
  ASSERT_FALSE(tokens.empty());
  for (const auto& token : tokens) {
    EXPECT_EQ(utf8::substr(text, token.begin, token.end), token.text);
  }
  EXPECT_EQ(tokens.back().text, "质量");
  EXPECT_EQ(tokens.back().begin, 12);
  EXPECT_EQ(tokens.back().end, 14);
}

TEST(Segment, WhitespaceDropped) {
  const auto tokens = segment("  a  b ");
  ASSERT_EQ(tokens.size(), 2U);
  EXPECT_EQ(tokens[0].begin, 2);
  EXPECT_EQ(tokens[1].begin, 5);
}

TEST(Segment, MaskedRunIsOneToken) {
  const auto tokens = segment("电话***********谢谢");
  ASSERT_EQ(tokens.size(), 3U);
  EXPECT_EQ(tokens[1].text, "***********");
  EXPECT_FALSE(tokens[1].is_word);
  EXPECT_EQ(tokens[1].begin, 2);
  EXPECT_EQ(tokens[1].end, 13);
}

TEST(Segment, EmptyText) {
  EXPECT_TRUE(segment("").empty());
}

TEST(Segment, SameResultsFromSeveralThreads) {
  const std::vector<std::string> texts = {"物流很快,包装太随便了,性价比高,质量不错", "i love this dress",
                                          "这款iphone的battery很好用", "衣服质量很好,就是尺码偏小"};
  std::vector<std::vector<Token>> expected;
  for (const auto& text : texts) expected.push_back(segment(text));

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 300; ++round) {
        const auto& text = texts[static_cast<std::size_t>(round + t) % texts.size()];
        const auto tokens = segment(text);
        const auto& want = expected[static_cast<std::size_t>(round + t) % texts.size()];
        bool same = tokens.size() == want.size();
        for (std::size_t i = 0; same && i < tokens.size(); ++i) {
          same = tokens[i].text == want[i].text && tokens[i].begin == want[i].begin && tokens[i].end == want[i].end &&
                 tokens[i].is_word == want[i].is_word;
        }
        if (!same) ++mismatches[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[static_cast<std::size_t>(t)], 0) << "thread " << t;
}

TEST(StopWords, ChineseAndEnglish) {
  for (const char* word : {"的", "了", "是", "我", "很", "吧", "这个", "the", "a", "and", "is", "it", "The"}) {
    EXPECT_TRUE(is_stop_word(word)) << word;
  }
}

TEST(StopWords, ContentWordsAndNegations) {
  for (const char* word : {"质量", "物流", "好", "dress", "quality", "不", "没", "没有", "not", "no", "never", ""}) {
    EXPECT_FALSE(is_stop_word(word)) << word;
  }
}

TEST(Document, AllSteps) {
  const Normalizer normalizer;
  const auto document = make_document(normalizer, "<p>這個產品質量很好！</p>");
  EXPECT_EQ(document.normalized.text, "这个产品质量很好!");
  EXPECT_EQ(document.language, "zh");
  ASSERT_EQ(document.tokens.size(), 5U);
  EXPECT_EQ(document.tokens[2].text, "质量");
  EXPECT_EQ(document.normalized.to_source(document.tokens[2].begin, document.tokens[2].end),
            (std::pair<std::int32_t, std::int32_t>(7, 9)));
}

TEST(Document, SearchWordsAreDistinctAndSorted) {
  const Normalizer normalizer;
  const auto document = make_document(normalizer, "质量好，质量真的好! good good quality");
  EXPECT_EQ(search_words(document), "good quality 好 真的 质量");
}

}  // namespace
}  // namespace shopsight

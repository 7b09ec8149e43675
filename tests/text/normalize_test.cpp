#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "text/text.h"

namespace shopsight {
namespace {

std::string normalized(std::string_view text, const NormalizeOptions& options = {}) {
  const Normalizer normalizer(options);
  return normalizer.normalize(text).text;
}

TEST(Normalize, FullWidthToHalfWidth) {
  EXPECT_EQ(normalized("ＡＢＣ１２３"), "abc123");
}

TEST(Normalize, FullWidthPunctuationFollowsNfkc) {
  // NFKC folds the full-width ASCII forms but keeps CJK punctuation.
  EXPECT_EQ(normalized("好，便宜！真的？（是）"), "好,便宜!真的?(是)");
  EXPECT_EQ(normalized("好。便宜、“真”"), "好。便宜、“真”");
}

TEST(Normalize, CompatibilityCharacters) {
  EXPECT_EQ(normalized("ﬁne"), "fine");
  EXPECT_EQ(normalized("㈱"), "(株)");
  EXPECT_EQ(normalized("e\u0301cole"), "\u00E9cole");
  EXPECT_EQ(normalized("ｶﾞ"), "ガ");
}

TEST(Normalize, TraditionalToSimplified) {
  EXPECT_EQ(normalized("這個產品質量很好"), "这个产品质量很好");
  EXPECT_EQ(normalized("乾燥"), "干燥");
}

TEST(Normalize, TraditionalPhraseUsesDictionary) {
  // 覆 alone stays, but the phrase 反覆 becomes 反复.
  EXPECT_EQ(normalized("反覆"), "反复");
  EXPECT_EQ(normalized("乾隆"), "乾隆");
}

TEST(Normalize, TraditionalConversionCanBeOff) {
  NormalizeOptions options;
  options.traditional_to_simplified = false;
  EXPECT_EQ(normalized("這個產品", options), "這個產品");
}

TEST(Normalize, ToSimplifiedAlone) {
  const Normalizer normalizer;
  EXPECT_EQ(normalizer.to_simplified("質量很好"), "质量很好");
}

TEST(Normalize, HtmlTagsAndEntities) {
  EXPECT_EQ(normalized("<b>好</b>&amp;便宜"), "好&便宜");
  EXPECT_EQ(normalized("&lt;3 &#39;ok&#39; &#x4E2D;&#20013;"), "<3 'ok' 中中");
  EXPECT_EQ(normalized("a&nbsp;b"), "a b");
}

TEST(Normalize, HtmlBlockTagsSeparateWords) {
  EXPECT_EQ(normalized("good<br>cheap<br/>fast"), "good cheap fast");
  EXPECT_EQ(normalized("<p>one</p><p>two</p>"), "one two");
}

TEST(Normalize, HtmlScriptCommentAndAttributes) {
  EXPECT_EQ(normalized("a<script>alert(1)</script>b"), "ab");
  EXPECT_EQ(normalized("a<!-- note -->b"), "ab");
  EXPECT_EQ(normalized("i like <script> tags"), "i like tags");
  EXPECT_EQ(normalized("a<style>x</style>b<style>y"), "aby");
  EXPECT_EQ(normalized("<a href=\"x.html\" class='y'>link</a>"), "link");
}

TEST(Normalize, TextThatIsNotMarkupStays) {
  EXPECT_EQ(normalized("价格<100元"), "价格<100元");
  EXPECT_EQ(normalized("a<b and c>d"), "a<b and c>d");
  EXPECT_EQ(normalized("i <3 it"), "i <3 it");
  EXPECT_EQ(normalized("rock & roll &unknown;"), "rock & roll &unknown;");
}

TEST(Normalize, InvalidNumericReference) {
  EXPECT_EQ(normalized("a&#0;b&#xD800;c"), "a\uFFFDb\uFFFDc");
}

TEST(Normalize, HtmlCanBeOff) {
  NormalizeOptions options;
  options.strip_html = false;
  EXPECT_EQ(normalized("<b>好</b>", options), "<b>好</b>");
}

TEST(Normalize, WhitespaceFoldedAndTrimmed) {
  EXPECT_EQ(normalized("  a \t\n b\u3000\u3000c\u00A0 "), "a b c");
  EXPECT_EQ(normalized("\r\n"), "");
  EXPECT_EQ(normalized(""), "");
}

TEST(Normalize, InvisibleCharactersDropped) {
  EXPECT_EQ(normalized("\xEF\xBB\xBF好\u200B评\x01"), "好评");
}

TEST(Normalize, Lowercase) {
  EXPECT_EQ(normalized("iPhone ΑΒΓ"), "iphone αβγ");
  NormalizeOptions options;
  options.lowercase = false;
  EXPECT_EQ(normalized("iPhone", options), "iPhone");
}

TEST(Normalize, EmojiKept) {
  EXPECT_EQ(normalized("好😀"), "好😀");
  // Family (joiner sequence), flag (tag sequence) and a skin tone survive whole.
  EXPECT_EQ(normalized("👨\u200D👩\u200D👧"), "👨\u200D👩\u200D👧");
  EXPECT_EQ(normalized("🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"),
            "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F");
  EXPECT_EQ(normalized("👍🏽"), "👍🏽");
}

TEST(Normalize, PersonalDataMasked) {
  EXPECT_EQ(normalized("电话13812345678"), "电话***********");
  EXPECT_EQ(normalized("电话１３８１２３４５６７８"), "电话***********");
  EXPECT_EQ(normalized("座机（０１０）６２３４５６７８"), "座机*************");
  NormalizeOptions options;
  options.mask_personal_data = false;
  EXPECT_EQ(normalized("电话13812345678", options), "电话13812345678");
}

TEST(Normalize, InvalidUtf8BecomesReplacement) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("a\xFF" "b");
  EXPECT_EQ(result.text, "a\uFFFDb");
  EXPECT_EQ(result.source_begin.back(), 3);
}

TEST(Normalize, SharedBetweenThreads) {
  const Normalizer normalizer;
  const std::string input = "這個產品<b>質量</b>很好，ＡＢＣ 13812345678 😀";
  const std::string expected = normalizer.normalize(input).text;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (normalizer.normalize(input).text != expected) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace shopsight

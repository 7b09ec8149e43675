#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "text/text.h"

namespace shopsight {
namespace {

std::string normalized(std::string_view text, const NormalizeOptions& options = {}) {
  const Normalizer normalizer(options);
  return normalizer.normalize(text).text;
}

// An input text and its normalized form.
struct Case {
  std::string_view input;
  std::string_view expected;
};

// Checks that each case's input normalizes to its expected text with `options`.
void expect_normalized(std::initializer_list<Case> cases, const NormalizeOptions& options = {}) {
  for (const Case& each : cases) EXPECT_EQ(normalized(each.input, options), each.expected) << each.input;
}

TEST(Normalize, FullWidthToHalfWidth) {
  EXPECT_EQ(normalized("ＡＢＣ１２３"), "abc123");
}

TEST(Normalize, FullWidthPunctuationFollowsNfkc) {
  // NFKC folds the full-width ASCII forms but keeps CJK punctuation.
  expect_normalized({{"好，便宜！真的？（是）", "好,便宜!真的?(是)"}, {"好。便宜、“真”", "好。便宜、“真”"}});
}

TEST(Normalize, CompatibilityCharacters) {
  expect_normalized({{"ﬁne", "fine"}, {"㈱", "(株)"}, {"e\u0301cole", "\u00E9cole"}, {"ｶﾞ", "ガ"}});
}

TEST(Normalize, TraditionalToSimplified) {
  expect_normalized({{"這個產品質量很好", "这个产品质量很好"}, {"乾燥", "干燥"}});
}

TEST(Normalize, TraditionalPhraseUsesDictionary) {
  // 覆 alone stays, but the phrase 反覆 becomes 反复.
  expect_normalized({{"反覆", "反复"}, {"乾隆", "乾隆"}});
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
  expect_normalized({
      {"<b>好</b>&amp;便宜", "好&便宜"},
      {"&lt;3 &#39;ok&#39; &#x4E2D;&#20013;", "<3 'ok' 中中"},
      {"a&nbsp;b", "a b"},
  });
}

TEST(Normalize, HtmlEntitiesOfHtml4) {
  expect_normalized({
      // NFKC turns the ellipsis into three full stops.
      {"好&hellip;&hellip;", "好......"},
      {"&ldquo;都是这样的&rdquo;", "“都是这样的”"},
      {"&bull;&rarr;&cap;&pi;&radic;&omega;&nabla;&acute;", "\u2022\u2192\u2229\u03C0\u221A\u03C9\u2207 \u0301"},
      {"&Omega;&sigmaf;&sup2;&frac12;&there4;", "\u03C9\u03C321\u20442\u2234"},
  });
}

TEST(Normalize, HtmlEntityNamesAreCaseSensitive) {
  const NormalizeOptions keep_case{.traditional_to_simplified = false, .lowercase = false};
  expect_normalized({{"&Eacute;t&eacute;", "\u00C9t\u00E9"}, {"&AMP;&Amp;", "&&Amp;"}, {"&HELLIP;", "&HELLIP;"}},
                    keep_case);
}

TEST(Normalize, HtmlEntitiesEscapedTwice) {
  expect_normalized({
      {"i don&amp;#39;t", "i don't"},
      {"i&amp;amp;#39;m", "i'm"},
      {"an &amp;quot;no&amp;quot;", "an \"no\""},
      {"at&amp;t", "at&t"},
      {"太&amp;&amp;##//", "太&&##//"},
      {"&amp;hellip;", "..."},
  });
}

TEST(DisplayText, WithoutMarkupUnchanged) {
  const std::string text = "  Good\tPRICE, 質量好 &amp no semicolon <3\n";
  const DisplayText shown = make_display_text(text);
  EXPECT_EQ(shown.text, text);
  EXPECT_TRUE(shown.source_begin.empty());
  EXPECT_EQ(shown.from_source(2, 6), std::make_pair(2, 6));
}

TEST(DisplayText, DecodesAndKeepsTheRest) {
  const DisplayText shown = make_display_text("I don&amp;#39;t <b>LIKE</b> 質量&hellip;  ok");
  EXPECT_EQ(shown.text, "I don't LIKE 質量…  ok");
}

TEST(DisplayText, MapsSourceSpans) {
  // Original code points: "a" 0, "&hellip;" 1-8, "<br>" 9-12, "坏" 13.
  const DisplayText shown = make_display_text("a&hellip;<br>坏");
  ASSERT_EQ(shown.text, "a\u2026 坏");
  EXPECT_EQ(shown.from_source(0, 1), std::make_pair(0, 1));
  EXPECT_EQ(shown.from_source(1, 9), std::make_pair(1, 2));
  EXPECT_EQ(shown.from_source(13, 14), std::make_pair(3, 4));
  EXPECT_EQ(shown.from_source(0, 14), std::make_pair(0, 4));
  // A span that starts inside a reference takes the whole decoded character.
  EXPECT_EQ(shown.from_source(4, 14), std::make_pair(1, 4));
}

TEST(Normalize, HtmlBlockTagsSeparateWords) {
  expect_normalized({{"good<br>cheap<br/>fast", "good cheap fast"}, {"<p>one</p><p>two</p>", "one two"}});
}

TEST(Normalize, HtmlScriptCommentAndAttributes) {
  expect_normalized({
      {"a<script>alert(1)</script>b", "ab"},
      {"a<!-- note -->b", "ab"},
      {"i like <script> tags", "i like tags"},
      {"a<style>x</style>b<style>y", "aby"},
      {"<a href=\"x.html\" class='y'>link</a>", "link"},
  });
}

TEST(Normalize, TextThatIsNotMarkupStays) {
  expect_normalized({
      {"价格<100元", "价格<100元"},
      {"a<b and c>d", "a<b and c>d"},
      {"i <3 it", "i <3 it"},
      {"rock & roll &unknown;", "rock & roll &unknown;"},
  });
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
  expect_normalized({{"  a \t\n b\u3000\u3000c\u00A0 ", "a b c"}, {"\r\n", ""}, {"", ""}});
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
  expect_normalized({
      {"好😀", "好😀"},
      // Family (joiner sequence), flag (tag sequence) and a skin tone survive whole.
      {"👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧"},
      {"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
       "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
      {"👍🏽", "👍🏽"},
  });
}

TEST(Normalize, PersonalDataMasked) {
  expect_normalized({
      {"电话13812345678", "电话***********"},
      {"电话１３８１２３４５６７８", "电话***********"},
      {"座机（０１０）６２３４５６７８", "座机*************"},
  });
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

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "text/text.h"

namespace shopsight {
namespace {

using Span = std::pair<std::int32_t, std::int32_t>;

// A span of the normalized text and the span of the original that it maps to.
struct Mapping {
  Span normalized;
  Span source;
};

// Checks that each normalized span of `result` maps back to its source span.
void expect_mappings(const NormalizedText& result, std::initializer_list<Mapping> mappings) {
  for (const auto& [normalized, source] : mappings) {
    EXPECT_EQ(result.to_source(normalized.first, normalized.second), source)
        << "span " << normalized.first << " to " << normalized.second;
  }
}

// Checks what every normalized text must satisfy, whatever the input.
void expect_valid_map(const NormalizedText& result, std::string_view original) {
  const auto original_length = static_cast<std::int32_t>(utf8::decode(original).size());
  const auto length = utf8::length(result.text);
  ASSERT_EQ(result.source_begin.size(), static_cast<std::size_t>(length) + 1) << original;
  ASSERT_EQ(result.source_end.size(), static_cast<std::size_t>(length)) << original;
  EXPECT_EQ(result.source_begin.back(), original_length) << original;

  for (std::int32_t i = 0; i < length; ++i) {
    EXPECT_GE(result.source_begin[i], 0) << original;
    EXPECT_LT(result.source_begin[i], result.source_end[i]) << original << " at " << i;
    EXPECT_LE(result.source_end[i], original_length) << original;
    if (i > 0) {
      EXPECT_LE(result.source_begin[i - 1], result.source_begin[i]) << original << " at " << i;
      EXPECT_LE(result.source_end[i - 1], result.source_end[i]) << original << " at " << i;
    }
  }

  for (std::int32_t begin = 0; begin <= length; ++begin) {
    for (std::int32_t end = begin; end <= length; ++end) {
      const auto [source_begin, source_end] = result.to_source(begin, end);
      EXPECT_LE(0, source_begin) << original;
      EXPECT_LE(source_begin, source_end) << original;
      EXPECT_LE(source_end, original_length) << original;
      if (end > begin) {
        EXPECT_LT(source_begin, source_end) << original;
      }
    }
  }
}

TEST(Offsets, PlainTextIsIdentity) {
  const Normalizer normalizer;
  for (const std::string text : {"物流很快，包装太随便了", "good value for money", "质量不错 quality ok"}) {
    const auto result = normalizer.normalize(text);
    const auto length = utf8::length(result.text);
    ASSERT_EQ(length, utf8::length(text)) << text;
    for (std::int32_t begin = 0; begin < length; ++begin) {
      for (std::int32_t end = begin + 1; end <= length; ++end) {
        EXPECT_EQ(result.to_source(begin, end), Span(begin, end)) << text;
      }
    }
  }
}

TEST(Offsets, ThroughHtml) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("<b>好</b>&amp;便宜");
  ASSERT_EQ(result.text, "好&便宜");
  expect_mappings(result, {{{0, 1}, {3, 4}}, {{1, 2}, {8, 13}}, {{2, 4}, {13, 15}}, {{0, 4}, {3, 15}}});
}

TEST(Offsets, ThroughNumericReference) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("x&#x4E2D;y");
  ASSERT_EQ(result.text, "x中y");
  expect_mappings(result, {{{1, 2}, {1, 9}}, {{2, 3}, {9, 10}}});
}

TEST(Offsets, ThroughNfkc) {
  const Normalizer normalizer;
  const auto ligature = normalizer.normalize("ﬁne");
  ASSERT_EQ(ligature.text, "fine");
  expect_mappings(ligature, {{{0, 1}, {0, 1}}, {{1, 2}, {0, 1}}, {{2, 4}, {1, 3}}});

  const auto composed = normalizer.normalize("e\u0301cole");
  ASSERT_EQ(composed.text, "\u00E9cole");
  expect_mappings(composed, {{{0, 1}, {0, 2}}, {{1, 5}, {2, 6}}});

  const auto ellipsis = normalizer.normalize("好…");
  ASSERT_EQ(ellipsis.text, "好...");
  expect_mappings(ellipsis, {{{1, 4}, {1, 2}}});
}

TEST(Offsets, ThroughWhitespace) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("  ab \t\n cd  ");
  ASSERT_EQ(result.text, "ab cd");
  expect_mappings(result, {{{0, 2}, {2, 4}}, {{2, 3}, {4, 5}}, {{3, 5}, {8, 10}}});
  EXPECT_EQ(result.source_begin.back(), 12);
}

TEST(Offsets, ThroughConversionAndMasking) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("這個產品 電話13812345678");
  ASSERT_EQ(result.text, "这个产品 电话***********");
  expect_mappings(result, {{{0, 4}, {0, 4}}, {{7, 18}, {7, 18}}});
}

TEST(Offsets, EmptyAndOutOfRangeSpans) {
  const Normalizer normalizer;
  const auto result = normalizer.normalize("<i>ab</i>");
  ASSERT_EQ(result.text, "ab");
  expect_mappings(result, {{{1, 1}, {4, 4}}, {{-5, 99}, {3, 5}}, {{2, 2}, {9, 9}}});
}

TEST(Offsets, WithoutEndOffsets) {
  // Callers that build NormalizedText themselves may leave source_end empty.
  NormalizedText result;
  result.text = "abc";
  result.source_begin = {0, 0, 4, 6};
  expect_mappings(result, {{{0, 1}, {0, 4}}, {{2, 3}, {4, 6}}});
}

TEST(Offsets, MixedInputsStayInside) {
  const std::vector<std::string> pieces = {
      "好", "這", "質量", "a", "B", "ＡＢ", "１２", "ﬁ", "…", "e\u0301", "\u3000", " ", "\t\n", "<b>", "</b>",
      "<br>", "&amp;", "&#x4E2D;", "&nbsp;", "<", "&", "😀", "👨\u200D👩", "\u200B", "13812345678", "，", "。",
      "@", "x.y", "㈱", "\xFF"};
  std::mt19937 random(20261204);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(0, 12);
  const Normalizer normalizer;
  for (int round = 0; round < 300; ++round) {
    std::string original;
    const int pieces_in_text = count(random);
    for (int i = 0; i < pieces_in_text; ++i) original += pieces[pick(random)];
    expect_valid_map(normalizer.normalize(original), original);
  }
}

// Every normalized code point that came from one original code point must be
// part of that code point normalized alone, unless it is a mask or a folded space.
TEST(Offsets, RealReviewsMapBack) {
  const std::filesystem::path path = std::filesystem::path(SHOPSIGHT_DATASETS) / "reviews-zh" / "dev.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "data set not found: " << path;

  const Normalizer normalizer;
  NormalizeOptions single_options;
  single_options.mask_personal_data = false;
  const Normalizer single_normalizer(single_options);

  std::ifstream input(path);
  std::string line;
  int lines = 0;
  int mismatches = 0;
  while (std::getline(input, line) && lines < 2000) {
    ++lines;
    const auto result = normalizer.normalize(line);
    expect_valid_map(result, line);
    const auto original = utf8::decode(line);
    const auto normalized = utf8::decode(result.text);
    for (std::size_t i = 0; i < normalized.size(); ++i) {
      const auto begin = result.source_begin[i];
      if (result.source_end[i] != begin + 1 || normalized[i] == U'*' || normalized[i] == U' ') continue;
      const auto alone = single_normalizer.normalize(utf8::encode({original[static_cast<std::size_t>(begin)]})).text;
      const auto alone_code_points = utf8::decode(alone);
      if (std::find(alone_code_points.begin(), alone_code_points.end(), normalized[i]) == alone_code_points.end()) {
        ++mismatches;
        ADD_FAILURE() << "line " << lines << " code point " << i << ": " << result.text;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace shopsight

#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shopsight {
namespace {

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(utf8::is_valid("好评 ok"));
  EXPECT_FALSE(utf8::is_valid("\xC3"));          // truncated
  EXPECT_FALSE(utf8::is_valid("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(utf8::is_valid("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(utf8::is_valid("\xBA\xC3"));      // GBK bytes of 好
}

TEST(Utf8, AllSequencesGivesBytes) {
  std::vector<UChar32> code_points;
  std::vector<std::string> sequences;
  const bool complete = utf8::all_sequences("a好\xFF😀", [&](UChar32 c, std::string_view sequence) {
    code_points.push_back(c);
    sequences.emplace_back(sequence);
    return true;
  });
  EXPECT_TRUE(complete);
  ASSERT_EQ(code_points.size(), 4u);
  EXPECT_EQ(code_points[0], U'a');
  EXPECT_EQ(code_points[1], U'好');
  EXPECT_LT(code_points[2], 0);
  EXPECT_EQ(code_points[3], U'😀');
  EXPECT_EQ(sequences, (std::vector<std::string>{"a", "好", "\xFF", "😀"}));
}

TEST(Utf8, AllCodePointsStopsEarly) {
  int visited = 0;
  EXPECT_FALSE(utf8::all_code_points("ab cd", [&](UChar32 c) {
    ++visited;
    return c != U' ';
  }));
  EXPECT_EQ(visited, 3);
  EXPECT_TRUE(utf8::all_code_points("", [](UChar32) { return false; }));
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(utf8::length("物流很快😀"), 5);
  EXPECT_EQ(utf8::length(""), 0);
}

TEST(Utf8, SubstrUsesCodePoints) {
  EXPECT_EQ(utf8::substr("包装太随便了", 0, 2), "包装");
  EXPECT_EQ(utf8::substr("包装太随便了", 2, 99), "太随便了");
  EXPECT_EQ(utf8::substr("abc", 2, 1), "");
}

TEST(Utf8, DecodeEncodeRoundTrip) {
  const std::string text = "Größe 尺码 👍";
  EXPECT_EQ(utf8::encode(utf8::decode(text)), text);
}

TEST(Utf8, DisplayWidthCountsWideCharacters) {
  EXPECT_EQ(utf8::display_width("--db"), 4u);
  EXPECT_EQ(utf8::display_width("需要: --db"), 10u);
  EXPECT_EQ(utf8::display_width("ＡＢ"), 4u);    // full-width forms
  EXPECT_EQ(utf8::display_width("e\u0301"), 1u);  // e and a combining acute accent
  EXPECT_EQ(utf8::display_width("\xff"), 1u);     // an invalid byte shows as one replacement character
}

TEST(Utf8, PadsByDisplayWidth) {
  EXPECT_EQ(utf8::pad_right("尺码", 6), "尺码  ");
  EXPECT_EQ(utf8::pad_left("尺码", 6), "  尺码");
  EXPECT_EQ(utf8::pad_right("尺码", 3), "尺码");
}

}  // namespace
}  // namespace shopsight

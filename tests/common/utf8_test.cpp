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

TEST(Utf8, AppendManyMatchesAppendOne) {
  // Each boundary between encoded lengths, the surrogates, and values
  // past U+10FFFF. Both forms write surrogates and such values as U+FFFD.
  const std::vector<char32_t> code_points = {0x0,     0x41,    0x7F,    0x80,     0x7FF,    0x800,   0x597D,
                                             0xD7FF,  0xD800,  0xDBFF,  0xDC00,   0xDFFF,   0xE000,  0xFFFD,
                                             0xFFFF,  0x10000, 0x1F44D, 0x10FFFF, 0x110000, 0xFFFFFFFF};
  std::string one_by_one = "prefix ";
  for (const char32_t c : code_points) utf8::append(one_by_one, c);
  std::string all_at_once = "prefix ";
  utf8::append(all_at_once, code_points);
  EXPECT_EQ(all_at_once, one_by_one);
  EXPECT_EQ(all_at_once.substr(all_at_once.size() - 6), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, AppendManyEmpty) {
  std::string text = "好";
  utf8::append(text, std::vector<char32_t>{});
  EXPECT_EQ(text, "好");
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

#include "common/utf8.h"

#include <gtest/gtest.h>

namespace shopsight {
namespace {

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(utf8::is_valid("好评 ok"));
  EXPECT_FALSE(utf8::is_valid("\xC3"));          // truncated
  EXPECT_FALSE(utf8::is_valid("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(utf8::is_valid("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(utf8::is_valid("\xBA\xC3"));      // GBK bytes of 好
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

}  // namespace
}  // namespace shopsight

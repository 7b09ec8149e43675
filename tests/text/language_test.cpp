#include <gtest/gtest.h>

#include "text/text.h"

namespace shopsight {
namespace {

TEST(Language, Chinese) {
  EXPECT_EQ(detect_language("物流很快,包装太随便了"), "zh");
  EXPECT_EQ(detect_language("好"), "zh");
  EXPECT_EQ(detect_language("这个产品质量很好"), "zh");
}

TEST(Language, ChineseWithEnglishWords) {
  EXPECT_EQ(detect_language("这款iphone的battery很好用"), "zh");
  EXPECT_EQ(detect_language("苹果iphone 13 pro max手机很好用"), "zh");
  EXPECT_EQ(detect_language("我の最爱"), "zh");
  EXPECT_EQ(detect_language("不好用,xxxxxxxxxxxxxxxxxxxx"), "zh");
  EXPECT_EQ(detect_language("原文请见http://blog.example.com/31436136_d.html"), "zh");
  EXPECT_EQ(detect_language("好ヾ(^_^)ゞ好ヾ ^_^ 好"), "zh");
}

TEST(Language, English) {
  EXPECT_EQ(detect_language("i love this dress, it fits well"), "en");
  EXPECT_EQ(detect_language("great product"), "en");
  EXPECT_EQ(detect_language("the fabric is thin and the color faded after one wash"), "en");
  EXPECT_EQ(detect_language("naive cafe style, but the size runs small"), "en");
  EXPECT_EQ(detect_language("don't buy it, see https://www.example.com/le/la/les"), "en");
}

TEST(Language, OtherLatin) {
  EXPECT_EQ(detect_language("le produit est très bien, je suis content"), "other");
  EXPECT_EQ(detect_language("das ist sehr gut und nicht teuer"), "other");
  EXPECT_EQ(detect_language("el producto es muy bueno"), "other");
  EXPECT_EQ(detect_language("prodotto molto buono, non costa tanto"), "other");
}

TEST(Language, OtherScripts) {
  EXPECT_EQ(detect_language("この商品はとても良いです"), "other");
  EXPECT_EQ(detect_language("ありがとう"), "other");
  EXPECT_EQ(detect_language("배송이 빨라요 좋아요"), "other");
  EXPECT_EQ(detect_language("очень хороший товар"), "other");
  EXPECT_EQ(detect_language("منتج جيد جدا"), "other");
}

TEST(Language, NoLetters) {
  EXPECT_EQ(detect_language(""), "other");
  EXPECT_EQ(detect_language("😀😀 123 !!!"), "other");
}

}  // namespace
}  // namespace shopsight

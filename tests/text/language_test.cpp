#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "text/text.h"

namespace shopsight {
namespace {

// Checks that detect_language labels every one of `texts` as `language`.
void expect_language(std::initializer_list<std::string_view> texts, std::string_view language) {
  for (const std::string_view text : texts) EXPECT_EQ(detect_language(text), language) << text;
}

TEST(Language, Chinese) {
  expect_language({"物流很快,包装太随便了", "好", "这个产品质量很好"}, "zh");
}

TEST(Language, ChineseWithEnglishWords) {
  expect_language({"这款iphone的battery很好用", "苹果iphone 13 pro max手机很好用", "我の最爱",
                   "不好用,xxxxxxxxxxxxxxxxxxxx", "原文请见http://blog.example.com/31436136_d.html",
                   "好ヾ(^_^)ゞ好ヾ ^_^ 好"},
                  "zh");
}

TEST(Language, English) {
  expect_language({"i love this dress, it fits well", "great product",
                   "the fabric is thin and the color faded after one wash",
                   "naive cafe style, but the size runs small",
                   "don't buy it, see https://www.example.com/le/la/les"},
                  "en");
}

TEST(Language, OtherLatin) {
  expect_language({"le produit est très bien, je suis content", "das ist sehr gut und nicht teuer",
                   "el producto es muy bueno", "prodotto molto buono, non costa tanto"},
                  "other");
}

TEST(Language, OtherScripts) {
  expect_language({"この商品はとても良いです", "ありがとう", "배송이 빨라요 좋아요", "очень хороший товар",
                   "منتج جيد جدا"},
                  "other");
}

TEST(Language, NoLetters) {
  expect_language({"", "😀😀 123 !!!"}, "other");
}

}  // namespace
}  // namespace shopsight

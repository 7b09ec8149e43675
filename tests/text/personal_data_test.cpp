#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/text.h"

namespace shopsight {
namespace {

struct Expected {
  PersonalData kind;
  std::int32_t begin;
  std::int32_t end;
};

void expect_spans(std::string_view text, const std::vector<Expected>& expected) {
  const auto spans = find_personal_data(text);
  ASSERT_EQ(spans.size(), expected.size()) << text;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].kind, expected[i].kind) << text << " match " << i;
    EXPECT_EQ(spans[i].begin, expected[i].begin) << text << " match " << i;
    EXPECT_EQ(spans[i].end, expected[i].end) << text << " match " << i;
  }
}

TEST(PersonalData, MobilePhone) {
  expect_spans("电话13812345678", {{PersonalData::phone, 2, 13}});
  expect_spans("call 138-1234-5678 now", {{PersonalData::phone, 5, 18}});
  expect_spans("138 1234 5678", {{PersonalData::phone, 0, 13}});
  expect_spans("+86 138 1234 5678", {{PersonalData::phone, 0, 17}});
  expect_spans("+8613812345678", {{PersonalData::phone, 0, 14}});
  expect_spans("86-13812345678。", {{PersonalData::phone, 0, 14}});
  expect_spans("手机:１３８１２３４５６７８", {{PersonalData::phone, 3, 14}});
}

TEST(PersonalData, TaiwanMobile) {
  expect_spans("手機0912345678", {{PersonalData::phone, 2, 12}});
  expect_spans("0912-345-678", {{PersonalData::phone, 0, 12}});
  expect_spans("0912 345 678 thanks", {{PersonalData::phone, 0, 12}});
  expect_spans("0812345678", {});    // mobile numbers start with 09
  expect_spans("091234567", {});     // nine digits
  expect_spans("09123456789", {});   // eleven digits
  expect_spans("09-1234-5678", {});  // not a phone grouping
}

TEST(PersonalData, MobileNotMatched) {
  expect_spans("12812345678", {});    // second digit must be 3 to 9
  expect_spans("1381234567", {});     // ten digits
  expect_spans("138123456789", {});   // twelve digits
  expect_spans("sn13812345678", {});  // part of a serial number
  expect_spans("13-8123-45678", {});  // not a phone grouping
}

TEST(PersonalData, Landline) {
  expect_spans("座机 010-62345678", {{PersonalData::phone, 3, 15}});
  expect_spans("0755 2345678", {{PersonalData::phone, 0, 12}});
  expect_spans("电话(010)62345678", {{PersonalData::phone, 2, 15}});
  expect_spans("(0755) 2345678.", {{PersonalData::phone, 0, 14}});
  expect_spans("(010)12345678", {});
  expect_spans("(2023)62345678", {});
  expect_spans("010-0234567", {});  // local numbers do not start with 0 or 1
  expect_spans("010-12345678", {});
  expect_spans("2023-12345678", {});
}

TEST(PersonalData, InternationalPhone) {
  expect_spans("call +1 415-555-0199 today", {{PersonalData::phone, 5, 20}});
  expect_spans("+44 20 7946 0958", {{PersonalData::phone, 0, 16}});
  expect_spans("评分 +5 分，+100 元", {});     // too few digits
  expect_spans("+12345678901234567", {});     // more than 15 digits
  expect_spans("+1 415-555-0199abc", {});     // glued to a word
}

TEST(PersonalData, Email) {
  expect_spans("邮箱abc.d+shop@qq.com谢谢", {{PersonalData::email, 2, 19}});
  expect_spans("mail me: john_doe@mail.example.co.uk.", {{PersonalData::email, 9, 36}});
  expect_spans("13812345678@163.com", {{PersonalData::email, 0, 19}});
  expect_spans("@home", {});
  expect_spans("a@b", {});
  expect_spans("a@b.c", {});
  expect_spans("x@.com", {});
}

TEST(PersonalData, ResidentId) {
  // Check characters computed with the ISO 7064 MOD 11-2 weights.
  expect_spans("身份证11010519491231002X", {{PersonalData::id_card, 3, 21}});
  expect_spans("id 11010519491231002x ok", {{PersonalData::id_card, 3, 21}});
  expect_spans("110105188001010017", {});   // valid check digit, but born in 1880
  expect_spans("110105194913310021", {});   // month 13
  expect_spans("110105194902300021", {});   // February 30
  expect_spans("990105194912310021", {});   // no province 99
}

TEST(PersonalData, MistypedAndFirstGenerationIds) {
  // A wrong check digit still identifies a person when region and birth date are valid.
  expect_spans("身份证110105194912310021", {{PersonalData::id_card, 3, 21}});
  // First generation: region, YYMMDD and three digits.
  expect_spans("身份证110105491231002，", {{PersonalData::id_card, 3, 18}});
  expect_spans("110105490229002", {});        // 1949 was no leap year
  expect_spans("110105491331002", {});        // month 13
  // Longer digit runs are not cut into an ID.
  expect_spans("1101054912310025", {});
  expect_spans("1101051949123100211", {});
  expect_spans("sn110105491231002", {});
}

TEST(PersonalData, FullWidthForms) {
  expect_spans("邮箱abc＠example.com质量差", {{PersonalData::email, 2, 17}});
  expect_spans("ｅｍａｉｌ：ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ 质量差", {{PersonalData::email, 6, 21}});
  expect_spans("身份证１１０１０５１９４９１２３１００２Ｘ", {{PersonalData::id_card, 3, 21}});
  expect_spans("身份证１１０１０５４９１２３１００２", {{PersonalData::id_card, 3, 18}});
  expect_spans("ｓｎ１３８１２３４５６７８", {});  // part of a full-width serial number
  EXPECT_EQ(mask_personal_data("邮箱ａ＠ｂ．ｃｎ好"), "邮箱******好");
}

TEST(PersonalData, BankCard) {
  expect_spans("卡号6222021234567890123", {});  // fails Luhn
  expect_spans("卡号4111111111111111", {{PersonalData::bank_card, 2, 18}});
  expect_spans("4111 1111 1111 1111", {{PersonalData::bank_card, 0, 19}});
  expect_spans("4111-1111-1111-1111", {{PersonalData::bank_card, 0, 19}});
  expect_spans("6212 2620 1000 0000 005", {});  // fails Luhn
  expect_spans("6212262010000000007", {{PersonalData::bank_card, 0, 19}});
  expect_spans("3782 822463 10005", {{PersonalData::bank_card, 0, 17}});
  expect_spans("6666666666666", {});  // passes Luhn, but one repeated digit
  expect_spans("41 1111 1111 1111 18", {});  // passes Luhn but is not grouped like a card
}

TEST(PersonalData, OrdinaryNumbersKept) {
  expect_spans("价格199元，5000mAh电池，2023-06-18下单", {});
  expect_spans("订单号 230618123456789", {});  // fails Luhn
  expect_spans("订单号 1234567890123456", {});  // starts with 1, no card network
  expect_spans("总价 13812345678.50 元", {});
  expect_spans("2023 06 18 12 30", {});
  expect_spans("买了3件 100元", {});
}

TEST(PersonalData, SeveralKinds) {
  expect_spans("13812345678 a@b.cn 4111111111111111",
               {{PersonalData::phone, 0, 11}, {PersonalData::email, 12, 18}, {PersonalData::bank_card, 19, 35}});
}

TEST(PersonalData, LongDigitChain) {
  // Thousands of groups joined by spaces, with a phone number as the last group.
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "1 ";
  text += "13812345678";
  expect_spans(text, {{PersonalData::phone, 10000, 10011}});
}

TEST(PersonalData, MaskKeepsLength) {
  EXPECT_EQ(mask_personal_data("电话13812345678，谢谢"), "电话***********，谢谢");
  EXPECT_EQ(mask_personal_data("mail a@b.cn"), "mail ******");
  EXPECT_EQ(mask_personal_data("卡 4111 1111 1111 1111"), "卡 *******************");
  EXPECT_EQ(mask_personal_data("价格199元"), "价格199元");
}

}  // namespace
}  // namespace shopsight

#include "common/i18n.h"

#include <gtest/gtest.h>

namespace shopsight {
namespace {

TEST(I18n, ParsesLocaleNames) {
  Language parsed = Language::en;
  EXPECT_TRUE(parse_language("zh_CN.UTF-8", &parsed));
  EXPECT_EQ(parsed, Language::zh);
  EXPECT_TRUE(parse_language("en_US", &parsed));
  EXPECT_EQ(parsed, Language::en);
  EXPECT_FALSE(parse_language("fr_FR", &parsed));
}

TEST(I18n, UntranslatedKeyFallsBackToEnglish) {
  set_language(Language::zh);
  EXPECT_EQ(translate("no such message key"), "no such message key");
  set_language(Language::en);
}

TEST(I18n, FormatsArguments) {
  set_language(Language::en);
  EXPECT_EQ(tr("{} of {}", 3, "five"), "3 of five");
}

}  // namespace
}  // namespace shopsight

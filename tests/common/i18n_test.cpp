#include "common/i18n.h"

#include <gtest/gtest.h>

#include "support/scoped_variable.h"

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

using testing::ScopedVariable;

TEST(I18n, EnvironmentLanguageNamesItsVariable) {
  ScopedVariable all("LC_ALL", nullptr);
  ScopedVariable messages("LC_MESSAGES", "");
  ScopedVariable lang("LANG", "zh_CN.UTF-8");
  EnvironmentLanguage found = environment_language();
  EXPECT_EQ(found.language, Language::zh);
  EXPECT_EQ(found.variable, "LANG");
  EXPECT_EQ(found.value, "zh_CN.UTF-8");

  // The first variable that is set decides, even for a language shopsight lacks.
  ScopedVariable messages_set("LC_MESSAGES", "fr_FR.UTF-8");
  found = environment_language();
  EXPECT_EQ(found.language, Language::en);
  EXPECT_EQ(found.variable, "LC_MESSAGES");
}

TEST(I18n, EnvironmentWithoutLocaleIsEnglish) {
  ScopedVariable all("LC_ALL", nullptr);
  ScopedVariable messages("LC_MESSAGES", nullptr);
  ScopedVariable lang("LANG", nullptr);
  const EnvironmentLanguage found = environment_language();
  EXPECT_EQ(found.language, Language::en);
  EXPECT_EQ(found.variable, "");
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

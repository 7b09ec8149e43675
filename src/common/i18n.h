#pragma once

// Localized user-facing text. English strings are the message keys, in the
// manner of gettext's msgid, so code reads naturally and a missing
// translation falls back to English. Translations live in the
// `messages_zh.inc` file of each stage and are listed in i18n.cpp.

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace shopsight {

/// Language of messages and reports.
enum class Language { en, zh };

/// Sets the language of every later message; the CLI calls it once.
void set_language(Language language);

/// Language of messages and reports.
Language language();

/// Parses "zh", "zh-CN", "zh_CN.UTF-8", "en", "en_US"...; returns false otherwise.
bool parse_language(std::string_view text, Language* language);

/// The language the environment names, and the variable that named it.
struct EnvironmentLanguage {
  Language language = Language::en;
  std::string variable;  ///< LC_ALL, LC_MESSAGES or LANG, whichever is set first; empty when none is
  std::string value;     ///< value of that variable
};

/// Language named by the first of LC_ALL, LC_MESSAGES and LANG that is set,
/// English when none is set or its value names neither Chinese nor English.
EnvironmentLanguage environment_language();

/// environment_language().language.
Language language_from_environment();

/// Translation of an English message key into the current language.
std::string_view translate(std::string_view english);

/// Translation of an English message key into `language`.
std::string_view translate(std::string_view english, Language language);

/// Translates `english` and formats it with fmt's `{}` placeholders.
template <typename... Args>
std::string tr(std::string_view english, const Args&... args) {
  return fmt::vformat(translate(english), fmt::make_format_args(args...));
}

}  // namespace shopsight

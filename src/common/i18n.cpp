#include "common/i18n.h"

#include <cstdlib>
#include <string>
#include <unordered_map>

namespace shopsight {
namespace {

Language g_language = Language::en;

struct Translation {
  std::string_view english;
  std::string_view chinese;
};

// Each stage keeps its own table so that its messages stay beside its code.
constexpr Translation kTranslations[] = {
#include "common/messages_zh.inc"
#include "ingest/messages_zh.inc"
#include "text/messages_zh.inc"
#include "llm/messages_zh.inc"
#include "llm/messages_generate_zh.inc"
#include "model/messages_zh.inc"
#include "analyze/messages_zh.inc"
#include "analyze/messages_aspects_zh.inc"
#include "topics/messages_zh.inc"
#include "report/messages_zh.inc"
#include "store/messages_zh.inc"
#include "detect/messages_zh.inc"
#include "cli/messages_zh.inc"
#include "cli/messages_model_zh.inc"
#include "cli/messages_store_zh.inc"
#include "cli/messages_detect_zh.inc"
#include "forecast/messages_zh.inc"
#include "profile/messages_zh.inc"
#include "cli/messages_forecast_zh.inc"
#include "serve/messages_zh.inc"
#include "cli/messages_serve_zh.inc"
};

const std::unordered_map<std::string_view, std::string_view>& chinese_table() {
  static const auto* table = [] {
    auto* map = new std::unordered_map<std::string_view, std::string_view>();
    for (const auto& entry : kTranslations) map->emplace(entry.english, entry.chinese);
    return map;
  }();
  return *table;
}

}  // namespace

void set_language(Language language) { g_language = language; }

Language language() { return g_language; }

bool parse_language(std::string_view text, Language* language) {
  if (text.starts_with("zh")) {
    *language = Language::zh;
    return true;
  }
  if (text.starts_with("en") || text == "C" || text == "POSIX" || text.starts_with("C.")) {
    *language = Language::en;
    return true;
  }
  return false;
}

EnvironmentLanguage environment_language() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    EnvironmentLanguage found{.variable = name, .value = value};
    if (!parse_language(value, &found.language)) found.language = Language::en;
    return found;
  }
  return {};
}

Language language_from_environment() { return environment_language().language; }

std::string_view translate(std::string_view english) { return translate(english, g_language); }

std::string_view translate(std::string_view english, Language language) {
  if (language == Language::en) return english;
  const auto& table = chinese_table();
  auto found = table.find(english);
  return found == table.end() ? english : found->second;
}

}  // namespace shopsight

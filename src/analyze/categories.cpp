#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "common/i18n.h"

namespace shopsight {
namespace {

struct CategoryName {
  const char* key;
  const char* english;
};

// Standard e-commerce aspect categories, in report order. The English names
// are message keys, so the Chinese names live in messages_zh.inc.
constexpr CategoryName kCategories[] = {
    {"overall", "overall"},
    {"quality", "quality"},
    {"price", "price"},
    {"logistics", "logistics"},
    {"service", "service"},
    {"packaging", "packaging"},
    {"appearance", "appearance"},
    {"size_fit", "size and fit"},
    {"function", "function and performance"},
    {"authenticity", "authenticity"},
    {"freshness_taste", "freshness and taste"},
    {"smell", "smell"},
    {"ingredients", "ingredients"},
    {"user_experience", "user experience"},
    {"other", "other"},
};

}  // namespace

const std::vector<std::string>& standard_aspect_categories() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto& category : kCategories) out.emplace_back(category.key);
    return out;
  }();
  return keys;
}

std::string aspect_category_name(const std::string& key) {
  for (const auto& category : kCategories) {
    if (key == category.key) return std::string(translate(category.english));
  }
  // A shop's own category from its lexicon file has no translation.
  return key;
}

std::string aspect_category_named(std::string_view word) {
  for (const auto& category : kCategories) {
    if (word == category.english || word == translate(category.english, Language::zh)) return category.key;
  }
  return {};
}

}  // namespace shopsight

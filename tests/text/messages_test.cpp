#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/i18n.h"

namespace shopsight {
namespace {

// Reads the English keys passed to tr() in one source file of the stage.
std::vector<std::string> message_keys(const std::string& file) {
  std::ifstream input(std::string(SHOPSIGHT_SOURCE_DIR) + "/src/text/" + file);
  std::stringstream buffer;
  buffer << input.rdbuf();
  const std::string source = buffer.str();

  // Each key is the string literal right after "tr(", with escapes resolved.
  std::vector<std::string> keys;
  for (auto at = source.find("tr(\""); at != std::string::npos; at = source.find("tr(\"", at + 1)) {
    std::string key;
    for (std::size_t i = at + 4; i < source.size() && source[i] != '"'; ++i) {
      if (source[i] == '\\' && i + 1 < source.size()) ++i;
      key += source[i];
    }
    keys.push_back(key);
  }
  return keys;
}

TEST(Messages, EveryKeyTranslated) {
  set_language(Language::zh);
  int keys = 0;
  for (const char* file : {"chinese_conversion.cpp", "normalize.cpp", "segment.cpp"}) {
    for (const auto& key : message_keys(file)) {
      ++keys;
      EXPECT_NE(translate(key), key) << file << ": " << key;
    }
  }
  set_language(Language::en);
  EXPECT_GE(keys, 5);
}

}  // namespace
}  // namespace shopsight

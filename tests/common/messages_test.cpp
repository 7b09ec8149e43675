// Every message key passed to tr() anywhere in src/ has a Simplified Chinese
// line in one of the stages' messages_*_zh.inc tables, and those tables are
// linked into the translation lookup. The test reads the sources, so a new
// message without a translation fails here whatever stage it is in.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/i18n.h"

namespace shopsight {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream input(path);
  std::stringstream buffer;
  buffer << input.rdbuf();
  return buffer.str();
}

// Reads the C string literal starting at `at` (on its opening quote), with
// escapes resolved and adjacent literals joined, as the compiler does.
std::string read_literal(const std::string& source, std::size_t& at) {
  std::string text;
  while (at < source.size() && source[at] == '"') {
    for (++at; at < source.size() && source[at] != '"'; ++at) {
      if (source[at] == '\\' && at + 1 < source.size()) {
        ++at;
        text += source[at] == 'n' ? '\n' : source[at];
        continue;
      }
      text += source[at];
    }
    ++at;
    while (at < source.size() && std::isspace(static_cast<unsigned char>(source[at]))) ++at;
  }
  return text;
}

// The English keys of tr("...") calls in one source file.
std::vector<std::string> message_keys(const std::string& source) {
  std::vector<std::string> keys;
  for (auto at = source.find("tr(\""); at != std::string::npos; at = source.find("tr(\"", at + 1)) {
    std::size_t position = at + 3;
    keys.push_back(read_literal(source, position));
  }
  return keys;
}

// Every {"English", "中文"} line of every translation table under src/.
std::map<std::string, std::string> translation_tables() {
  std::map<std::string, std::string> table;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SHOPSIGHT_SOURCE_DIR) / "src")) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("messages") || !name.ends_with("_zh.inc")) continue;
    const std::string source = read_file(entry.path());
    for (auto at = source.find("{\""); at != std::string::npos; at = source.find("{\"", at + 1)) {
      std::size_t position = at + 1;
      const std::string english = read_literal(source, position);
      if (position >= source.size() || source[position] != ',') continue;
      ++position;
      while (position < source.size() && std::isspace(static_cast<unsigned char>(source[position]))) ++position;
      table[english] = read_literal(source, position);
    }
  }
  return table;
}

TEST(Messages, EveryKeyTranslated) {
  const std::map<std::string, std::string> table = translation_tables();
  int keys = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SHOPSIGHT_SOURCE_DIR) / "src")) {
    if (entry.path().extension() != ".cpp") continue;
    for (const std::string& key : message_keys(read_file(entry.path()))) {
      ++keys;
      EXPECT_TRUE(table.contains(key)) << entry.path().filename() << ": " << key;
    }
  }
  EXPECT_GE(keys, 300);
}

TEST(Messages, EveryTableLinked) {
  set_language(Language::zh);
  int checked = 0;
  for (const auto& [english, chinese] : translation_tables()) {
    if (english == chinese) continue;
    ++checked;
    EXPECT_EQ(translate(english), chinese) << english;
  }
  set_language(Language::en);
  EXPECT_GE(checked, 300);
}

}  // namespace
}  // namespace shopsight

#include "analyze/keywords.h"

#include <gtest/gtest.h>

#include "analyze/flat_table.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace shopsight {
namespace {

Token word(const std::string& text) { return Token{text, 0, 0, true}; }

TEST(KeywordCandidate, FiltersShortAndStopWords) {
  EXPECT_TRUE(is_keyword_candidate(word("物流")));
  EXPECT_TRUE(is_keyword_candidate(word("battery")));
  EXPECT_FALSE(is_keyword_candidate(word("好")));
  EXPECT_FALSE(is_keyword_candidate(word("ok")));
  EXPECT_FALSE(is_keyword_candidate(word("2024")));
  EXPECT_FALSE(is_keyword_candidate(word("the")));
  EXPECT_FALSE(is_keyword_candidate(Token{"，", 0, 1, false}));
}

TEST(DocumentFrequencies, SaveLoadRoundTrip) {
  DocumentFrequencies table;
  table.documents = 10;
  table.counts = {{"物流", 7}, {"battery", 2}, {"rare", 1}};
  const auto path = std::filesystem::temp_directory_path() / "shopsight_idf_test.tsv";
  table.save(path.string(), 2);

  const DocumentFrequencies loaded = DocumentFrequencies::load(path.string());
  EXPECT_EQ(loaded.documents, 10);
  EXPECT_EQ(loaded.counts.at("物流"), 7);
  EXPECT_EQ(loaded.counts.at("battery"), 2);
  EXPECT_EQ(loaded.counts.count("rare"), 0u);
  std::filesystem::remove(path);
}

TEST(DocumentFrequencies, BadLineNamesFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / "shopsight_idf_bad.tsv";
  std::ofstream(path) << "#documents\t5\n物流\tmany\n";
  try {
    DocumentFrequencies::load(path.string());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(path.string() + ":2"), std::string::npos) << error.what();
  }
  std::filesystem::remove(path);
}

TEST(KeywordExtractor, RanksRareWordsFirst) {
  const auto dir = std::filesystem::temp_directory_path() / "shopsight_keywords_model";
  std::filesystem::create_directories(dir);
  // Every word of the review but one is common in the table.
  std::ofstream(dir / "idf.tsv") << "#documents\t1000\n质量\t400\n很好\t500\n物流\t300\n很快\t450\n电池\t3\n"
                                  << "发烫\t200\n";

  const auto extractor = load_keyword_extractor(dir.string(), 2);
  const Normalizer normalizer;
  const Document document = make_document(normalizer, "质量很好，物流很快，电池发烫");
  const auto keywords = extractor->extract(document);
  ASSERT_EQ(keywords.size(), 2u);
  EXPECT_EQ(keywords[0].word, "电池");
  EXPECT_GT(keywords[0].score, keywords[1].score);
  std::filesystem::remove_all(dir);
}

TEST(FlatTable, FindsStoredKeysOnly) {
  const FlatTable<char, int> table({{"物流", 1}, {"battery", 2}, {"", 3}});
  EXPECT_EQ(table.size(), 3u);
  ASSERT_NE(table.find("物流"), nullptr);
  EXPECT_EQ(*table.find("物流"), 1);
  ASSERT_NE(table.find("battery"), nullptr);
  EXPECT_EQ(*table.find("battery"), 2);
  ASSERT_NE(table.find(""), nullptr);
  EXPECT_EQ(*table.find(""), 3);
  EXPECT_EQ(table.find("batter"), nullptr);
  EXPECT_EQ(table.find("物"), nullptr);
}

TEST(FlatTable, RepeatedKeyKeepsFirstValue) {
  const FlatTable<char, int> table({{"a", 1}, {"a", 2}});
  EXPECT_EQ(table.size(), 1u);
  ASSERT_NE(table.find("a"), nullptr);
  EXPECT_EQ(*table.find("a"), 1);
}

TEST(FlatTable, EmptyTableFindsNothing) {
  const FlatTable<char32_t, int> table;
  EXPECT_EQ(table.find(U"好"), nullptr);
  table.prefetch(0);
}

TEST(FlatTable, ManyKeysWithPrecomputedHash) {
  std::vector<std::pair<std::u32string, int>> entries;
  // Distinct keys: a letter for i % 26, then i / 26 + 1 ideographs.
  for (int i = 0; i < 5000; ++i) {
    const std::u32string letter(1, static_cast<char32_t>(U'a' + i % 26));
    entries.emplace_back(U"term" + letter + std::u32string(static_cast<std::size_t>(i / 26 + 1), U'好'), i);
  }
  const FlatTable<char32_t, int> table(entries);
  ASSERT_EQ(table.size(), entries.size());
  for (const auto& [key, value] : entries) {
    const std::uint64_t hash = FlatTable<char32_t, int>::hash_key(key);
    const int* found = table.find(key, hash);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, value);
  }
  EXPECT_EQ(table.find(U"term"), nullptr);
}

}  // namespace
}  // namespace shopsight

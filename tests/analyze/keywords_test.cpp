#include "analyze/keywords.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace shopsight

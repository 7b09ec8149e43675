#include "analyze/keywords.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <unordered_set>
#include <vector>

#include "analyze/aspect_tagger.h"
#include "analyze/flat_table.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"

namespace shopsight {
namespace {

// Length in bytes of the UTF-8 sequence that `text` starts with, judged by
// its lead byte alone; 0 for empty text.
std::size_t utf8_sequence_length(std::string_view text) {
  if (text.empty()) return 0;
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF);
}

class TfIdfKeywords final : public KeywordExtractor {
 public:
  TfIdfKeywords(const DocumentFrequencies& frequencies, int max_keywords)
      : documents_(frequencies.documents),
        counts_({frequencies.counts.begin(), frequencies.counts.end()}),
        max_keywords_(max_keywords) {}

  std::vector<Keyword> extract(const Document& document) const override {
    std::vector<Keyword> keywords;
    // Word hashes beside `keywords`, so that most comparisons of a token
    // with the words seen so far compare two integers instead of two strings.
    // The same hashes find the words in `counts_` below, whose slots are
    // prefetched here so that those cache misses overlap.
    thread_local std::vector<std::uint64_t> hashes;
    hashes.clear();
    for (const Token& token : document.tokens) {
      if (!is_keyword_candidate(token)) continue;
      const std::uint64_t hash = FlatTable<char, std::int64_t>::hash_key(token.text);
      std::size_t k = 0;
      while (k < keywords.size() && (hashes[k] != hash || keywords[k].word != token.text)) ++k;
      if (k < keywords.size()) {
        keywords[k].score += 1;
      } else {
        keywords.push_back({token.text, 1});
        hashes.push_back(hash);
        counts_.prefetch(hash);
      }
    }

    // Smoothed IDF, as in scikit-learn's default: unseen words get the
    // highest weight, which favours the specific words a review is about.
    const double documents = static_cast<double>(documents_);
    for (std::size_t k = 0; k < keywords.size(); ++k) {
      Keyword& keyword = keywords[k];
      const std::int64_t* found = counts_.find(keyword.word, hashes[k]);
      const double frequency = found == nullptr ? 0.0 : static_cast<double>(*found);
      const double idf = std::log((1.0 + documents) / (1.0 + frequency)) + 1.0;
      keyword.score = static_cast<float>(keyword.score * idf);
    }

    std::stable_sort(keywords.begin(), keywords.end(),
                     [](const Keyword& a, const Keyword& b) { return a.score > b.score; });
    if (keywords.size() > static_cast<std::size_t>(max_keywords_)) keywords.resize(static_cast<std::size_t>(max_keywords_));
    return keywords;
  }

 private:
  std::int64_t documents_;
  FlatTable<char, std::int64_t> counts_;  ///< the document frequency of each word
  int max_keywords_;
};

}  // namespace

bool is_keyword_candidate(const Token& token) {
  if (!token.is_word) return false;
  // One code point is never long enough (see below), and most tokens of
  // Chinese text are one ideograph, so they are rejected before decoding.
  if (utf8_sequence_length(token.text) == token.text.size()) return false;

  // The length test comes before the word lists because it needs no lookup
  // and rejects most tokens of Chinese text, which are single ideographs.
  std::size_t han = 0;
  std::size_t letters = 0;
  thread_local std::u32string code_points;
  utf8::decode(token.text, code_points);
  for (char32_t c : code_points) {
    if (is_han(c)) {
      ++han;
    } else if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || c > 0x7F) {
      ++letters;
    }
  }
  // Single ideographs are mostly function words or fragments of the
  // dictionary segmentation; short Latin tokens are mostly noise.
  const bool long_enough = han > 0 ? han >= 2 : letters >= 3;
  if (!long_enough || is_stop_word(token.text)) return false;

  // The stop word list keeps negations because they matter to sentiment,
  // but a negation alone does not describe the topic of an item.
  static const std::unordered_set<std::string_view> kNegations = {"not", "never", "没有", "不是", "don't"};
  return !kNegations.contains(token.text);
}

void DocumentFrequencies::add(const Document& document) {
  ++documents;
  std::unordered_set<std::string> seen;
  for (const Token& token : document.tokens) {
    if (is_keyword_candidate(token) && seen.insert(token.text).second) ++counts[token.text];
  }
}

DocumentFrequencies DocumentFrequencies::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(tr("cannot open document frequency file {}", path));
  DocumentFrequencies table;
  std::string line;
  std::int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const auto tab = line.find('\t');
    if (line.empty()) continue;
    if (tab == std::string::npos) {
      throw Error(tr("{}:{}: invalid line, expected WORD<TAB>COUNT", path, line_number));
    }
    std::int64_t count = 0;
    try {
      count = std::stoll(line.substr(tab + 1));
    } catch (const std::exception&) {
      throw Error(tr("{}:{}: invalid count '{}'", path, line_number, line.substr(tab + 1)));
    }
    if (line_number == 1 && line.substr(0, tab) == "#documents") {
      table.documents = count;
    } else {
      table.counts.emplace(line.substr(0, tab), count);
    }
  }
  if (table.documents <= 0) throw Error(tr("{}: missing '#documents' first line", path));
  return table;
}

void DocumentFrequencies::save(const std::string& path, std::int64_t min_count) const {
  std::vector<std::pair<std::string, std::int64_t>> rows;
  for (const auto& [word, count] : counts) {
    if (count >= min_count) rows.emplace_back(word, count);
  }
  // Sorted output keeps the shipped file stable across runs.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::ofstream out(path);
  if (!out) throw Error(tr("cannot write {}", path));
  out << "#documents\t" << documents << '\n';
  for (const auto& [word, count] : rows) out << word << '\t' << count << '\n';
  if (!out) throw Error(tr("cannot write {}", path));
}

std::unique_ptr<KeywordExtractor> load_keyword_extractor(const std::string& model_dir, int max_keywords) {
  const std::string path = model_dir + "/idf.tsv";
  DocumentFrequencies frequencies;
  if (std::filesystem::exists(path)) {
    frequencies = DocumentFrequencies::load(path);
  } else {
    frequencies.documents = 1;
  }
  return std::make_unique<TfIdfKeywords>(frequencies, max_keywords);
}

}  // namespace shopsight

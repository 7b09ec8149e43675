#include "analyze/aspect_eval.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"

namespace shopsight {
namespace {

struct CsvRow {
  std::vector<std::string> fields;
  std::int64_t line = 0;                  // line where the row starts
};

// RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks.
std::vector<CsvRow> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(tr("Cannot open {}: check the path and its permissions.", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string content = buffer.str();
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);
  if (!utf8::is_valid(content)) throw Error(tr("{} is not valid UTF-8: convert it to UTF-8 first.", path));

  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  std::int64_t line = 1;
  row.line = 1;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (quoted) {
      if (c == '"' && i + 1 < content.size() && content[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.fields.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
      row.fields.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.fields.size() == 1 && row.fields[0].empty())) rows.push_back(std::move(row));
      row = CsvRow();
      ++line;
      row.line = line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) throw Error(tr("{}:{}: a quoted field is not closed.", path, row.line));
  if (field_started || !row.fields.empty()) {
    row.fields.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::int32_t parse_offset(const std::string& text, const std::string& path, std::int64_t line,
                          const std::string& column) {
  std::int32_t value = 0;
  std::size_t used = 0;
  try {
    value = static_cast<std::int32_t>(std::stol(text, &used));
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < 0) {
    throw Error(tr("{}:{}: {} \"{}\" is not a character offset; use a whole number or _ when the term is absent.",
                   path, line, column, text));
  }
  return value;
}

std::string polarity_from_zh(const std::string& name) {
  if (name == "正面") return "positive";
  if (name == "负面") return "negative";
  if (name == "中性") return "neutral";
  return {};
}

std::string strip(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::string aspect_category_from_zh(const std::string& name) {
  static const std::map<std::string, std::string> names = {
      {"整体", "overall"},     {"使用体验", "user_experience"}, {"功效", "function"},  {"价格", "price"},
      {"物流", "logistics"},   {"气味", "smell"},               {"包装", "packaging"}, {"真伪", "authenticity"},
      {"服务", "service"},     {"其他", "other"},               {"成分", "ingredients"}, {"尺寸", "size_fit"},
      {"新鲜度", "freshness_taste"}, {"质量", "quality"},       {"外观", "appearance"},
  };
  const auto it = names.find(name);
  return it == names.end() ? std::string() : it->second;
}

std::vector<AspectReview> read_aspect_reviews_zh(const std::string& reviews_path, const std::string& labels_path) {
  std::vector<AspectReview> reviews;
  std::map<std::string, std::size_t> index;
  const std::vector<CsvRow> review_rows = read_csv(reviews_path);
  for (std::size_t r = 0; r < review_rows.size(); ++r) {
    const CsvRow& row = review_rows[r];
    if (r == 0 && !row.fields.empty() && row.fields[0] == "id") continue;
    if (row.fields.size() != 2) {
      throw Error(tr("{}:{}: expected 2 columns (id, review), found {}.", reviews_path, row.line, row.fields.size()));
    }
    index[row.fields[0]] = reviews.size();
    reviews.push_back({row.fields[0], row.fields[1], {}});
  }

  const std::vector<CsvRow> label_rows = read_csv(labels_path);
  for (std::size_t r = 0; r < label_rows.size(); ++r) {
    const CsvRow& row = label_rows[r];
    if (r == 0 && !row.fields.empty() && row.fields[0] == "id") continue;
    if (row.fields.size() != 9) {
      throw Error(tr("{}:{}: expected 9 columns (id, AspectTerms, A_start, A_end, OpinionTerms, O_start, O_end, "
                     "Categories, Polarities), found {}.",
                     labels_path, row.line, row.fields.size()));
    }
    const auto found = index.find(row.fields[0]);
    if (found == index.end()) {
      throw Error(tr("{}:{}: review id {} is not in {}.", labels_path, row.line, row.fields[0], reviews_path));
    }
    AspectReview& review = reviews[found->second];
    const std::int32_t length = utf8::length(review.text);
    AspectSpan span;
    if (strip(row.fields[1]) != "_") {
      span.aspect_begin = parse_offset(strip(row.fields[2]), labels_path, row.line, "A_start");
      span.aspect_end = parse_offset(strip(row.fields[3]), labels_path, row.line, "A_end");
    }
    if (strip(row.fields[4]) != "_") {
      span.opinion_begin = parse_offset(strip(row.fields[5]), labels_path, row.line, "O_start");
      span.opinion_end = parse_offset(strip(row.fields[6]), labels_path, row.line, "O_end");
    }
    if (span.aspect_end > length || span.opinion_end > length || span.aspect_begin > span.aspect_end ||
        span.opinion_begin > span.opinion_end) {
      throw Error(tr("{}:{}: a span lies outside review {} of {} characters; check the offsets.", labels_path,
                     row.line, row.fields[0], length));
    }
    span.category = aspect_category_from_zh(strip(row.fields[7]));
    span.polarity = polarity_from_zh(strip(row.fields[8]));
    if (span.category.empty()) {
      throw Error(tr("{}:{}: unknown category \"{}\"; use one of 整体, 使用体验, 功效, 价格, 物流, 气味, 包装, 真伪, 服务, "
                     "其他, 成分, 尺寸, 新鲜度.",
                     labels_path, row.line, row.fields[7]));
    }
    if (span.polarity.empty()) {
      throw Error(tr("{}:{}: unknown polarity \"{}\"; use 正面, 负面 or 中性.", labels_path, row.line, row.fields[8]));
    }
    review.gold.push_back(std::move(span));
  }
  return reviews;
}

std::vector<AspectReview> split_fifth(const std::vector<AspectReview>& reviews, bool held_out) {
  std::vector<AspectReview> part;
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    if ((i % 5 == 4) == held_out) part.push_back(reviews[i]);
  }
  return part;
}

std::vector<AspectTrainingExample> make_training_examples(const Normalizer& normalizer,
                                                          const std::vector<AspectReview>& reviews) {
  std::vector<AspectTrainingExample> examples;
  examples.reserve(reviews.size());
  for (const AspectReview& review : reviews) {
    AspectTrainingExample example;
    example.document = make_document(normalizer, review.text);
    const std::vector<std::int32_t>& sources = example.document.normalized.source_begin;
    const auto length = static_cast<std::int32_t>(sources.empty() ? 0 : sources.size() - 1);

    // First normalized code point that comes from original offset `offset` or later.
    const auto to_normalized = [&](std::int32_t offset) {
      const auto it = std::lower_bound(sources.begin(), sources.begin() + length, offset);
      return static_cast<std::int32_t>(it - sources.begin());
    };
    for (const AspectSpan& span : review.gold) {
      AspectSpan mapped = span;
      bool kept = true;
      if (span.aspect_begin >= 0) {
        mapped.aspect_begin = to_normalized(span.aspect_begin);
        mapped.aspect_end = to_normalized(span.aspect_end);
        kept = kept && mapped.aspect_begin < mapped.aspect_end;
      }
      if (span.opinion_begin >= 0) {
        mapped.opinion_begin = to_normalized(span.opinion_begin);
        mapped.opinion_end = to_normalized(span.opinion_end);
        kept = kept && mapped.opinion_begin < mapped.opinion_end;
      }
      if (kept) example.gold.push_back(std::move(mapped));
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

std::vector<AspectSpan> to_original_spans(const Document& document, const std::vector<AspectSpan>& spans) {
  std::vector<AspectSpan> mapped = spans;
  for (AspectSpan& span : mapped) {
    if (span.aspect_begin >= 0) {
      std::tie(span.aspect_begin, span.aspect_end) = document.normalized.to_source(span.aspect_begin, span.aspect_end);
    }
    if (span.opinion_begin >= 0) {
      std::tie(span.opinion_begin, span.opinion_end) =
          document.normalized.to_source(span.opinion_begin, span.opinion_end);
    }
  }
  return mapped;
}

double F1Score::precision() const { return predicted == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(predicted); }

double F1Score::recall() const { return gold == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(gold); }

double F1Score::f1() const {
  const double sum = precision() + recall();
  return sum == 0 ? 0.0 : 2 * precision() * recall() / sum;
}

AspectScores score_aspects(const std::vector<std::vector<AspectSpan>>& gold,
                           const std::vector<std::vector<AspectSpan>>& predicted) {
  using Quad = std::tuple<std::int32_t, std::int32_t, std::int32_t, std::int32_t, std::string, std::string>;
  using Pair = std::pair<std::string, std::string>;
  AspectScores scores;
  scores.reviews = static_cast<std::int64_t>(gold.size());

  // Exact quadruples count as multisets, pairs and terms as sets, per review.
  const auto quads = [](const std::vector<AspectSpan>& spans) {
    std::multiset<Quad> out;
    for (const AspectSpan& s : spans) {
      out.emplace(s.aspect_begin, s.aspect_end, s.opinion_begin, s.opinion_end, s.category, s.polarity);
    }
    return out;
  };
  const auto pairs = [](const std::vector<AspectSpan>& spans) {
    std::set<Pair> out;
    for (const AspectSpan& s : spans) out.emplace(s.category, s.polarity);
    return out;
  };
  const auto terms = [](const std::vector<AspectSpan>& spans) {
    std::set<std::pair<std::int32_t, std::int32_t>> out;
    for (const AspectSpan& s : spans) {
      if (s.aspect_begin >= 0) out.emplace(s.aspect_begin, s.aspect_end);
    }
    return out;
  };
  const auto count = [](F1Score& score, const auto& gold_set, const auto& predicted_set) {
    score.gold += static_cast<std::int64_t>(gold_set.size());
    score.predicted += static_cast<std::int64_t>(predicted_set.size());
    auto remaining = gold_set;
    for (const auto& value : predicted_set) {
      const auto it = remaining.find(value);
      if (it == remaining.end()) continue;
      ++score.matched;
      remaining.erase(it);
    }
  };

  for (std::size_t i = 0; i < gold.size(); ++i) {
    const std::vector<AspectSpan> none;
    const std::vector<AspectSpan>& guess = i < predicted.size() ? predicted[i] : none;
    count(scores.exact, quads(gold[i]), quads(guess));
    count(scores.category_polarity, pairs(gold[i]), pairs(guess));
    count(scores.aspect_term, terms(gold[i]), terms(guess));
  }
  return scores;
}

AspectScores evaluate_aspects(const AspectExtractor& extractor, const Normalizer& normalizer,
                              const std::vector<AspectReview>& reviews) {
  std::vector<std::vector<AspectSpan>> gold;
  std::vector<std::vector<AspectSpan>> predicted;
  gold.reserve(reviews.size());
  predicted.reserve(reviews.size());
  double seconds = 0;
  for (const AspectReview& review : reviews) {
    const Document document = make_document(normalizer, review.text);
    const auto started = std::chrono::steady_clock::now();
    const std::vector<AspectSpan> spans = extractor.extract(document);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    predicted.push_back(to_original_spans(document, spans));
    gold.push_back(review.gold);
  }
  AspectScores scores = score_aspects(gold, predicted);
  scores.seconds = seconds;
  return scores;
}

std::vector<AspectScores> cross_validate_aspects(const std::string& language, const std::vector<AspectReview>& reviews,
                                                 int folds, const std::shared_ptr<const AspectLexicon>& lexicon,
                                                 const Normalizer& normalizer, const AspectTrainOptions& options) {
  if (folds < 2 || static_cast<std::size_t>(folds) > reviews.size()) {
    throw Error(tr("Cannot split {} texts into {} cross-validation folds: use 2 to {} folds.", reviews.size(), folds,
                   reviews.size()));
  }
  std::vector<AspectScores> scores;
  for (int fold = 0; fold < folds; ++fold) {
    std::vector<AspectReview> training;
    std::vector<AspectReview> held_out;
    for (std::size_t i = 0; i < reviews.size(); ++i) {
      (static_cast<int>(i % static_cast<std::size_t>(folds)) == fold ? held_out : training).push_back(reviews[i]);
    }
    std::vector<LearnedAspectModel> models;
    models.push_back(LearnedAspectModel::train(language, make_training_examples(normalizer, training), *lexicon, options));
    const CombinedAspectExtractor extractor(lexicon, std::move(models));
    scores.push_back(evaluate_aspects(extractor, normalizer, held_out));
  }
  return scores;
}

AspectScores pool_scores(const std::vector<AspectScores>& parts) {
  const auto add = [](F1Score& total, const F1Score& part) {
    total.matched += part.matched;
    total.predicted += part.predicted;
    total.gold += part.gold;
  };
  AspectScores total;
  for (const AspectScores& part : parts) {
    total.reviews += part.reviews;
    add(total.exact, part.exact);
    add(total.category_polarity, part.category_polarity);
    add(total.aspect_term, part.aspect_term);
    total.seconds += part.seconds;
  }
  return total;
}

}  // namespace shopsight

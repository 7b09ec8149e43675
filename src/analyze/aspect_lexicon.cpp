#include "analyze/aspect_lexicon.h"

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "analyze/flat_table.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"

namespace shopsight {
namespace {

// Flags and values of one term string; a string may be of several kinds.
struct TermEntry {
  bool aspect = false;
  bool opinion = false;
  bool negator = false;
  bool degree = false;
  bool contrast = false;
  std::string aspect_category;
  std::string polarity;
  std::string opinion_category;
};

constexpr std::size_t kMaxTermLength = 64;

bool is_latin_alnum(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

bool is_valid_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \r\t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \r\t");
  return std::string(text.substr(first, last - first + 1));
}

// Lexicon terms are folded the way the normalizer folds text: ASCII lowercase
// and single spaces.
std::u32string fold_term(std::string_view term) {
  std::u32string out;
  for (char32_t c : utf8::decode(term)) {
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    if (c == U'\u3000' || c == U'\t') c = U' ';
    if (c == U' ' && (out.empty() || out.back() == U' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == U' ') out.pop_back();
  return out;
}

}  // namespace

struct AspectLexicon::Impl {
  FlatTable<char32_t, TermEntry> terms;
  std::size_t max_length = 0;
  // Per code point below kIndexedCodePoints, the lengths of the terms that
  // start with it: bit L - 1 for length L up to 31, bit 31 for any longer
  // term. Most positions then need no hash lookup, and the others only
  // lookups of lengths that some term has.
  static constexpr char32_t kIndexedCodePoints = 0x30000;
  static constexpr std::uint32_t kLongTerms = std::uint32_t{1} << 31;
  std::vector<std::uint32_t> lengths_from;

  std::size_t longest_term_from(char32_t c) const {
    if (lengths_from.empty()) return 0;
    if (c >= kIndexedCodePoints) return max_length;
    const std::uint32_t lengths = lengths_from[c];
    if ((lengths & kLongTerms) != 0) return max_length;
    return static_cast<std::size_t>(std::bit_width(lengths));
  }

  // Whether a term of `length` may start with `c`; false means no term does.
  bool may_have_term(char32_t c, std::size_t length) const {
    if (c >= kIndexedCodePoints || length >= 32) return true;
    return (lengths_from[c] >> (length - 1) & 1U) != 0;
  }
};

AspectLexicon::AspectLexicon() : impl_(std::make_unique<Impl>()) {}
AspectLexicon::~AspectLexicon() = default;
AspectLexicon::AspectLexicon(AspectLexicon&&) noexcept = default;
AspectLexicon& AspectLexicon::operator=(AspectLexicon&&) noexcept = default;

AspectLexicon AspectLexicon::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(tr("Cannot open the aspect lexicon {}: check the path and its permissions.", path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse(content.str(), path);
}

AspectLexicon AspectLexicon::parse(std::string_view content, const std::string& source) {
  AspectLexicon lexicon;
  Impl& impl = *lexicon.impl_;
  if (!utf8::is_valid(content)) {
    throw Error(tr("The aspect lexicon {} is not valid UTF-8: save it as UTF-8.", source));
  }

  std::unordered_map<std::u32string, TermEntry> terms;
  std::int64_t line_number = 0;
  for (const std::string& raw_line : split(content, '\n')) {
    ++line_number;
    std::string line = raw_line;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty() || trim(line).front() == '#') continue;

    const std::vector<std::string> fields = split(line, '\t');
    if (fields.size() < 4 || fields.size() > 5) {
      throw Error(tr("{}:{}: expected 4 or 5 tab-separated fields (kind, language, key, terms, "
                     "optional category), found {}.",
                     source, line_number, fields.size()));
    }
    const std::string kind = trim(fields[0]);
    const std::string language = trim(fields[1]);
    const std::string key = trim(fields[2]);
    const std::string implied = fields.size() == 5 ? trim(fields[4]) : std::string();
    if (language != "zh" && language != "en" && language != "*") {
      throw Error(tr("{}:{}: invalid language \"{}\"; use zh, en or *.", source, line_number, language));
    }
    if (kind == "aspect" && !is_valid_key(key)) {
      throw Error(tr("{}:{}: invalid category key \"{}\"; use lowercase letters, digits and '_'.", source,
                     line_number, key));
    }
    if (kind == "opinion" && key != "positive" && key != "negative" && key != "neutral") {
      throw Error(tr("{}:{}: invalid polarity \"{}\"; use positive, negative or neutral.", source,
                     line_number, key));
    }
    if (kind != "aspect" && kind != "opinion" && kind != "negator" && kind != "degree" && kind != "contrast") {
      throw Error(tr("{}:{}: unknown kind \"{}\"; use aspect, opinion, negator, degree or contrast.", source,
                     line_number, kind));
    }
    if (!implied.empty() && (kind != "opinion" || !is_valid_key(implied))) {
      throw Error(tr("{}:{}: the fifth field \"{}\" must be a category key and only follows an opinion.", source,
                     line_number, implied));
    }

    for (const std::string& raw_term : split(fields[3], '|')) {
      const std::u32string term = fold_term(trim(raw_term));
      if (term.empty()) continue;
      if (term.size() > kMaxTermLength) {
        throw Error(tr("{}:{}: the term \"{}\" is longer than {} characters; shorten it.", source, line_number,
                       trim(raw_term), kMaxTermLength));
      }
      TermEntry& entry = terms[term];
      if (kind == "aspect") {
        entry.aspect = true;
        entry.aspect_category = key;
      } else if (kind == "opinion") {
        entry.opinion = true;
        entry.polarity = key;
        entry.opinion_category = implied;
      } else if (kind == "negator") {
        entry.negator = true;
      } else if (kind == "degree") {
        entry.degree = true;
      } else {
        entry.contrast = true;
      }
      impl.max_length = std::max(impl.max_length, term.size());
    }
  }

  impl.lengths_from.assign(Impl::kIndexedCodePoints, 0);
  for (const auto& [term, entry] : terms) {
    if (term.front() >= Impl::kIndexedCodePoints) continue;
    impl.lengths_from[term.front()] |= term.size() >= 32 ? Impl::kLongTerms : std::uint32_t{1} << (term.size() - 1);
  }
  impl.terms = FlatTable<char32_t, TermEntry>({terms.begin(), terms.end()});
  return lexicon;
}

std::vector<LexiconMatch> AspectLexicon::match(std::u32string_view text) const {
  std::vector<LexiconMatch> matches;
  const std::size_t n = text.size();
  std::size_t position = 0;
  while (position < n) {
    const bool inside_word = position > 0 && is_latin_alnum(text[position]) && is_latin_alnum(text[position - 1]);
    const TermEntry* found = nullptr;
    std::size_t found_length = 0;
    if (!inside_word) {
      const std::size_t longest = std::min(impl_->longest_term_from(text[position]), n - position);
      for (std::size_t length = longest; length >= 1 && found == nullptr; --length) {
        if (!impl_->may_have_term(text[position], length)) continue;
        const TermEntry* entry = impl_->terms.find(text.substr(position, length));
        if (entry == nullptr) continue;

        // A Latin term must end at a word boundary; a plural 's' is allowed.
        const std::size_t end = position + length;
        std::size_t matched_end = end;
        if (is_latin_alnum(text[end - 1]) && end < n && is_latin_alnum(text[end])) {
          const bool plural = text[end] == U's' && (end + 1 == n || !is_latin_alnum(text[end + 1]));
          if (!plural) continue;
          matched_end = end + 1;
        }
        found = entry;
        found_length = matched_end - position;
      }
    }
    if (found == nullptr) {
      ++position;
      continue;
    }

    LexiconMatch match;
    match.begin = static_cast<std::int32_t>(position);
    match.end = static_cast<std::int32_t>(position + found_length);
    if (found->opinion) {
      match.kind = LexiconKind::opinion;
      match.polarity = found->polarity;
      match.category = found->opinion_category;
    } else if (found->aspect) {
      match.kind = LexiconKind::aspect;
      match.category = found->aspect_category;
    } else if (found->negator) {
      match.kind = LexiconKind::negator;
    } else if (found->degree) {
      match.kind = LexiconKind::degree;
    } else {
      match.kind = LexiconKind::contrast;
    }
    matches.push_back(std::move(match));
    position += found_length;
  }
  return matches;
}

std::string AspectLexicon::aspect_category(std::u32string_view term) const {
  std::string category;
  std::int32_t best = 0;
  for (const LexiconMatch& match : this->match(term)) {
    if (match.kind == LexiconKind::aspect && match.end - match.begin > best) {
      best = match.end - match.begin;
      category = match.category;
    }
  }
  return category;
}

std::size_t AspectLexicon::size() const { return impl_->terms.size(); }

std::int32_t pairing_distance(std::int32_t aspect_begin, std::int32_t aspect_end, std::int32_t opinion_begin,
                              std::int32_t opinion_end) {
  if (aspect_end <= opinion_begin) return opinion_begin - aspect_end;
  return aspect_begin - opinion_end + 1000;
}

bool is_clause_break(char32_t c) {
  switch (c) {
    case U',': case U'.': case U'!': case U'?': case U';': case U':': case U'\n': case U'~':
    case U'，': case U'。': case U'！': case U'？': case U'；': case U'：': case U'、': case U'～':
    case U'…': case U'(': case U')': case U'（': case U'）':
      return true;
    default:
      return false;
  }
}

std::vector<OpinionGroup> group_opinions(std::u32string_view text, const std::vector<LexiconMatch>& matches) {
  std::vector<OpinionGroup> groups;
  for (std::size_t k = 0; k < matches.size(); ++k) {
    if (matches[k].kind != LexiconKind::opinion) continue;
    OpinionGroup group;
    group.begin = matches[k].begin;
    group.end = matches[k].end;
    group.category = matches[k].category;
    int negations = 0;

    // Modifiers join the opinion when at most one code point that is not a
    // clause break (的, 是, a space) separates them, as in 不是很好 or "not very good".
    for (std::size_t j = k; j-- > 0;) {
      const LexiconMatch& modifier = matches[j];
      if (modifier.kind != LexiconKind::negator && modifier.kind != LexiconKind::degree) break;
      const std::int32_t gap = group.begin - modifier.end;
      if (gap < 0 || gap > 1) break;
      if (gap == 1 && is_clause_break(text[static_cast<std::size_t>(modifier.end)])) break;
      if (modifier.kind == LexiconKind::negator) ++negations;
      group.begin = modifier.begin;
    }

    group.negated = negations % 2 == 1;
    group.polarity = matches[k].polarity;
    if (group.negated && group.polarity == "positive") {
      group.polarity = "negative";
    } else if (group.negated && group.polarity == "negative") {
      // "Not bad" is mild praise, so a negated complaint counts as positive.
      group.polarity = "positive";
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<std::int32_t> clause_ids(std::u32string_view text, const std::vector<LexiconMatch>& matches) {
  std::vector<std::int32_t> ids(text.size(), 0);
  std::size_t next_match = 0;
  std::int32_t clause = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    while (next_match < matches.size() && static_cast<std::size_t>(matches[next_match].begin) < i) ++next_match;
    if (next_match < matches.size() && static_cast<std::size_t>(matches[next_match].begin) == i &&
        matches[next_match].kind == LexiconKind::contrast) {
      ++clause;
    }
    if (is_clause_break(text[i])) {
      ids[i] = clause;
      ++clause;
      continue;
    }
    ids[i] = clause;
  }
  return ids;
}

LexiconAspectExtractor::LexiconAspectExtractor(std::shared_ptr<const AspectLexicon> lexicon)
    : lexicon_(std::move(lexicon)) {}

std::vector<AspectSpan> LexiconAspectExtractor::extract(const Document& document) const {
  const std::vector<char32_t> decoded = utf8::decode(document.normalized.text);
  const std::u32string text(decoded.begin(), decoded.end());
  return extract_text(text);
}

std::vector<AspectSpan> LexiconAspectExtractor::extract_text(std::u32string_view text) const {
  const std::vector<LexiconMatch> matches = lexicon_->match(text);
  const std::vector<OpinionGroup> groups = group_opinions(text, matches);
  const std::vector<std::int32_t> clauses = clause_ids(text, matches);

  std::vector<AspectSpan> spans;
  for (const OpinionGroup& group : groups) {
    const std::int32_t clause = clauses[static_cast<std::size_t>(group.begin)];

    // The nearest aspect term of the clause before the opinion, else after it.
    const LexiconMatch* best = nearest_aspect(matches, group.begin, group.end, [&](const LexiconMatch& match) {
      return match.kind == LexiconKind::aspect && clauses[static_cast<std::size_t>(match.begin)] == clause;
    });

    AspectSpan span{.opinion_begin = group.begin, .opinion_end = group.end, .polarity = group.polarity};
    if (best != nullptr) {
      span.aspect_begin = best->begin;
      span.aspect_end = best->end;
      span.category = best->category;
    } else {
      span.category = group.category.empty() ? "overall" : group.category;
    }
    spans.push_back(std::move(span));
  }
  return spans;
}

std::string default_aspect_lexicon_path(const std::string& model_dir) {
  return (std::filesystem::path(model_dir) / "aspects.lexicon").string();
}

}  // namespace shopsight

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "text/lexicon.h"
#include "text/text.h"

namespace shopsight {

namespace {

// ICU's word rules with its CJK dictionary. The root locale already uses the
// dictionary for Han and kana, and "zh" only makes that explicit.
const icu::BreakIterator& word_iterator_prototype() {
  static const std::unique_ptr<icu::BreakIterator> prototype = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> iterator(icu::BreakIterator::createWordInstance(icu::Locale("zh"), status));
    if (U_FAILURE(status)) throw Error(tr("Failed to load ICU's word break rules: {}. Reinstall the libicu72 package.", u_errorName(status)));
    return iterator;
  }();
  return *prototype;
}

// Break iterators are not thread-safe, so each thread clones the prototype once.
icu::BreakIterator& thread_word_iterator() {
  thread_local const std::unique_ptr<icu::BreakIterator> iterator(word_iterator_prototype().clone());
  return *iterator;
}

bool is_whitespace_only(std::string_view text) {
  // Lead bytes E4 to E9 start U+4000 to U+9FFF, where no character is white
  // space, so most pieces of Chinese text need no Unicode property lookup.
  if (!text.empty() && static_cast<unsigned char>(text[0]) >= 0xE4 && static_cast<unsigned char>(text[0]) <= 0xE9) {
    return false;
  }
  return utf8::all_code_points(text, [](UChar32 c) { return c >= 0 && u_isUWhiteSpace(c); });
}

bool is_han(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

bool is_han_word(const Token& token) {
  if (!token.is_word) return false;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(token.text.data());
  const auto size = static_cast<std::int32_t>(token.text.size());
  std::int32_t i = 0;
  while (i < size) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    if (c < 0 || !is_han(static_cast<char32_t>(c))) return false;
  }
  return true;
}

// One-character adverbs and the copula 是, which ICU's dictionary often joins
// to the first character of the following word.
bool is_leading_adverb(char32_t c) {
  static constexpr std::u32string_view kAdverbs = U"是很都也太挺真超又还较最更";
  return kAdverbs.find(c) != std::u32string_view::npos;
}

// Re-cuts one run of adjacent Han word tokens [first, last) with the shopping
// lexicon. A lexicon word starts where an ICU token starts or where the
// previous lexicon word ended. A two-character word must also end on an ICU
// boundary, because it could otherwise take a character from a real word
// (差评价 stays 差 评价). Longer words are specific enough to cut ICU's next
// token (性价比高 -> 性价比 高).
void cut_with_lexicon(std::vector<Token>& tokens, std::size_t first, std::size_t last, std::vector<Token>& out) {
  const auto& lexicon = text_detail::Lexicon::instance();

  // Reused between calls, because segmenting a review cuts several runs and
  // fresh buffers for each run showed in profiles as malloc and free.
  thread_local std::string run_text;
  thread_local std::vector<char32_t> code_points;
  thread_local std::vector<std::size_t> byte_offsets;
  thread_local std::vector<bool> icu_boundary;
  run_text.clear();
  code_points.clear();
  byte_offsets.clear();
  for (std::size_t t = first; t < last; ++t) run_text += tokens[t].text;
  {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(run_text.data());
    const auto size = static_cast<std::int32_t>(run_text.size());
    std::int32_t i = 0;
    while (i < size) {
      byte_offsets.push_back(static_cast<std::size_t>(i));
      UChar32 c = 0;
      U8_NEXT(bytes, i, size, c);
      code_points.push_back(static_cast<char32_t>(c));
    }
    byte_offsets.push_back(run_text.size());
  }
  icu_boundary.assign(code_points.size() + 1, false);
  const std::int32_t run_begin = tokens[first].begin;
  for (std::size_t t = first; t < last; ++t) icu_boundary[static_cast<std::size_t>(tokens[t].begin - run_begin)] = true;
  icu_boundary[code_points.size()] = true;

  const auto emit = [&](std::size_t begin, std::size_t end) {
    Token& token = out.emplace_back();
    token.text.assign(run_text, byte_offsets[begin], byte_offsets[end] - byte_offsets[begin]);
    token.begin = run_begin + static_cast<std::int32_t>(begin);
    token.end = run_begin + static_cast<std::int32_t>(end);
    token.is_word = true;
  };

  // Length of the longest lexicon word at `start` that is longer than ICU's
  // piece ending at `icu_end`, or 0.
  const auto lexicon_match = [&](std::size_t start, std::size_t icu_end) -> std::size_t {
    if (!lexicon.may_start_word(code_points[start])) return 0;
    const std::size_t longest = std::min(lexicon.max_length(), code_points.size() - start);
    for (std::size_t length = longest; length >= 2 && start + length > icu_end; --length) {
      const std::size_t end = start + length;
      if (length == 2 && !icu_boundary[end]) continue;
      const std::string_view candidate(run_text.data() + byte_offsets[start], byte_offsets[end] - byte_offsets[start]);
      if (lexicon.contains(candidate)) return length;
    }
    return 0;
  };

  std::size_t position = 0;
  while (position < code_points.size()) {
    std::size_t icu_end = position + 1;
    while (!icu_boundary[icu_end]) ++icu_end;

    if (const std::size_t length = lexicon_match(position, icu_end); length > 0) {
      emit(position, position + length);
      position += length;
      continue;
    }

    // ICU glues an adverb to the next word's first character (是正 品, 很好 用).
    // The adverb then becomes its own token and the lexicon word follows it.
    if (icu_end == position + 2 && is_leading_adverb(code_points[position])) {
      if (const std::size_t length = lexicon_match(position + 1, icu_end); length > 0) {
        emit(position, position + 1);
        emit(position + 1, position + 1 + length);
        position += 1 + length;
        continue;
      }
    }

    emit(position, icu_end);
    position = icu_end;
  }
}

void apply_lexicon(std::vector<Token>& tokens) {
  std::vector<Token> out;
  out.reserve(tokens.size());
  std::size_t i = 0;
  while (i < tokens.size()) {
    if (!is_han_word(tokens[i])) {
      out.push_back(std::move(tokens[i]));
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < tokens.size() && tokens[end].begin == tokens[end - 1].end && is_han_word(tokens[end])) ++end;
    if (end - i == 1) {
      out.push_back(std::move(tokens[i]));
    } else {
      cut_with_lexicon(tokens, i, end, out);
    }
    i = end;
  }
  tokens = std::move(out);
}

}  // namespace

std::vector<Token> segment(std::string_view text) {
  std::vector<Token> tokens;
  if (text.empty()) return tokens;
  // An estimate that saves most regrowth, because Chinese words take about
  // two characters of three bytes each. It only sizes the buffer.
  tokens.reserve(text.size() / 4 + 4);

  // ICU's break iterators work on UTF-16 natively. Over UTF-8 they go
  // through UText's mapping on every character access, which costs more
  // than converting the text once.
  thread_local icu::UnicodeString utf16;
  utf16 = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  if (utf16.isBogus()) throw Error(tr("Word segmentation failed: {}", u_errorName(U_MEMORY_ALLOCATION_ERROR)));
  icu::BreakIterator& iterator = thread_word_iterator();
  iterator.setText(utf16);

  // Boundaries are UTF-16 offsets. A cursor walks the UTF-8 text alongside
  // them, so that tokens get their bytes and code point offsets.
  std::size_t byte = 0;
  std::int32_t unit = 0;
  std::int32_t code_point_start = 0;
  for (std::int32_t end = iterator.next(); end != icu::BreakIterator::DONE; end = iterator.next()) {
    const std::size_t piece_begin = byte;
    std::int32_t code_point_length = 0;
    while (unit < end && byte < text.size()) {
      const auto lead = static_cast<unsigned char>(text[byte]);
      std::size_t length = 1;
      if (lead >= 0xF0) {
        length = 4;
      } else if (lead >= 0xE0) {
        length = 3;
      } else if (lead >= 0xC0) {
        length = 2;
      }
      byte = std::min(text.size(), byte + length);
      unit += length == 4 ? 2 : 1;
      ++code_point_length;
    }
    const std::string_view piece = text.substr(piece_begin, byte - piece_begin);
    const std::int32_t status_value = iterator.getRuleStatus();
    const std::int32_t code_point_end = code_point_start + code_point_length;

    // Masked personal data ('*' runs) stays one token, so it reads as one unit.
    const bool masked = piece == "*";
    if (masked && !tokens.empty() && tokens.back().end == code_point_start && !tokens.back().is_word &&
        tokens.back().text.find_first_not_of('*') == std::string::npos) {
      tokens.back().text += '*';
      tokens.back().end = code_point_end;
    } else if (!is_whitespace_only(piece)) {
      Token token;
      token.text = std::string(piece);
      token.begin = code_point_start;
      token.end = code_point_end;
      token.is_word = status_value >= UBRK_WORD_NONE_LIMIT;
      tokens.push_back(std::move(token));
    }
    code_point_start = code_point_end;
  }

  apply_lexicon(tokens);
  return tokens;
}

}  // namespace shopsight

// Example snippets: a short window of masked text around an aspect mention,
// cut on code point boundaries and, where possible, on sentence boundaries.

#include <algorithm>

#include "common/utf8.h"
#include "report/report_data.h"

namespace shopsight::report {
namespace {

constexpr char32_t kEllipsis = U'\u2026';

struct Span {
  std::int32_t begin = -1;
  std::int32_t end = -1;

  bool present() const { return begin >= 0 && end > begin; }
};

// Spans outside the text are treated as absent rather than trusted, because
// an analyzer bug must not turn into an out-of-range read here.
Span checked_span(std::int32_t begin, std::int32_t end, std::int32_t length) {
  if (begin < 0 || end <= begin || end > length) return {};
  return {begin, end};
}

bool ends_sentence(const std::vector<char32_t>& text, std::size_t i) {
  switch (text[i]) {
    case U'\u3002':  // 。
    case U'\uFF01':  // ！
    case U'\uFF1F':  // ？
    case U'\uFF1B':  // ；
    case U'!':
    case U'?':
    case U';':
    case U'\n':
    case U'\r':
      return true;
    case U'.':
      // A full stop inside a number such as 4.5 does not end a sentence.
      return i + 1 == text.size() || text[i + 1] == U' ' || text[i + 1] == U'\n';
    default:
      return false;
  }
}

bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\u3000' || c == U'\u00A0';
}

bool is_line_break(char32_t c) { return c == U'\n' || c == U'\r'; }

// Letters and digits of Latin-script words, which a cut should not split.
// Han text has no spaces between words, so it may be cut anywhere.
bool is_latin_word_char(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') ||
         (c >= U'\u00C0' && c <= U'\u024F' && c != U'\u00D7' && c != U'\u00F7');
}

// Index just after the last sentence end in [from, to), or -1 when none.
std::int32_t last_sentence_start(const std::vector<char32_t>& text, std::int32_t from, std::int32_t to) {
  for (std::int32_t i = to - 1; i >= from; --i) {
    if (ends_sentence(text, static_cast<std::size_t>(i))) return i + 1;
  }
  return -1;
}

// End of the first sentence in [from, to): just after its final punctuation,
// or at a line break, which is not kept. Returns -1 when none.
std::int32_t first_sentence_end(const std::vector<char32_t>& text, std::int32_t from, std::int32_t to) {
  for (std::int32_t i = from; i < to; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (ends_sentence(text, at)) return is_line_break(text[at]) ? i : i + 1;
  }
  return -1;
}

// Whether a sentence starts at `begin`, spaces before it aside.
bool starts_sentence(const std::vector<char32_t>& text, std::int32_t begin) {
  std::int32_t i = begin - 1;
  while (i >= 0 && is_space(text[static_cast<std::size_t>(i)]) && !is_line_break(text[static_cast<std::size_t>(i)])) --i;
  return i < 0 || ends_sentence(text, static_cast<std::size_t>(i));
}

// Whether a sentence ends just before `end`, or only spaces and a line break follow it.
bool finishes_sentence(const std::vector<char32_t>& text, std::int32_t end) {
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = end;
  while (i < length && is_space(text[static_cast<std::size_t>(i)]) && !is_line_break(text[static_cast<std::size_t>(i)])) ++i;
  if (i >= length || is_line_break(text[static_cast<std::size_t>(i)])) return true;
  return end > 0 && ends_sentence(text, static_cast<std::size_t>(end - 1));
}

// Control characters and line breaks would break a table row, so they become spaces.
char32_t printable(char32_t c) {
  if (c < 0x20 || c == 0x7F || c == U'\u2028' || c == U'\u2029') return U' ';
  return c;
}

}  // namespace

std::optional<Snippet> make_snippet(std::string_view masked_text, const AspectMention& mention,
                                    std::int32_t max_chars) {
  if (max_chars <= 0 || !utf8::is_valid(masked_text)) return std::nullopt;
  const std::vector<char32_t> text = utf8::decode(masked_text);
  const auto length = static_cast<std::int32_t>(text.size());

  const Span aspect = checked_span(mention.aspect_begin, mention.aspect_end, length);
  const Span opinion = checked_span(mention.opinion_begin, mention.opinion_end, length);
  if (!aspect.present() && !opinion.present()) return std::nullopt;

  // Focus on both terms when they fit together, else on the opinion alone.
  Span focus = opinion.present() ? opinion : aspect;
  if (aspect.present() && opinion.present()) {
    const Span both{std::min(aspect.begin, opinion.begin), std::max(aspect.end, opinion.end)};
    if (both.end - both.begin <= max_chars) focus = both;
  }
  if (focus.end - focus.begin > max_chars) focus.end = focus.begin + max_chars;

  // Spread the remaining budget evenly on both sides, then give what one
  // side cannot use (at the start or end of the text) to the other.
  const std::int32_t spare = max_chars - (focus.end - focus.begin);
  std::int32_t left = spare / 2;
  std::int32_t right = spare - left;
  if (focus.begin - left < 0) {
    right += left - focus.begin;
    left = focus.begin;
  }
  if (focus.end + right > length) {
    left += focus.end + right - length;
    right = length - focus.end;
  }
  std::int32_t begin = std::max(0, focus.begin - left);
  std::int32_t end = std::min(length, focus.end + right);

  // Start where the focus's sentence starts and give the budget that frees
  // to the right side. Then stop where the sentence ends; the budget that
  // frees goes back to the left unless the start is already a sentence start.
  const std::int32_t start = last_sentence_start(text, begin, focus.begin);
  if (start >= 0) {
    end = std::min(length, end + (start - begin));
    begin = start;
  }
  const std::int32_t stop = first_sentence_end(text, focus.end, end);
  if (stop >= 0) {
    const std::int32_t freed = end - stop;
    end = stop;
    if (start < 0 && begin > 0) {
      const std::int32_t wider = std::max(0, begin - freed);
      const std::int32_t wider_start = last_sentence_start(text, wider, begin);
      begin = wider_start >= 0 ? wider_start : wider;
    }
  }
  // A cut inside a Latin-script word moves to the word's edge, so that the
  // snippet shows no word fragment; the focus always stays whole.
  while (begin > 0 && begin < focus.begin && is_latin_word_char(text[static_cast<std::size_t>(begin - 1)]) &&
         is_latin_word_char(text[static_cast<std::size_t>(begin)])) {
    ++begin;
  }
  while (end < length && end > focus.end && is_latin_word_char(text[static_cast<std::size_t>(end - 1)]) &&
         is_latin_word_char(text[static_cast<std::size_t>(end)])) {
    --end;
  }
  while (begin < focus.begin && is_space(text[static_cast<std::size_t>(begin)])) ++begin;
  while (end > focus.end && is_space(text[static_cast<std::size_t>(end - 1)])) --end;

  // An ellipsis marks only a cut inside a sentence; whole sentences need none.
  const bool cut_before = !starts_sentence(text, begin);
  const bool cut_after = !finishes_sentence(text, end);
  Snippet snippet;
  if (cut_before) utf8::append(snippet.text, kEllipsis);
  for (std::int32_t i = begin; i < end; ++i) utf8::append(snippet.text, printable(text[static_cast<std::size_t>(i)]));
  if (cut_after) utf8::append(snippet.text, kEllipsis);

  // Term offsets move with the window and are clipped to what it shows.
  const std::int32_t shift = (cut_before ? 1 : 0) - begin;
  auto place = [&](const Span& span, std::int32_t& out_begin, std::int32_t& out_end) {
    if (!span.present()) return;
    const std::int32_t clipped_begin = std::max(span.begin, begin);
    const std::int32_t clipped_end = std::min(span.end, end);
    if (clipped_end <= clipped_begin) return;
    out_begin = clipped_begin + shift;
    out_end = clipped_end + shift;
  };
  place(aspect, snippet.aspect_begin, snippet.aspect_end);
  place(opinion, snippet.opinion_begin, snippet.opinion_end);
  return snippet;
}

std::vector<SnippetPart> split_snippet(const Snippet& snippet) {
  const std::vector<char32_t> text = utf8::decode(snippet.text);
  std::vector<SnippetPart::Role> roles(text.size(), SnippetPart::Role::plain);
  auto mark = [&](std::int32_t begin, std::int32_t end, SnippetPart::Role role) {
    if (begin < 0) return;
    const auto last = std::min(static_cast<std::size_t>(end), text.size());
    for (auto i = static_cast<std::size_t>(begin); i < last; ++i) roles[i] = role;
  };
  mark(snippet.aspect_begin, snippet.aspect_end, SnippetPart::Role::aspect);
  mark(snippet.opinion_begin, snippet.opinion_end, SnippetPart::Role::opinion);

  std::vector<SnippetPart> parts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (parts.empty() || parts.back().role != roles[i]) parts.push_back({{}, roles[i]});
    utf8::append(parts.back().text, text[i]);
  }
  return parts;
}

bool RankedSnippet::better_than(const RankedSnippet& other) const {
  if (clarity != other.clarity) return clarity < other.clarity;
  if (score != other.score) return score < other.score;
  return tie_break < other.tie_break;
}

}  // namespace shopsight::report

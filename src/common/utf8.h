#pragma once

// UTF-8 helpers shared by the stages. Offsets that shopsight reports are
// Unicode code point indices into the original text.

#include <unicode/utf8.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shopsight::utf8 {

/// Calls `visit(c, sequence)` on each code point of `text` in order, with its
/// bytes, and with a negative `c` for each invalid sequence, until it returns
/// false. Returns whether every call returned true.
template <typename Visit>
bool all_sequences(std::string_view text, Visit visit) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto size = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < size) {
    const std::int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    if (!visit(c, text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)))) return false;
  }
  return true;
}

/// Calls `visit(c)` on each code point of `text` in order, with a negative `c`
/// for each invalid sequence, until it returns false. Returns whether every
/// call returned true.
template <typename Visit>
bool all_code_points(std::string_view text, Visit visit) {
  return all_sequences(text, [&visit](UChar32 c, std::string_view) { return visit(c); });
}

/// Whether `text` is well-formed UTF-8 (no surrogates, no overlong forms).
bool is_valid(std::string_view text);

/// Number of code points in valid UTF-8 `text`.
std::int32_t length(std::string_view text);

/// Decodes valid UTF-8 into code points.
std::vector<char32_t> decode(std::string_view text);

/// Decodes UTF-8 into `out`, replacing its content; invalid bytes become
/// U+FFFD. Reusing `out` saves an allocation per call on hot paths.
void decode(std::string_view text, std::u32string& out);

/// Encodes code points as UTF-8.
std::string encode(const std::vector<char32_t>& code_points);

/// Appends one code point to `out` as UTF-8.
void append(std::string& out, char32_t code_point);

/// Appends code points to `out` as UTF-8, each as append() would, so a
/// surrogate or a value above U+10FFFF becomes U+FFFD.
void append(std::string& out, std::span<const char32_t> code_points);

/// Substring of `text` from code point `begin` to code point `end` (exclusive).
std::string substr(std::string_view text, std::int32_t begin, std::int32_t end);

/// Byte offset of each code point of valid UTF-8 `text`, plus text.size() at the end.
std::vector<std::size_t> byte_offsets(std::string_view text);

/// Columns that `text` takes in a terminal: East Asian wide and full-width
/// characters take two, non-spacing marks none, the others one. Padding by
/// bytes or code points puts the columns after Chinese text out of line.
std::size_t display_width(std::string_view text);

/// `text` followed by spaces up to `width` display columns.
std::string pad_right(const std::string& text, std::size_t width);

/// `text` after spaces up to `width` display columns.
std::string pad_left(const std::string& text, std::size_t width);

}  // namespace shopsight::utf8

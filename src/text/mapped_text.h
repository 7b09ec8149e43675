#pragma once

// Private to the text stage: code points under normalization, each with the
// span of original code points it came from. Every normalization pass
// carries the spans along with the code points it keeps, adds or replaces, so
// the offset map stays correct step by step.

#include <cstdint>
#include <string_view>
#include <vector>

#include "text/text.h"

namespace shopsight::text_detail {

/// Code points with, for each, the original code point span [begin, end) it came from.
struct MappedText {
  std::vector<char32_t> code_points;  ///< current text
  std::vector<std::int32_t> begin;    ///< first original code point of each code point
  std::vector<std::int32_t> end;      ///< one past the last original code point of each code point

  /// Appends `code_point`, which came from original code points [source_begin, source_end).
  void push(char32_t code_point, std::int32_t source_begin, std::int32_t source_end) {
    code_points.push_back(code_point);
    begin.push_back(source_begin);
    end.push_back(source_end);
  }

  /// Number of code points.
  std::size_t size() const { return code_points.size(); }

  /// Reserves room for `count` code points.
  void reserve(std::size_t count) {
    code_points.reserve(count);
    begin.reserve(count);
    end.reserve(count);
  }

  /// Empties the text, keeping the allocated memory.
  void clear() {
    code_points.clear();
    begin.clear();
    end.clear();
  }
};

/// Decodes UTF-8 into a MappedText where code point i came from original code point i.
/// Invalid sequences become U+FFFD, one per maximal ill-formed subsequence as ICU's U8_NEXT reads them.
MappedText decode_identity(std::string_view text);

/// Drops HTML tags, comments, scripts and styles and decodes character references.
void strip_markup(const MappedText& in, MappedText& out);

/// Whether `text` holds a known HTML tag, comment or character reference worth stripping.
bool looks_like_markup(const MappedText& text);

/// Applies Unicode NFKC one normalization segment at a time, so every output
/// code point maps to the original span of its segment.
void apply_nfkc(const MappedText& in, MappedText& out);

/// Whether NFKC leaves every code point of `text` unchanged.
bool is_nfkc_inert(const MappedText& text);

/// Folds case one code point at a time (Unicode simple case folding), in place.
void fold_case(MappedText& text);

/// Folds whitespace runs into one space, trims both ends and drops control and
/// invisible format characters (keeping the joiner and tags that emoji use).
void fold_whitespace(const MappedText& in, MappedText& out);

/// Personal-data spans in code points, found on decoded text.
struct CodePointSpan {
  PersonalData kind;  ///< what was found
  std::size_t begin;  ///< first code point
  std::size_t end;    ///< one past the last code point
};

/// Finds personal data in decoded code points; see shopsight::find_personal_data.
std::vector<CodePointSpan> find_personal_data(const std::vector<char32_t>& code_points);

}  // namespace shopsight::text_detail

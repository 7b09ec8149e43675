#pragma once

// Private to the text stage: shopping words that segment() keeps whole.

#include <cstddef>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace shopsight::text_detail {

/// Built-in Chinese shopping vocabulary; immutable and shared by all threads.
class Lexicon {
 public:
  /// Process-wide lexicon.
  static const Lexicon& instance();

  /// Whether some word of the lexicon starts with `code_point` (a quick filter).
  bool may_start_word(char32_t code_point) const;

  /// Whether the UTF-8 `word` is in the lexicon.
  bool contains(std::string_view word) const;

  /// Length of the longest word, in code points.
  std::size_t max_length() const { return max_length_; }

 private:
  Lexicon();

  // Entries start in the Basic Multilingual Plane's CJK blocks.
  static constexpr char32_t kFirstCharacterLimit = 0x10000;

  std::unordered_set<std::string_view> words_;
  std::vector<bool> first_characters_;
  std::size_t max_length_ = 0;
};

}  // namespace shopsight::text_detail

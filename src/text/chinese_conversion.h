#pragma once

// Private to the text stage: Traditional to Simplified Chinese conversion
// with OpenCC, kept code point for code point so the offset map survives.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/mapped_text.h"

namespace shopsight::text_detail {

/// OpenCC's "t2s.json" conversion, loaded once per process and shared by all threads.
class SimplifiedConverter {
 public:
  /// Process-wide converter; throws shopsight::Error when OpenCC's data files are missing.
  static const SimplifiedConverter& instance();

  ~SimplifiedConverter();
  SimplifiedConverter(const SimplifiedConverter&) = delete;
  SimplifiedConverter& operator=(const SimplifiedConverter&) = delete;

  /// Converts Traditional characters in `text` to Simplified, in place and
  /// without changing the number of code points.
  void convert(MappedText& text) const;

  /// Converts UTF-8 text with OpenCC's phrase and character dictionaries.
  std::string convert(std::string_view text) const;

  /// Whether OpenCC might change `code_point`, alone or inside a phrase.
  bool may_change(char32_t code_point) const;

 private:
  SimplifiedConverter();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight::text_detail

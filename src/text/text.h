#pragma once

// Text: turns decoded text into the normalized form the models see, and
// keeps the way back to the original so that spans can be reported as
// code point offsets into the original text.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shopsight {

/// Settings of the normalizer; the defaults are what `shopsight analyze` uses.
struct NormalizeOptions {
  bool traditional_to_simplified = true;  ///< OpenCC t2s conversion
  bool strip_html = true;                 ///< drop tags, decode entities
  bool lowercase = true;                  ///< ASCII and other cased scripts
  bool mask_personal_data = true;         ///< phone, e-mail, ID and card numbers
};

/// Normalized text and, for each of its code points, the code point it came from.
struct NormalizedText {
  std::string text;                       ///< NFKC, half-width, simplified, folded whitespace
  std::vector<std::int32_t> source_begin; ///< per code point of `text`: first original code point; one extra entry = original length
  /// Original code point span [begin, end) of normalized code points [begin, end).
  std::pair<std::int32_t, std::int32_t> to_source(std::int32_t begin, std::int32_t end) const;
};

/// Kinds of personal data that are masked.
enum class PersonalData { phone, email, id_card, bank_card };

/// A personal-data match in UTF-8 text, in code points.
struct PersonalDataSpan {
  PersonalData kind;
  std::int32_t begin = 0;
  std::int32_t end = 0;
};

/// Finds phone numbers, e-mail addresses, Chinese resident ID numbers and bank
/// card numbers (Luhn-checked) in `text`.
std::vector<PersonalDataSpan> find_personal_data(std::string_view text);

/// Replaces every code point of each personal-data match with '*', so code
/// point offsets into the text stay valid.
std::string mask_personal_data(std::string_view text);

/// Normalizes text; one instance is safe to share between threads.
class Normalizer {
 public:
  explicit Normalizer(const NormalizeOptions& options = {});
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  /// Normalizes valid UTF-8 `text`.
  NormalizedText normalize(std::string_view text) const;

  /// Traditional to Simplified Chinese conversion alone.
  std::string to_simplified(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Language of a text: "zh", "en" or "other".
std::string detect_language(std::string_view normalized_text);

/// One word or other unit from segmentation, with code point offsets into the segmented text.
struct Token {
  std::string text;
  std::int32_t begin = 0;
  std::int32_t end = 0;
  bool is_word = false;                   ///< letters, ideographs or numbers, not punctuation or space
};

/// Splits text into words with ICU's dictionary-based word break rules
/// (Chinese and Japanese use ICU's CJK dictionary). Thread-safe: each thread
/// keeps its own break iterator.
std::vector<Token> segment(std::string_view text);

/// Whether `word` is a stop word in Chinese or English.
bool is_stop_word(std::string_view word);

}  // namespace shopsight

namespace shopsight {

/// Text prepared once for every analyzer: normalized, segmented, language known.
struct Document {
  NormalizedText normalized;
  std::vector<Token> tokens;              ///< offsets into normalized.text
  std::string language;                   ///< "zh", "en" or "other"
};

/// Normalizes, detects the language of and segments `original`.
Document make_document(const Normalizer& normalizer, std::string_view original);

}  // namespace shopsight

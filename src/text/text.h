#pragma once

// Text: turns decoded text into the normalized form the models see, and
// keeps the way back to the original so that spans can be reported as
// code point offsets into the original text.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopsight {

/// Settings of the normalizer; the defaults are what `shopsight analyze` uses.
struct NormalizeOptions {
  bool traditional_to_simplified = true;  ///< OpenCC t2s conversion
  bool strip_html = true;                 ///< drop tags, decode entities
  bool lowercase = true;                  ///< ASCII and other cased scripts
  bool mask_personal_data = true;         ///< phone, e-mail, ID and card numbers
};

/// Normalized text and, for each of its code points, the original code points it came from.
///
/// Steps, in order: HTML tags dropped and character references decoded; NFKC
/// (full-width ASCII such as ＡＢＣ１２３，！ becomes ASCII, CJK punctuation such
/// as 。、“” is kept); Traditional to Simplified Chinese; simple case folding;
/// whitespace runs (U+3000 and U+00A0 included) folded to one space and
/// trimmed, control and invisible format characters dropped (emoji joiners
/// kept); personal data masked with '*'. Invalid UTF-8 sequences become U+FFFD
/// and count as one original code point each.
struct NormalizedText {
  std::string text;                       ///< normalized UTF-8 text
  std::vector<std::int32_t> source_begin; ///< per code point of `text`: first original code point; one extra entry = original length
  std::vector<std::int32_t> source_end;   ///< per code point of `text`: one past the last original code point it came from
  /// Returns the original code point span [begin, end) of normalized code points
  /// [begin, end), clamped to the text. An empty span maps to an empty span at
  /// the source of `begin`. Dropped text (tags, whitespace) between the first and
  /// last code point is inside the result, dropped text around them is not.
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

/// Finds, in order of position: mainland mobile numbers (13812345678, 138-1234-5678,
/// 138 1234 5678, with an optional +86 or 86 prefix), landlines with an area
/// code and a separator (010-62345678), e-mail addresses, resident ID numbers
/// and bank card numbers (13 to 19 digits starting with 2 to 6, Luhn-checked,
/// in one run or groups of four). Resident IDs have 18 characters or 15 digits
/// with a valid province and birth date, and need no valid check character.
/// Digits glued to letters or decimals (5000mAh, 13812345678.50) are not
/// matched. Full-width forms (１, ＠, ｅ, ．) count as the ASCII they stand for.
std::vector<PersonalDataSpan> find_personal_data(std::string_view text);

/// Replaces every code point of each personal-data match with '*', so code
/// point offsets into the text stay valid.
std::string mask_personal_data(std::string_view text);

/// The text as a reader of the page saw it, for examples shown to people: HTML
/// tags, comments, scripts and styles dropped, character references decoded,
/// whitespace runs folded to one space and trimmed, control characters
/// dropped and personal data masked. Case, script and punctuation are kept.
std::string readable_text(std::string_view text);

/// The supplied text with HTML tags, comments, scripts and styles dropped and
/// character references decoded (as the normalizer's first step does), and
/// nothing else changed, for showing to people and storing. Text without
/// markup comes back byte for byte, with empty maps.
struct DisplayText {
  std::string text;
  std::vector<std::int32_t> source_begin; ///< per code point of `text`: first original code point; empty when unchanged
  std::vector<std::int32_t> source_end;   ///< per code point of `text`: one past the last original code point
  /// Returns the span [begin, end) of `text` whose code points came from
  /// original code points [begin, end). Code points that came partly from
  /// inside the span, such as a reference cut by it, are included.
  std::pair<std::int32_t, std::int32_t> from_source(std::int32_t begin, std::int32_t end) const;
};

/// Strips markup from valid UTF-8 `original`; see DisplayText.
DisplayText make_display_text(std::string_view original);

/// Draws a new random key for pseudonymous_user: 32 bytes as 64 hexadecimal digits.
std::string new_pseudonym_key();

/// Returns the user id as stored. An id that is itself personal data (a phone
/// number, an e-mail address) becomes "user-" and 12 hexadecimal digits of a
/// hash keyed with `key`. Other ids, pseudonyms among them, stay as they are.
std::string pseudonymous_user(std::string_view user, std::string_view key);

/// Returns the pseudonym of stores before schema version 4: "user-" and 12
/// hexadecimal digits of an unkeyed XXH3 of the id.
std::string unkeyed_pseudonym(std::string_view user);

/// Returns the keyed pseudonym of an id whose unkeyed_pseudonym is `unkeyed`,
/// so that stores migrated to version 4 can rewrite their pseudonyms without the ids.
std::string rekeyed_pseudonym(std::string_view unkeyed, std::string_view key);

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

/// Detects the language of lowercased text: "zh" when Han ideographs outweigh
/// the other letters (one ideograph counts as three Latin letters, so Chinese
/// with English product names stays "zh"), "en" for Latin text unless French,
/// German, Spanish, Italian, Portuguese or Dutch function words outnumber
/// English ones, and "other" for Japanese (kana), Korean, Cyrillic, Arabic and
/// other scripts or for text without letters.
std::string detect_language(std::string_view normalized_text);

/// One word or other unit from segmentation, with code point offsets into the segmented text.
struct Token {
  std::string text;
  std::int32_t begin = 0;
  std::int32_t end = 0;
  bool is_word = false;                   ///< letters, ideographs or numbers, not punctuation or space
};

/// Splits text into words with ICU's dictionary-based word break rules
/// (Chinese and Japanese use ICU's CJK dictionary), then joins the pieces of
/// shopping words that the dictionary lacks (客服, 发货, 性价比, 尺码...).
/// Whitespace is not returned; punctuation, emoji and runs of '*' from masking
/// come back as tokens with is_word false. Thread-safe: each thread keeps its
/// own break iterator.
std::vector<Token> segment(std::string_view text);

/// Whether `word` is a Chinese or English stop word for keyword extraction:
/// particles, pronouns, conjunctions, prepositions and degree adverbs (很, very).
/// Negations (不, 没, 没有, not, no, never) are not stop words, because
/// sentiment needs them. ASCII letters are compared case-insensitively.
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

/// Returns the document's distinct words, sorted and joined by spaces. SQLite's
/// tokenizers split on spaces and punctuation but cannot find the words
/// inside a run of ideographs, so the full-text index takes this form.
std::string search_words(const Document& document);

}  // namespace shopsight

// Language identification by script counts, then English function words
// against those of other Latin-script languages.

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>

#include "text/text.h"

namespace shopsight {

namespace {

// Frequent English function words, each one evidence of English.
const std::unordered_set<std::string_view>& english_words() {
  static const std::unordered_set<std::string_view> words = {
      "the",   "and",  "is",    "it",    "this",  "that",  "was",   "for",   "with",  "of",   "to",
      "my",    "i",    "you",   "but",   "are",   "have",  "not",   "they",  "be",    "so",   "just",
      "would", "its",  "at",    "as",    "very",  "too",   "if",    "or",    "what",  "were", "has",
      "had",   "will", "can",   "from",  "your",  "her",   "his",   "she",   "he",    "we",   "our",
      "them",  "their", "there", "been", "do",    "does",  "did",   "don't", "didn't", "it's", "i'm",
      "than",  "then", "about", "these", "those", "which", "when",  "really", "because", "could", "should",
      "also",  "an",   "on",    "in",    "a",     "no",    "all",   "out",   "up",    "like", "one"};
  return words;
}

// Function words of French, German, Spanish, Italian, Portuguese and Dutch
// that are not also common English words ("a", "in", "on", "also" are left out).
const std::unordered_set<std::string_view>& other_latin_words() {
  static const std::unordered_set<std::string_view> words = {
      // French
      "le", "la", "les", "des", "est", "et", "je", "pas", "une", "du", "pour", "que", "qui", "très", "avec",
      "sur", "mais", "ce", "cette", "il", "elle", "nous", "vous", "sont", "au", "aux", "ont", "c'est", "j'ai",
      "trop", "bien", "mon", "ma", "mes", "dans", "produit", "ne", "un",
      // German
      "der", "die", "das", "und", "ist", "nicht", "ich", "sehr", "mit", "ein", "eine", "zu", "auf", "für", "es",
      "sie", "wir", "den", "dem", "von", "aber", "auch", "war", "gut", "wie", "nur", "noch", "schon", "sind",
      // Spanish
      "el", "los", "las", "es", "y", "muy", "con", "por", "para", "del", "pero", "una", "lo", "se", "su", "mi",
      "está", "bueno", "producto",
      // Italian
      "il", "di", "che", "è", "non", "molto", "della", "per", "sono", "ma", "gli", "questo", "ottimo",
      // Portuguese
      "não", "muito", "os", "em", "um", "uma", "com", "produto", "é", "mas",
      // Dutch
      "het", "een", "niet", "ik", "zijn", "van", "heel", "maar", "voor", "wel", "dit"};
  return words;
}

struct ScriptCounts {
  int han = 0;
  int kana = 0;
  int hangul = 0;
  int latin = 0;              ///< Latin letters, at most kMaxLatinWordWeight per word
  int other = 0;
  int english_words = 0;      ///< English function words
  int other_latin_words = 0;  ///< function words of other Latin-script languages
};

// One long Latin word ("xxxxxxxxxxxx", a product code) must not outweigh a
// Chinese sentence, so each word counts at most this many letters.
constexpr int kMaxLatinWordWeight = 8;

// Kana-block marks that emoticons borrow (ヾ, ー, ・) are not evidence of Japanese.
bool is_kana_letter(UChar32 c) {
  return !(c == 0x30FB || c == 0x30FC || c == 0x30FD || c == 0x30FE || c == 0x309D || c == 0x309E);
}

// Length in bytes of the URL starting at `i`, or 0. URLs do not count as words.
std::size_t url_length(std::string_view text, std::size_t i) {
  const std::string_view rest = text.substr(i);
  if (!rest.starts_with("http://") && !rest.starts_with("https://") && !rest.starts_with("www.")) return 0;
  std::size_t end = i;
  while (end < text.size()) {
    const auto byte = static_cast<unsigned char>(text[end]);
    if (byte <= ' ' || byte >= 0x80) break;
    ++end;
  }
  return end - i;
}

void finish_latin_word(std::string& word, int letters, ScriptCounts& counts) {
  if (word.empty()) return;
  counts.latin += std::min(letters, kMaxLatinWordWeight);
  if (english_words().contains(word)) ++counts.english_words;
  if (other_latin_words().contains(word)) ++counts.other_latin_words;
  word.clear();
}

ScriptCounts count_scripts(std::string_view text) {
  ScriptCounts counts;
  std::string word;
  int word_letters = 0;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto size = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < size) {
    if (word.empty()) {
      if (const std::size_t skip = url_length(text, static_cast<std::size_t>(i)); skip > 0) {
        i += static_cast<std::int32_t>(skip);
        continue;
      }
    }

    const std::int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    UScriptCode script = USCRIPT_COMMON;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      script = USCRIPT_LATIN;
    } else if (c >= 0x4E00 && c <= 0x9FFF) {
      // Every code point of the CJK Unified Ideographs block is a Han letter
      // in ICU's data (tests/text/fast_paths_test.cpp checks it), and most
      // of a Chinese review is in it, so ICU's property lookups are skipped.
      script = USCRIPT_HAN;
    } else if (c >= 0x80 && u_isalpha(c)) {
      UErrorCode status = U_ZERO_ERROR;
      script = uscript_getScript(c, &status);
    }

    // Apostrophes stay inside English words such as "don't".
    const bool apostrophe_in_word = c == '\'' && !word.empty();
    if (script == USCRIPT_LATIN || apostrophe_in_word) {
      word.append(text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
      if (script == USCRIPT_LATIN) ++word_letters;
      continue;
    }
    finish_latin_word(word, word_letters, counts);
    word_letters = 0;

    switch (script) {
      case USCRIPT_HAN:
        ++counts.han;
        break;
      case USCRIPT_HIRAGANA:
      case USCRIPT_KATAKANA:
        if (is_kana_letter(c)) ++counts.kana;
        break;
      case USCRIPT_HANGUL:
        ++counts.hangul;
        break;
      case USCRIPT_COMMON:
      case USCRIPT_INHERITED:
        break;
      default:
        ++counts.other;
        break;
    }
  }
  finish_latin_word(word, word_letters, counts);
  return counts;
}

}  // namespace

std::string detect_language(std::string_view normalized_text) {
  const ScriptCounts counts = count_scripts(normalized_text);

  // Japanese mixes kanji with kana, while a Chinese review may borrow one "の".
  if (counts.kana > 0 && counts.kana * 3 >= counts.han + counts.kana) return "other";

  // One ideograph or hangul syllable carries about as much as three Latin
  // letters, so "这款iphone很好用" counts as Chinese.
  const int han_weight = counts.han * 3;
  const int hangul_weight = counts.hangul * 3;
  if (han_weight == 0 && counts.latin == 0) return "other";
  if (han_weight >= counts.latin && han_weight >= hangul_weight && han_weight >= counts.other) return "zh";
  if (counts.latin < hangul_weight || counts.latin < counts.other || counts.latin < han_weight) return "other";

  // Latin script: English unless another language's function words clearly win.
  if (counts.other_latin_words > counts.english_words && (counts.other_latin_words >= 2 || counts.english_words == 0)) {
    return "other";
  }
  return "en";
}

}  // namespace shopsight

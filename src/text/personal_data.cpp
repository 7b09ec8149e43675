// Personal-data scanners. Hand-written rather than regular expressions
// because every kind needs a check that a pattern cannot express (ID
// checksum, Luhn, digit grouping) and because they run on every review.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "text/mapped_text.h"
#include "text/text.h"

namespace shopsight {

namespace text_detail {

namespace {

int digit_value(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  return -1;
}

bool is_ascii_alpha(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }

bool is_ascii_alnum(char32_t c) { return is_ascii_alpha(c) || (c >= U'0' && c <= U'9'); }

// Letters and digits glue to a number: "sn13812345678" is a serial, not a phone.
bool is_word_character(char32_t c) { return is_ascii_alnum(c); }

bool is_separator(char32_t c) { return c == U' ' || c == U'-'; }

// ---------------------------------------------------------------- e-mail

bool is_local_part_character(char32_t c) {
  return is_ascii_alnum(c) || c == U'.' || c == U'_' || c == U'%' || c == U'+' || c == U'-';
}

bool is_domain_character(char32_t c) { return is_ascii_alnum(c) || c == U'-' || c == U'.'; }

// Finds the address around the '@' at `at`, returning false when there is none.
bool match_email(const std::vector<char32_t>& text, std::size_t at, std::size_t* begin, std::size_t* end) {
  std::size_t local = at;
  while (local > 0 && is_local_part_character(text[local - 1])) --local;
  while (local < at && text[local] == U'.') ++local;
  if (local == at) return false;

  std::size_t domain_end = at + 1;
  while (domain_end < text.size() && is_domain_character(text[domain_end])) ++domain_end;
  while (domain_end > at + 1 && (text[domain_end - 1] == U'.' || text[domain_end - 1] == U'-')) --domain_end;

  // The domain needs at least two non-empty labels and an alphabetic top level of two or more letters.
  std::size_t label_begin = at + 1;
  std::size_t labels = 0;
  for (std::size_t k = at + 1; k <= domain_end; ++k) {
    if (k < domain_end && text[k] != U'.') continue;
    if (k == label_begin) return false;
    ++labels;
    if (k == domain_end) {
      if (k - label_begin < 2) return false;
      for (std::size_t m = label_begin; m < k; ++m) {
        if (!is_ascii_alpha(text[m])) return false;
      }
    }
    label_begin = k + 1;
  }
  if (labels < 2) return false;

  *begin = local;
  *end = domain_end;
  return true;
}

// ---------------------------------------------------------------- numbers

// Maximum number of digits of any kind, reached by 19-digit cards.
constexpr std::size_t kMaxDigits = 19;

// Digits joined by single spaces or hyphens, e.g. "138 1234-5678", kept as groups.
struct DigitChain {
  std::vector<int> digits;                 // digit values, 'x' check character as 10
  std::vector<std::size_t> positions;      // code point index of each digit
  std::vector<std::size_t> group_starts;   // index into digits where each group starts, plus digits.size()
};

std::size_t group_count(const DigitChain& chain) { return chain.group_starts.size() - 1; }

// Reads the chain that starts at `i` and returns the index after it.
std::size_t read_chain(const std::vector<char32_t>& text, std::size_t i, DigitChain* chain) {
  chain->digits.clear();
  chain->positions.clear();
  chain->group_starts.clear();
  chain->group_starts.push_back(0);

  while (true) {
    while (i < text.size() && digit_value(text[i]) >= 0) {
      chain->digits.push_back(digit_value(text[i]));
      chain->positions.push_back(i);
      ++i;
    }

    // A resident ID ends in a check character that may be the letter X.
    const std::size_t group_size = chain->digits.size() - chain->group_starts.back();
    if (group_size == 17 && i < text.size() && (text[i] == U'x' || text[i] == U'X')) {
      chain->digits.push_back(10);
      chain->positions.push_back(i);
      ++i;
    }
    chain->group_starts.push_back(chain->digits.size());

    if (i + 1 < text.size() && is_separator(text[i]) && digit_value(text[i + 1]) >= 0 &&
        chain->digits.back() != 10) {
      ++i;
      continue;
    }
    return i;
  }
}

std::size_t group_size(const DigitChain& chain, std::size_t group) {
  return chain.group_starts[group + 1] - chain.group_starts[group];
}

// Digits of groups [first, last], with the 'x' check character as 10.
std::vector<int> digits_of(const DigitChain& chain, std::size_t first, std::size_t last) {
  return {chain.digits.begin() + static_cast<std::ptrdiff_t>(chain.group_starts[first]),
          chain.digits.begin() + static_cast<std::ptrdiff_t>(chain.group_starts[last + 1])};
}

bool has_check_letter(const std::vector<int>& digits) {
  return std::find(digits.begin(), digits.end(), 10) != digits.end();
}

// Province codes (GB/T 2260): the first two digits of every resident ID.
bool is_province(int code) {
  return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
         (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) || code == 71 ||
         (code >= 81 && code <= 83);
}

int number_of(const std::vector<int>& digits, std::size_t begin, std::size_t count) {
  int value = 0;
  for (std::size_t i = begin; i < begin + count; ++i) value = value * 10 + digits[i];
  return value;
}

bool is_date(int year, int month, int day) {
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day <= 28 || leap;
}

// Resident IDs: 18 characters (GB 11643: region, YYYYMMDD, sequence, check
// character) or 15 digits (first generation: region, YYMMDD, sequence). A
// wrong check character is still masked, because a mistyped ID still
// identifies a person; region and birth date keep order numbers out.
bool is_resident_id(const std::vector<int>& digits) {
  if (digits.size() == 15) {
    return !has_check_letter(digits) && is_province(number_of(digits, 0, 2)) &&
           is_date(1900 + number_of(digits, 6, 2), number_of(digits, 8, 2), number_of(digits, 10, 2));
  }
  if (digits.size() != 18 || has_check_letter({digits.begin(), digits.end() - 1})) return false;
  const int year = number_of(digits, 6, 4);
  return is_province(number_of(digits, 0, 2)) && year >= 1900 && year <= 2099 &&
         is_date(year, number_of(digits, 10, 2), number_of(digits, 12, 2));
}

bool passes_luhn(const std::vector<int>& digits) {
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int value = *it;
    if (double_it) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

bool is_mobile_number(const std::vector<int>& digits) {
  return digits.size() == 11 && digits[0] == 1 && digits[1] >= 3 && !has_check_letter(digits);
}

// Phones are written 13812345678, 138 1234 5678 or 138-1234-5678.
bool has_mobile_grouping(const DigitChain& chain, std::size_t first, std::size_t last) {
  std::size_t offset = 0;
  for (std::size_t g = first; g < last; ++g) {
    offset += group_size(chain, g);
    if (offset != 3 && offset != 7) return false;
  }
  return true;
}

// Mobile numbers in Taiwan are 09 and eight digits, written 0912345678,
// 0912-345-678 or 0912 345 678.
bool is_taiwan_mobile(const DigitChain& chain, std::size_t first, std::size_t last, const std::vector<int>& digits) {
  if (digits.size() != 10 || digits[0] != 0 || digits[1] != 9 || has_check_letter(digits)) return false;
  std::size_t offset = 0;
  for (std::size_t g = first; g < last; ++g) {
    offset += group_size(chain, g);
    if (offset != 4 && offset != 7) return false;
  }
  return true;
}

// Cards are written in one run, in groups of four (the last may be shorter),
// or 4-6-5 and 4-6-4 as American Express and Diners Club print them.
bool has_card_grouping(const DigitChain& chain, std::size_t first, std::size_t last) {
  if (first == last) return true;
  const std::size_t groups = last - first + 1;
  if (groups == 3 && group_size(chain, first) == 4 && group_size(chain, first + 1) == 6) {
    const std::size_t tail = group_size(chain, last);
    return tail == 5 || tail == 4;
  }
  for (std::size_t g = first; g < last; ++g) {
    if (group_size(chain, g) != 4) return false;
  }
  return group_size(chain, last) >= 1 && group_size(chain, last) <= 4;
}

bool is_bank_card(const DigitChain& chain, std::size_t first, std::size_t last, const std::vector<int>& digits) {
  // Issuer numbers of the card networks (UnionPay 62, Visa 4, Mastercard 2 and 5,
  // American Express 34/37, JCB 35, Diners 30/36/38) start with 2 to 6.
  if (digits.size() < 13 || digits.size() > 19 || has_check_letter(digits)) return false;
  if (digits[0] < 2 || digits[0] > 6) return false;
  // A run of one repeated digit (6666666666666) is filler, not a card.
  if (std::all_of(digits.begin(), digits.end(), [&](int digit) { return digit == digits[0]; })) return false;
  return has_card_grouping(chain, first, last) && passes_luhn(digits);
}

// Landlines: area code 0xx or 0xxx, a separator, then 7 or 8 digits starting with 2 to 9.
bool is_landline(const DigitChain& chain, std::size_t first, std::size_t last, const std::vector<int>& digits) {
  if (last != first + 1 || has_check_letter(digits)) return false;
  const std::size_t area = group_size(chain, first);
  const std::size_t local = group_size(chain, last);
  return (area == 3 || area == 4) && digits[0] == 0 && digits[1] != 0 && (local == 7 || local == 8) &&
         digits[area] >= 2;
}

struct ChainMatch {
  PersonalData kind;
  std::size_t first_group;
};

// Classifies groups [first, last] of `chain`, returning false when they are no personal data.
bool classify(const DigitChain& chain, std::size_t first, std::size_t last, ChainMatch* match) {
  const auto digits = digits_of(chain, first, last);
  match->first_group = first;

  if (first == last && is_resident_id(digits)) {
    match->kind = PersonalData::id_card;
    return true;
  }
  if (is_mobile_number(digits) && has_mobile_grouping(chain, first, last)) {
    match->kind = PersonalData::phone;
    // Takes in a country code written as its own group: "86 138 1234 5678".
    if (first > 0 && group_size(chain, first - 1) == 2 && chain.digits[chain.group_starts[first - 1]] == 8 &&
        chain.digits[chain.group_starts[first - 1] + 1] == 6) {
      match->first_group = first - 1;
    }
    return true;
  }
  if (first == last && digits.size() == 13 && digits[0] == 8 && digits[1] == 6 &&
      is_mobile_number({digits.begin() + 2, digits.end()})) {
    match->kind = PersonalData::phone;
    return true;
  }
  if (is_taiwan_mobile(chain, first, last, digits)) {
    match->kind = PersonalData::phone;
    return true;
  }
  if (is_bank_card(chain, first, last, digits)) {
    match->kind = PersonalData::bank_card;
    return true;
  }
  if (is_landline(chain, first, last, digits)) {
    match->kind = PersonalData::phone;
    return true;
  }
  return false;
}

// Whether a decimal point glues the number to more digits, as in prices.
bool is_decimal_point_at(const std::vector<char32_t>& text, std::size_t i, bool digit_after) {
  if (i >= text.size() || text[i] != U'.') return false;
  if (digit_after) return i + 1 < text.size() && digit_value(text[i + 1]) >= 0;
  return i > 0 && digit_value(text[i - 1]) >= 0;
}

// Index after the landline "(010)62345678" or "(0755) 2345678" that starts at
// `i` ('('), or 0.
std::size_t parenthesized_landline_end(const std::vector<char32_t>& text, std::size_t i) {
  std::size_t k = i + 1;
  const std::size_t area_begin = k;
  while (k < text.size() && digit_value(text[k]) >= 0) ++k;
  const std::size_t area = k - area_begin;
  if (area < 3 || area > 4 || digit_value(text[area_begin]) != 0 || digit_value(text[area_begin + 1]) == 0) return 0;
  if (k >= text.size() || text[k] != U')') return 0;
  ++k;
  if (k < text.size() && is_separator(text[k])) ++k;

  const std::size_t local_begin = k;
  while (k < text.size() && digit_value(text[k]) >= 0) ++k;
  const std::size_t local = k - local_begin;
  if ((local != 7 && local != 8) || digit_value(text[local_begin]) < 2) return 0;
  if (k < text.size() && (is_word_character(text[k]) || is_decimal_point_at(text, k, true))) return 0;
  return k;
}

// Index after the international number "+1 415-555-0199" or "+8613812345678"
// that starts at `i` ('+'), or 0. E.164 numbers have at most 15 digits; fewer
// than 8 after a plus sign is more likely a count or a score.
std::size_t international_phone_end(const std::vector<char32_t>& text, std::size_t i) {
  std::size_t k = i + 1;
  if (k >= text.size() || digit_value(text[k]) < 1) return 0;

  std::size_t digits = 0;
  std::size_t end = k;
  while (k < text.size()) {
    if (digit_value(text[k]) >= 0) {
      ++digits;
      end = ++k;
    } else if ((text[k] == U' ' || text[k] == U'-' || text[k] == U'.') && k + 1 < text.size() &&
               digit_value(text[k + 1]) >= 0) {
      ++k;
    } else {
      break;
    }
  }
  if (digits < 8 || digits > 15) return 0;
  if (end < text.size() && (is_word_character(text[end]) || is_decimal_point_at(text, end, true))) return 0;
  return end;
}

void find_numbers(const std::vector<char32_t>& text, std::vector<CodePointSpan>& spans,
                  const std::vector<CodePointSpan>& emails) {
  DigitChain chain;
  std::size_t next_email = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (next_email < emails.size() && emails[next_email].end <= i) ++next_email;
    if (next_email < emails.size() && emails[next_email].begin <= i) {
      i = emails[next_email].end;
      continue;
    }
    if (text[i] == U'+') {
      if (const std::size_t end = international_phone_end(text, i); end != 0) {
        spans.push_back({PersonalData::phone, i, end});
        i = end;
        continue;
      }
    }
    if (text[i] == U'(') {
      if (const std::size_t end = parenthesized_landline_end(text, i); end != 0) {
        spans.push_back({PersonalData::phone, i, end});
        i = end;
        continue;
      }
    }
    if (digit_value(text[i]) < 0) {
      ++i;
      continue;
    }

    const std::size_t chain_begin = i;
    const std::size_t chain_end = read_chain(text, i, &chain);
    i = chain_end;

    // A chain glued to letters or to a decimal part is a model number or a price.
    std::size_t before = chain_begin;
    if (before > 0 && text[before - 1] == U'+') --before;
    if (before > 0 && (is_word_character(text[before - 1]) || is_decimal_point_at(text, before - 1, false))) continue;
    if (chain_end < text.size() &&
        (is_word_character(text[chain_end]) || is_decimal_point_at(text, chain_end, true))) {
      continue;
    }

    const std::size_t groups = group_count(chain);
    std::size_t first = 0;
    while (first < groups) {
      // No kind is longer than kMaxDigits, which keeps long chains ("1 1 1 ...") linear.
      std::size_t last_limit = first;
      while (last_limit + 1 < groups &&
             chain.group_starts[last_limit + 2] - chain.group_starts[first] <= kMaxDigits) {
        ++last_limit;
      }

      bool found = false;
      for (std::size_t last = last_limit + 1; last-- > first;) {
        ChainMatch match{};
        if (!classify(chain, first, last, &match)) continue;

        std::size_t begin = chain.positions[chain.group_starts[match.first_group]];
        if (match.first_group == 0 && begin > 0 && text[begin - 1] == U'+') --begin;
        const std::size_t end = chain.positions[chain.group_starts[last + 1] - 1] + 1;
        spans.push_back({match.kind, begin, end});
        first = last + 1;
        found = true;
        break;
      }
      if (!found) ++first;
    }
  }
}

// Full-width forms (U+FF01 to U+FF5E: ＠, ｅ, ．, Ｘ, ０) as the ASCII they stand for,
// so the original text is matched as its normalized form is. One code point
// stays one code point, so spans found in the copy hold for the original.
std::vector<char32_t> fold_full_width(const std::vector<char32_t>& text) {
  std::vector<char32_t> folded(text);
  for (char32_t& c : folded) {
    if (c >= U'\uFF01' && c <= U'\uFF5E') c = static_cast<char32_t>(c - U'\uFF01' + U'!');
  }
  return folded;
}

}  // namespace

std::vector<CodePointSpan> find_personal_data(const std::vector<char32_t>& original) {
  const std::vector<char32_t> code_points = fold_full_width(original);
  std::vector<CodePointSpan> emails;
  for (std::size_t i = 0; i < code_points.size(); ++i) {
    if (code_points[i] != U'@') continue;
    std::size_t begin = 0;
    std::size_t end = 0;
    if (match_email(code_points, i, &begin, &end)) {
      if (!emails.empty() && emails.back().end > begin) continue;
      emails.push_back({PersonalData::email, begin, end});
      i = end - 1;
    }
  }

  std::vector<CodePointSpan> spans = emails;
  find_numbers(code_points, spans, emails);
  std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  return spans;
}

}  // namespace text_detail

std::vector<PersonalDataSpan> find_personal_data(std::string_view text) {
  std::vector<PersonalDataSpan> result;
  for (const auto& span : text_detail::find_personal_data(utf8::decode(text))) {
    result.push_back({span.kind, static_cast<std::int32_t>(span.begin), static_cast<std::int32_t>(span.end)});
  }
  return result;
}

std::string mask_personal_data(std::string_view text) {
  // Every kind of personal data has an ASCII digit, a full-width digit
  // (UTF-8 EF BC 90 to EF BC 99), an '@' or a full-width '＠' (EF BC A0). A
  // byte scan for them is much cheaper than decoding, and four in five of
  // 50,000 Chinese reviews had none.
  bool candidate = false;
  for (std::size_t i = 0; i < text.size() && !candidate; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      const auto last = static_cast<unsigned char>(text[i + 2]);
      candidate = (last >= 0x90 && last <= 0x99) || last == 0xA0;
    } else {
      candidate = (byte >= '0' && byte <= '9') || byte == '@';
    }
  }
  if (!candidate) return std::string(text);

  auto code_points = utf8::decode(text);
  const auto spans = text_detail::find_personal_data(code_points);
  if (spans.empty()) return std::string(text);
  for (const auto& span : spans) {
    std::fill(code_points.begin() + static_cast<std::ptrdiff_t>(span.begin),
              code_points.begin() + static_cast<std::ptrdiff_t>(span.end), U'*');
  }
  return utf8::encode(code_points);
}

}  // namespace shopsight

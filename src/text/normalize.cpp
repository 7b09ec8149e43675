// Normalization pipeline. Markup goes first so that references such as
// &#xFF21; are normalized too. NFKC runs before Traditional to Simplified
// conversion, so compatibility ideographs (U+F900...) become the unified ones
// in OpenCC's dictionaries. Whitespace folds last because NFKC turns U+3000
// and U+00A0 into U+0020.
//
// Punctuation: NFKC maps full-width ASCII forms to ASCII (，！？：；（） become
// , ! ? : ; ( )) but leaves CJK punctuation alone (。、「」“” stay). The
// normalizer keeps that result as it is, so models see one form per mark.

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <string>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "text/chinese_conversion.h"
#include "text/mapped_text.h"
#include "text/text.h"

namespace shopsight {

namespace text_detail {

namespace {

const icu::Normalizer2& nfkc_instance() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) throw Error(tr("Failed to load ICU's NFKC normalization data: {}. Reinstall the libicu72 package.", u_errorName(status)));
    return nfkc;
  }();
  return *instance;
}

// ASCII and the CJK Unified Ideographs block (U+4E00 to U+9FFF) have
// NFKC_Quick_Check=Yes and a normalization boundary before each code point,
// so each is its own NFKC form (tests/text/fast_paths_test.cpp checks this
// against ICU's data). Testing the range first spares most Chinese text
// ICU's property lookups.
bool is_nfkc_trivial(char32_t c) { return c < 0x80 || (c >= 0x4E00 && c <= 0x9FFF); }

bool is_kept_format_character(char32_t c) {
  // The zero width joiner and tag characters build emoji sequences (family, flags).
  return c == 0x200D || (c >= 0xE0020 && c <= 0xE007F);
}

}  // namespace

MappedText decode_identity(std::string_view text) {
  MappedText out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto size = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  std::int32_t index = 0;
  while (i < size) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    out.push(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c), index, index + 1);
    ++index;
  }
  return out;
}

bool is_nfkc_inert(const MappedText& text) {
  const auto& nfkc = nfkc_instance();
  return std::all_of(text.code_points.begin(), text.code_points.end(),
                     [&](char32_t c) { return nfkc.isInert(static_cast<UChar32>(c)); });
}

void apply_nfkc(const MappedText& in, MappedText& out) {
  const auto& nfkc = nfkc_instance();
  const auto& c = in.code_points;
  out.clear();
  out.reserve(in.size() + 8);

  std::size_t i = 0;
  while (i < c.size()) {
    // A normalization segment runs up to the next code point with a boundary
    // before it, and segments normalize independently of each other.
    std::size_t end = i + 1;
    while (end < c.size() && !is_nfkc_trivial(c[end]) && !nfkc.hasBoundaryBefore(static_cast<UChar32>(c[end]))) {
      ++end;
    }

    // A lone code point with NFKC_Quick_Check=Yes is its own normalization.
    // That covers ASCII and Han, which ICU does not call inert because a
    // following combining mark could compose with them.
    if (end == i + 1 && (is_nfkc_trivial(c[i]) || u_getIntPropertyValue(static_cast<UChar32>(c[i]),
                                                                        UCHAR_NFKC_QUICK_CHECK) == UNORM_YES)) {
      out.push(c[i], in.begin[i], in.end[i]);
      i = end;
      continue;
    }

    icu::UnicodeString segment;
    for (std::size_t k = i; k < end; ++k) segment.append(static_cast<UChar32>(c[k]));
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString normalized = nfkc.normalize(segment, status);
    if (U_FAILURE(status)) throw Error(tr("Unicode normalization failed: {}", u_errorName(status)));

    // Every output code point maps to the whole segment it came from.
    for (std::int32_t k = 0; k < normalized.length(); k = normalized.moveIndex32(k, 1)) {
      out.push(static_cast<char32_t>(normalized.char32At(k)), in.begin[i], in.end[end - 1]);
    }
    i = end;
  }
}

void fold_case(MappedText& text) {
  for (auto& c : text.code_points) {
    if (c < 0x80) {
      if (c >= U'A' && c <= U'Z') c += 32;
      continue;
    }
    c = static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
  }
}

void fold_whitespace(const MappedText& in, MappedText& out) {
  const auto& c = in.code_points;
  out.clear();
  out.reserve(in.size());

  bool pending_space = false;
  std::int32_t space_begin = 0;
  std::int32_t space_end = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto code_point = static_cast<UChar32>(c[i]);
    // Ideographs are neither space nor control nor format characters (see
    // is_nfkc_trivial), and most of a Chinese review is ideographs.
    if (code_point >= 0x4E00 && code_point <= 0x9FFF) {
      if (pending_space && out.size() > 0) out.push(U' ', space_begin, space_end);
      pending_space = false;
      out.push(c[i], in.begin[i], in.end[i]);
      continue;
    }
    if (u_isUWhiteSpace(code_point)) {
      if (!pending_space) {
        pending_space = true;
        space_begin = in.begin[i];
        space_end = in.end[i];
      }
      continue;
    }

    const auto type = u_charType(code_point);
    if (type == U_CONTROL_CHAR) continue;
    if (type == U_FORMAT_CHAR && !is_kept_format_character(c[i])) continue;

    // Leading whitespace is trimmed, and inner runs become one space.
    if (pending_space && out.size() > 0) out.push(U' ', space_begin, space_end);
    pending_space = false;
    out.push(c[i], in.begin[i], in.end[i]);
  }
}

}  // namespace text_detail

std::pair<std::int32_t, std::int32_t> NormalizedText::to_source(std::int32_t begin, std::int32_t end) const {
  if (source_begin.empty()) return {0, 0};
  const auto size = static_cast<std::int32_t>(source_begin.size()) - 1;
  begin = std::clamp(begin, 0, size);
  end = std::clamp(end, begin, size);
  if (begin == end) return {source_begin[begin], source_begin[begin]};

  if (source_end.size() == static_cast<std::size_t>(size)) return {source_begin[begin], source_end[end - 1]};

  // Without end offsets, the span runs up to the next code point from a later source.
  std::int32_t last = end;
  while (last < size && source_begin[last] == source_begin[end - 1]) ++last;
  return {source_begin[begin], source_begin[last]};
}

struct Normalizer::Impl {
  NormalizeOptions options;
  const text_detail::SimplifiedConverter* converter = nullptr;
};

Normalizer::Normalizer(const NormalizeOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  if (options.traditional_to_simplified) impl_->converter = &text_detail::SimplifiedConverter::instance();
}

Normalizer::~Normalizer() = default;

NormalizedText Normalizer::normalize(std::string_view text) const {
  using text_detail::MappedText;
  MappedText current = text_detail::decode_identity(text);
  const auto original_length = static_cast<std::int32_t>(current.size());
  MappedText scratch;

  if (impl_->options.strip_html && text_detail::looks_like_markup(current)) {
    text_detail::strip_markup(current, scratch);
    std::swap(current, scratch);
  }

  if (!text_detail::is_nfkc_inert(current)) {
    text_detail::apply_nfkc(current, scratch);
    std::swap(current, scratch);
  }

  if (impl_->converter != nullptr) impl_->converter->convert(current);
  if (impl_->options.lowercase) text_detail::fold_case(current);

  text_detail::fold_whitespace(current, scratch);
  std::swap(current, scratch);

  if (impl_->options.mask_personal_data) {
    for (const auto& span : text_detail::find_personal_data(current.code_points)) {
      std::fill(current.code_points.begin() + static_cast<std::ptrdiff_t>(span.begin),
                current.code_points.begin() + static_cast<std::ptrdiff_t>(span.end), U'*');
    }
  }

  NormalizedText result;
  utf8::append(result.text, current.code_points);
  result.source_begin = std::move(current.begin);
  result.source_begin.push_back(original_length);
  result.source_end = std::move(current.end);
  return result;
}

std::string readable_text(std::string_view text) {
  using text_detail::MappedText;
  MappedText current = text_detail::decode_identity(text);
  MappedText scratch;
  if (text_detail::looks_like_markup(current)) {
    text_detail::strip_markup(current, scratch);
    std::swap(current, scratch);
  }
  text_detail::fold_whitespace(current, scratch);
  std::string out;
  utf8::append(out, scratch.code_points);
  return mask_personal_data(out);
}

DisplayText make_display_text(std::string_view original) {
  DisplayText out;
  // Most reviews have neither character, and this test spares them decoding.
  if (original.find_first_of("&<") == std::string_view::npos) {
    out.text = original;
    return out;
  }
  const text_detail::MappedText current = text_detail::decode_identity(original);
  if (!text_detail::looks_like_markup(current)) {
    out.text = original;
    return out;
  }
  text_detail::MappedText stripped;
  text_detail::strip_markup(current, stripped);
  out.text.reserve(original.size());
  for (char32_t c : stripped.code_points) utf8::append(out.text, c);
  out.source_begin = std::move(stripped.begin);
  out.source_end = std::move(stripped.end);
  return out;
}

std::pair<std::int32_t, std::int32_t> DisplayText::from_source(std::int32_t begin, std::int32_t end) const {
  if (source_begin.empty()) return {begin, end};
  // Both maps grow with the index, because markup is stripped in one pass from the start.
  const auto first = std::upper_bound(source_end.begin(), source_end.end(), begin) - source_end.begin();
  const auto last = std::lower_bound(source_begin.begin(), source_begin.end(), end) - source_begin.begin();
  const auto display_begin = static_cast<std::int32_t>(first);
  return {display_begin, std::max(display_begin, static_cast<std::int32_t>(last))};
}

std::string Normalizer::to_simplified(std::string_view text) const {
  return text_detail::SimplifiedConverter::instance().convert(text);
}

}  // namespace shopsight

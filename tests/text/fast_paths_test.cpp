// The text stage skips ICU's lookups for ASCII and the CJK Unified
// Ideographs block (U+4E00 to U+9FFF). These tests check, code point by code
// point, that ICU's properties agree with those shortcuts, so an ICU with
// other data fails here rather than changing normalization or language
// detection unnoticed.

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <string>

namespace shopsight {
namespace {

constexpr UChar32 kFirstIdeograph = 0x4E00;
constexpr UChar32 kLastIdeograph = 0x9FFF;

// The first code point of [first, last] for which `holds` is false, or -1.
template <typename Predicate>
UChar32 first_exception(UChar32 first, UChar32 last, Predicate holds) {
  for (UChar32 c = first; c <= last; ++c) {
    if (!holds(c)) return c;
  }
  return -1;
}

TEST(TextFastPaths, AsciiAndIdeographsAreTheirOwnNfkc) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  ASSERT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  const auto own_form = [&](UChar32 c) {
    return nfkc->hasBoundaryBefore(c) && u_getIntPropertyValue(c, UCHAR_NFKC_QUICK_CHECK) == UNORM_YES;
  };
  EXPECT_EQ(first_exception(0, 0x7F, own_form), -1);
  EXPECT_EQ(first_exception(kFirstIdeograph, kLastIdeograph, own_form), -1);
}

TEST(TextFastPaths, IdeographsAreHanLetters) {
  const auto han_letter = [](UChar32 c) {
    UErrorCode status = U_ZERO_ERROR;
    return u_isalpha(c) && uscript_getScript(c, &status) == USCRIPT_HAN && U_SUCCESS(status);
  };
  EXPECT_EQ(first_exception(kFirstIdeograph, kLastIdeograph, han_letter), -1);
}

TEST(TextFastPaths, IdeographsAreNeitherSpaceNorControl) {
  const auto plain = [](UChar32 c) {
    const auto type = u_charType(c);
    return !u_isUWhiteSpace(c) && type != U_CONTROL_CHAR && type != U_FORMAT_CHAR;
  };
  EXPECT_EQ(first_exception(kFirstIdeograph, kLastIdeograph, plain), -1);
}

}  // namespace
}  // namespace shopsight

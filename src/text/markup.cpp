// HTML removal for reviews scraped from web pages: tags go, character
// references become the characters they name.

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>
#include <cstdint>
#include <string_view>

#include "text/mapped_text.h"

namespace shopsight::text_detail {

namespace {

// Only these names count as tags, so that "a<b" or "<3" in ordinary text stays.
constexpr std::string_view kTagNames[] = {
    "a",      "abbr",   "article", "aside",  "b",      "big",    "blockquote", "body",   "br",
    "caption", "center", "code",   "dd",     "del",    "div",    "dl",         "dt",     "em",
    "figcaption", "figure", "font", "footer", "h1",    "h2",     "h3",         "h4",     "h5",
    "h6",     "head",   "header",  "hr",     "html",   "i",      "img",        "ins",    "label",
    "li",     "link",   "mark",    "meta",   "nav",    "ol",     "p",          "pre",    "q",
    "s",      "script", "section", "small",  "span",   "strike", "strong",     "style",  "sub",
    "sup",    "table",  "tbody",   "td",     "th",     "tr",     "u",          "ul"};

// Tags that separate blocks of text become a space, so "good<br>cheap" keeps two words.
constexpr std::string_view kBlockTagNames[] = {
    "article", "aside", "blockquote", "body", "br", "caption", "dd",     "div", "dl",
    "dt",      "figcaption", "figure", "footer", "h1", "h2",   "h3",     "h4",  "h5",
    "h6",      "header", "hr",       "li",     "ol",  "p",      "section", "td",  "tr"};

struct NamedReference {
  std::string_view name;
  char32_t code_point;
};

// The 252 named references of HTML 4.01 with the code points that HTML5
// gives them, plus &apos; and the upper-case legacy forms of the markup
// characters. HTML5's other names are left as text. Names are case-sensitive
// (&Eacute; is É, &eacute; is é), as in HTML.
constexpr NamedReference kNamedReferences[] = {
    {"quot", U'"'}, {"amp", U'&'}, {"apos", U'\''}, {"lt", U'<'}, {"gt", U'>'},
    {"QUOT", U'"'}, {"AMP", U'&'}, {"LT", U'<'}, {"GT", U'>'},
    {"OElig", U'\u0152'}, {"oelig", U'\u0153'}, {"Scaron", U'\u0160'}, {"scaron", U'\u0161'},
    {"Yuml", U'\u0178'}, {"fnof", U'\u0192'}, {"circ", U'\u02C6'}, {"tilde", U'\u02DC'},
    {"thetasym", U'\u03D1'}, {"upsih", U'\u03D2'}, {"piv", U'\u03D6'},
    {"ensp", U'\u2002'}, {"emsp", U'\u2003'}, {"thinsp", U'\u2009'}, {"zwnj", U'\u200C'},
    {"zwj", U'\u200D'}, {"lrm", U'\u200E'}, {"rlm", U'\u200F'}, {"ndash", U'\u2013'},
    {"mdash", U'\u2014'}, {"lsquo", U'\u2018'}, {"rsquo", U'\u2019'}, {"sbquo", U'\u201A'},
    {"ldquo", U'\u201C'}, {"rdquo", U'\u201D'}, {"bdquo", U'\u201E'}, {"dagger", U'\u2020'},
    {"Dagger", U'\u2021'}, {"bull", U'\u2022'}, {"hellip", U'\u2026'}, {"permil", U'\u2030'},
    {"prime", U'\u2032'}, {"Prime", U'\u2033'}, {"lsaquo", U'\u2039'}, {"rsaquo", U'\u203A'},
    {"oline", U'\u203E'}, {"frasl", U'\u2044'}, {"euro", U'\u20AC'}, {"image", U'\u2111'},
    {"weierp", U'\u2118'}, {"real", U'\u211C'}, {"trade", U'\u2122'}, {"alefsym", U'\u2135'},
    {"larr", U'\u2190'}, {"uarr", U'\u2191'}, {"rarr", U'\u2192'}, {"darr", U'\u2193'},
    {"harr", U'\u2194'}, {"crarr", U'\u21B5'}, {"lArr", U'\u21D0'}, {"uArr", U'\u21D1'},
    {"rArr", U'\u21D2'}, {"dArr", U'\u21D3'}, {"hArr", U'\u21D4'}, {"forall", U'\u2200'},
    {"part", U'\u2202'}, {"exist", U'\u2203'}, {"empty", U'\u2205'}, {"nabla", U'\u2207'},
    {"isin", U'\u2208'}, {"notin", U'\u2209'}, {"ni", U'\u220B'}, {"prod", U'\u220F'},
    {"sum", U'\u2211'}, {"minus", U'\u2212'}, {"lowast", U'\u2217'}, {"radic", U'\u221A'},
    {"prop", U'\u221D'}, {"infin", U'\u221E'}, {"ang", U'\u2220'}, {"and", U'\u2227'},
    {"or", U'\u2228'}, {"cap", U'\u2229'}, {"cup", U'\u222A'}, {"int", U'\u222B'},
    {"there4", U'\u2234'}, {"sim", U'\u223C'}, {"cong", U'\u2245'}, {"asymp", U'\u2248'},
    {"ne", U'\u2260'}, {"equiv", U'\u2261'}, {"le", U'\u2264'}, {"ge", U'\u2265'},
    {"sub", U'\u2282'}, {"sup", U'\u2283'}, {"nsub", U'\u2284'}, {"sube", U'\u2286'},
    {"supe", U'\u2287'}, {"oplus", U'\u2295'}, {"otimes", U'\u2297'}, {"perp", U'\u22A5'},
    {"sdot", U'\u22C5'}, {"lceil", U'\u2308'}, {"rceil", U'\u2309'}, {"lfloor", U'\u230A'},
    {"rfloor", U'\u230B'}, {"lang", U'\u27E8'}, {"rang", U'\u27E9'}, {"loz", U'\u25CA'},
    {"spades", U'\u2660'}, {"clubs", U'\u2663'}, {"hearts", U'\u2665'}, {"diams", U'\u2666'},
};

// Names of U+00A0 to U+00FF, in code point order.
constexpr std::string_view kLatin1Names[] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",   "ordf",
    "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",
    "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",
    "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",
    "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute",
    "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

// Names of the Greek letters from U+0391 (capitals) and from U+03B1 (small
// letters), in code point order. U+03A2 is unassigned, and U+03C2 is the
// final sigma.
constexpr std::string_view kGreekCapitalNames[] = {
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta",     "Theta", "Iota", "Kappa", "Lambda", "Mu", "Nu",
    "Xi",    "Omicron", "Pi", "Rho",   "",        "Sigma", "Tau", "Upsilon", "Phi",  "Chi",  "Psi",    "Omega"};
constexpr std::string_view kGreekSmallNames[] = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",     "theta", "iota", "kappa", "lambda", "mu", "nu",
    "xi",    "omicron", "pi", "rho",   "sigmaf",  "sigma", "tau", "upsilon", "phi",  "chi",  "psi",    "omega"};

static_assert(std::size(kLatin1Names) == 96);
static_assert(std::size(kGreekCapitalNames) == 25 && std::size(kGreekSmallNames) == 25);

template <std::size_t N>
bool find_in_block(const std::string_view (&names)[N], char32_t first, std::string_view name, char32_t* code_point) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty() && names[i] == name) {
      *code_point = first + static_cast<char32_t>(i);
      return true;
    }
  }
  return false;
}

bool find_named_reference(std::string_view name, char32_t* code_point) {
  for (const auto& reference : kNamedReferences) {
    if (reference.name == name) {
      *code_point = reference.code_point;
      return true;
    }
  }
  return find_in_block(kLatin1Names, U'\u00A0', name, code_point) ||
         find_in_block(kGreekCapitalNames, U'\u0391', name, code_point) ||
         find_in_block(kGreekSmallNames, U'\u03B1', name, code_point);
}

// Maximum lengths, in code points, of a parsed reference name and of a tag or
// comment. Longer ones are left as text, which bounds the work per '<'.
constexpr std::size_t kMaxReferenceLength = 12;
constexpr std::size_t kMaxTagLength = 2048;

bool is_ascii_alpha(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }
bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
char32_t ascii_lower(char32_t c) { return (c >= U'A' && c <= U'Z') ? c + 32 : c; }

template <std::size_t N>
bool contains(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// Lowercase ASCII name starting at `i`, letters then digits (h1); empty when too long.
std::string read_name(const std::vector<char32_t>& text, std::size_t i, std::size_t* end) {
  std::string name;
  while (i < text.size() && (is_ascii_alpha(text[i]) || (!name.empty() && is_ascii_digit(text[i])))) {
    name.push_back(static_cast<char>(ascii_lower(text[i])));
    ++i;
    if (name.size() > kMaxReferenceLength) return {};
  }
  *end = i;
  return name;
}

// Reference name starting at `i`: ASCII letters, then letters and digits
// (sup2, there4), case kept. Empty when too long.
std::string read_reference_name(const std::vector<char32_t>& text, std::size_t i, std::size_t* end) {
  std::string name;
  while (i < text.size() && (is_ascii_alpha(text[i]) || (!name.empty() && is_ascii_digit(text[i])))) {
    name.push_back(static_cast<char>(text[i]));
    ++i;
    if (name.size() > kMaxReferenceLength) return {};
  }
  *end = i;
  return name;
}

// Code point of the reference whose body (the part after '&') starts at `i`,
// and the index after its ';'. Leaves the outputs alone when there is none.
bool parse_reference_body(const std::vector<char32_t>& text, std::size_t i, char32_t* code_point, std::size_t* end) {
  std::size_t k = i;
  if (k < text.size() && text[k] == U'#') {
    ++k;
    const bool hex = k < text.size() && (text[k] == U'x' || text[k] == U'X');
    if (hex) ++k;
    std::uint32_t value = 0;
    std::size_t digits = 0;
    for (; k < text.size() && digits <= 8; ++k, ++digits) {
      const char32_t c = text[k];
      std::uint32_t digit = 0;
      if (is_ascii_digit(c)) {
        digit = c - U'0';
      } else if (hex && ascii_lower(c) >= U'a' && ascii_lower(c) <= U'f') {
        digit = ascii_lower(c) - U'a' + 10;
      } else {
        break;
      }
      value = value * (hex ? 16U : 10U) + digit;
    }
    if (digits == 0 || digits > 8 || k >= text.size() || text[k] != U';') return false;

    // NUL, surrogates and values past Unicode are not characters, so they become U+FFFD as in browsers.
    const bool valid = value != 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF);
    *code_point = valid ? static_cast<char32_t>(value) : U'\uFFFD';
    *end = k + 1;
    return true;
  }

  std::size_t name_end = k;
  const std::string name = read_reference_name(text, k, &name_end);
  if (name.empty() || name_end >= text.size() || text[name_end] != U';') return false;
  if (!find_named_reference(name, code_point)) return false;
  *end = name_end + 1;
  return true;
}

// Code point named by the reference at `i` ('&'), and the index after it.
// Scraped pages are often escaped twice or more, so an "&amp;" followed
// directly by the rest of a reference stands for that reference: "&amp;#39;"
// and "&amp;amp;quot;" decode to "'" and '"'. A browser would show the
// first as "&#39;", but no reviewer typed that.
bool parse_reference(const std::vector<char32_t>& text, std::size_t i, char32_t* code_point, std::size_t* end) {
  if (!parse_reference_body(text, i + 1, code_point, end)) return false;
  while (*code_point == U'&' && parse_reference_body(text, *end, code_point, end)) {
  }
  return true;
}

// Index after the comment "<!-- ... -->" starting at `i`, or 0 when it is not one.
std::size_t comment_end(const std::vector<char32_t>& text, std::size_t i) {
  if (i + 3 >= text.size() || text[i + 1] != U'!' || text[i + 2] != U'-' || text[i + 3] != U'-') return 0;
  const std::size_t limit = std::min(text.size(), i + kMaxTagLength);
  for (std::size_t k = i + 4; k + 2 < limit; ++k) {
    if (text[k] == U'-' && text[k + 1] == U'-' && text[k + 2] == U'>') return k + 3;
  }
  return 0;
}

struct Tag {
  std::string name;
  bool closing = false;
  std::size_t end = 0;  ///< index after '>'
};

// Parses a known tag at `i` ('<'), returning false for anything else.
bool parse_tag(const std::vector<char32_t>& text, std::size_t i, Tag* tag) {
  std::size_t k = i + 1;
  if (k < text.size() && text[k] == U'/') {
    tag->closing = true;
    ++k;
  }
  std::size_t name_end = k;
  tag->name = read_name(text, k, &name_end);
  if (tag->name.empty() || !contains(kTagNames, tag->name)) return false;

  // After the name comes '>', '/' or an attribute list separated by space.
  if (name_end >= text.size()) return false;
  const char32_t next = text[name_end];
  if (next != U'>' && next != U'/' && next != U' ' && next != U'\t' && next != U'\n' && next != U'\r') return false;

  // Attributes must carry '=' (href="x"), so prose such as "a<b and c>d" is
  // not taken for a tag. Bare attributes such as "disabled" are therefore not stripped.
  const std::size_t limit = std::min(text.size(), i + kMaxTagLength);
  bool has_words = false;
  bool has_equals = false;
  for (std::size_t m = name_end; m < limit; ++m) {
    const char32_t c = text[m];
    if (c == U'<') return false;
    if (c == U'=') has_equals = true;
    if (c != U' ' && c != U'\t' && c != U'\n' && c != U'\r' && c != U'/' && c != U'>') has_words = true;
    if (c == U'>') {
      if (has_words && !has_equals) return false;
      tag->end = m + 1;
      return true;
    }
  }
  return false;
}

// Index after the "</name>" that closes a script or style whose content
// starts at `i`. Without one, returns `i`, so an unclosed "<script>" in
// ordinary text drops only the tag and not the rest of the review.
std::size_t raw_text_end(const std::vector<char32_t>& text, std::size_t i, const std::string& name) {
  for (std::size_t k = i; k < text.size(); ++k) {
    if (text[k] != U'<') continue;
    Tag tag;
    if (parse_tag(text, k, &tag) && tag.closing && tag.name == name) return tag.end;
  }
  return i;
}

}  // namespace

bool looks_like_markup(const MappedText& text) {
  const auto& c = text.code_points;
  for (std::size_t i = 0; i + 1 < c.size(); ++i) {
    if (c[i] != U'<' && c[i] != U'&') continue;
    if (c[i] == U'&') {
      char32_t decoded = 0;
      std::size_t end = 0;
      if (parse_reference(c, i, &decoded, &end)) return true;
      continue;
    }
    Tag tag;
    if (comment_end(c, i) != 0 || parse_tag(c, i, &tag)) return true;
  }
  return false;
}

void strip_markup(const MappedText& in, MappedText& out) {
  const auto& c = in.code_points;
  out.clear();
  out.reserve(in.size());

  bool script_unclosed = false;
  bool style_unclosed = false;
  std::size_t i = 0;
  while (i < c.size()) {
    if (c[i] == U'&') {
      char32_t decoded = 0;
      std::size_t end = 0;
      if (parse_reference(c, i, &decoded, &end)) {
        out.push(decoded, in.begin[i], in.end[end - 1]);
        i = end;
        continue;
      }
    } else if (c[i] == U'<') {
      if (const std::size_t end = comment_end(c, i); end != 0) {
        i = end;
        continue;
      }
      Tag tag;
      if (parse_tag(c, i, &tag)) {
        std::size_t end = tag.end;
        const bool is_script = tag.name == "script";
        if (!tag.closing && (is_script || tag.name == "style")) {
          // Once no closing tag follows, none follows any later opening tag either.
          bool& unclosed = is_script ? script_unclosed : style_unclosed;
          if (!unclosed) {
            const std::size_t content_end = raw_text_end(c, end, tag.name);
            unclosed = content_end == end;
            end = content_end;
          }
        }
        if (contains(kBlockTagNames, tag.name)) out.push(U' ', in.begin[i], in.end[end - 1]);
        i = end;
        continue;
      }
    }
    out.push(c[i], in.begin[i], in.end[i]);
    ++i;
  }
}

}  // namespace shopsight::text_detail

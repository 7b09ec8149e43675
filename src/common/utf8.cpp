#include "common/utf8.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace shopsight::utf8 {

bool is_valid(std::string_view text) {
  return all_code_points(text, [](UChar32 c) { return c >= 0; });
}

std::int32_t length(std::string_view text) {
  std::int32_t count = 0;
  for (unsigned char byte : text) {
    if ((byte & 0xC0) != 0x80) ++count;
  }
  return count;
}

namespace {

template <typename CodePoints>
void decode_into(std::string_view text, CodePoints& out) {
  all_code_points(text, [&out](UChar32 c) {
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    return true;
  });
}

}  // namespace

std::vector<char32_t> decode(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  decode_into(text, out);
  return out;
}

void decode(std::string_view text, std::u32string& out) {
  out.clear();
  decode_into(text, out);
}

void append(std::string& out, char32_t code_point) {
  std::uint8_t buffer[U8_MAX_LENGTH];
  std::int32_t length = 0;
  UBool error = false;
  U8_APPEND(buffer, length, U8_MAX_LENGTH, static_cast<UChar32>(code_point), error);
  if (error) {
    out += "\xEF\xBF\xBD";  // U+FFFD for a surrogate or out-of-range value
    return;
  }
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

void append(std::string& out, std::span<const char32_t> code_points) {
  // The bytes are written in place into room for the longest encoding,
  // because a string append per code point took about 90 instructions
  // under callgrind.
  const std::size_t start = out.size();
  out.resize(start + code_points.size() * 4);
  char* next = out.data() + start;
  const auto put = [&next](std::uint32_t byte) { *next++ = static_cast<char>(byte); };
  for (const char32_t c : code_points) {
    if (c < 0x80) {
      put(c);
    } else if (c < 0x800) {
      put(0xC0 | (c >> 6));
      put(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      const bool surrogate = c >= 0xD800 && c <= 0xDFFF;
      const std::uint32_t value = surrogate ? 0xFFFD : c;
      put(0xE0 | (value >> 12));
      put(0x80 | ((value >> 6) & 0x3F));
      put(0x80 | (value & 0x3F));
    } else if (c <= 0x10FFFF) {
      put(0xF0 | (c >> 18));
      put(0x80 | ((c >> 12) & 0x3F));
      put(0x80 | ((c >> 6) & 0x3F));
      put(0x80 | (c & 0x3F));
    } else {
      put(0xEF);
      put(0xBF);
      put(0xBD);
    }
  }
  out.resize(static_cast<std::size_t>(next - out.data()));
}

std::string encode(const std::vector<char32_t>& code_points) {
  std::string out;
  append(out, code_points);
  return out;
}

std::vector<std::size_t> byte_offsets(std::string_view text) {
  std::vector<std::size_t> offsets;
  offsets.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(text.size());
  return offsets;
}

std::string substr(std::string_view text, std::int32_t begin, std::int32_t end) {
  const auto offsets = byte_offsets(text);
  const auto last = static_cast<std::int32_t>(offsets.size()) - 1;
  if (begin < 0) begin = 0;
  if (end > last) end = last;
  if (begin >= end) return {};
  return std::string(text.substr(offsets[begin], offsets[end] - offsets[begin]));
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  all_code_points(text, [&](UChar32 c) {
    // An invalid sequence shows as one replacement character.
    if (c < 0) {
      width += 1;
      return true;
    }
    const auto east_asian = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    if (east_asian == U_EA_WIDE || east_asian == U_EA_FULLWIDTH) {
      width += 2;
    } else if (u_charType(c) != U_NON_SPACING_MARK) {
      width += 1;
    }
    return true;
  });
  return width;
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t used = display_width(text);
  return used >= width ? text : text + std::string(width - used, ' ');
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t used = display_width(text);
  return used >= width ? text : std::string(width - used, ' ') + text;
}

}  // namespace shopsight::utf8

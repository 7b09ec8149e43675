#include "common/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace shopsight {
namespace {

// Length of the well-formed UTF-8 sequence that starts with the non-ASCII
// byte at `i`, or 0 when it is not well-formed as RFC 3629 defines it: no
// overlong forms, no surrogates, nothing above U+10FFFF.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < low || second > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return length;
}

}  // namespace

void JsonWriter::value(std::int64_t number) {
  separate();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  text_.append(buffer, result.ptr);
}

void JsonWriter::value(double number) {
  separate();
  if (!std::isfinite(number)) {
    text_ += "null";
    return;
  }
  // nlohmann's own shortest round-trip formatting, which dump() uses.
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, number);
  text_.append(buffer, end);
}

// Escapes and checks the UTF-8 in one pass. Text that turns out not to be
// valid UTF-8 is taken back out and goes through nlohmann instead.
void JsonWriter::string(std::string_view text) {
  const std::size_t start = text_.size();
  text_ += '"';
  // Runs of bytes that need no escape are appended whole.
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        text_.resize(start);
        text_ += nlohmann::ordered_json(std::string(text)).dump(-1, ' ', false,
                                                                 nlohmann::ordered_json::error_handler_t::replace);
        return;
      }
      i += length;
      continue;
    }
    if (byte > 0x1F && byte != '"' && byte != '\\') {
      ++i;
      continue;
    }
    text_.append(text.data() + run, i - run);
    run = i + 1;
    ++i;
    switch (byte) {
      case '"': text_ += "\\\""; break;
      case '\\': text_ += "\\\\"; break;
      case '\b': text_ += "\\b"; break;
      case '\f': text_ += "\\f"; break;
      case '\n': text_ += "\\n"; break;
      case '\r': text_ += "\\r"; break;
      case '\t': text_ += "\\t"; break;
      default: {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", byte);
        text_ += buffer;
      }
    }
  }
  text_.append(text.data() + run, text.size() - run);
  text_ += '"';
}

}  // namespace shopsight

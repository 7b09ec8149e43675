#pragma once

// JsonWriter: JSON text written by hand, for output paths where building an
// nlohmann::json value per record and dumping it took a large share of the
// time (analyze's JSON Lines, the store's aspect and keyword columns). The
// bytes equal nlohmann's dump() without indentation, with ensure_ascii off
// and invalid UTF-8 replaced. Strings that are not valid UTF-8 still go
// through nlohmann, so the replacement rules stay its own.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shopsight {

/// Appends JSON values to a string buffer; the caller keeps the nesting right.
class JsonWriter {
 public:
  void begin_object() { separate(); text_ += '{'; first_ = true; }
  void end_object() { text_ += '}'; first_ = false; }
  void begin_array() { separate(); text_ += '['; first_ = true; }
  void end_array() { text_ += ']'; first_ = false; }

  /// Writes `"name":`; the value follows.
  void key(std::string_view name) {
    separate();
    string(name);
    text_ += ':';
    first_ = true;
  }

  void value(std::string_view text) {
    separate();
    string(text);
  }
  void value(std::int64_t number);
  void value(double number);
  void null() {
    separate();
    text_ += "null";
  }

  /// Writes again the value that takes bytes [begin, end) of the buffer.
  void repeat(std::size_t begin, std::size_t end) {
    separate();
    // After the reserve, appending cannot move the bytes being copied.
    text_.reserve(text_.size() + (end - begin));
    text_.append(text_.data() + begin, end - begin);
  }

  std::string& text() { return text_; }

  /// Empties the buffer for the next value.
  void clear() {
    text_.clear();
    first_ = true;
  }

 private:
  void separate() {
    if (!first_) text_ += ',';
    first_ = false;
  }
  void string(std::string_view text);

  std::string text_;
  bool first_ = true;
};

}  // namespace shopsight

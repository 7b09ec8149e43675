#pragma once

// Private to the ingest stage: turns the bytes of a source into UTF-8, chunk
// by chunk, detecting UTF-8 versus GB18030 when the encoding is "auto".

#include <unicode/ucnv.h>

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>

namespace shopsight::ingest {

/// UTF-8 form of the noncharacter U+FDD0, which the decoder writes in place of
/// bytes that are invalid in the source encoding so that their row can be rejected.
inline constexpr std::string_view kUndecodableMarker = "\xEF\xB7\x90";

/// Streaming converter from a source encoding to UTF-8 with bounded memory.
class Decoder {
 public:
  /// Prepares to decode `input`. `encoding` is "auto" or an ICU converter name;
  /// an unknown name throws shopsight::Error. Reads at most `chunk_bytes` at a time.
  Decoder(std::istream& input, std::string source, const std::string& encoding, std::size_t chunk_bytes);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  /// Appends the next decoded bytes to `out`; returns false, appending nothing,
  /// once the source is exhausted. A UTF-8 byte order mark is dropped.
  bool read(std::string& out);

  /// Canonical name of the source encoding, e.g. "UTF-8" or "GB18030".
  const std::string& encoding() const { return encoding_; }

  /// Whether bytes pass through unchecked, so that rows must still be checked for invalid UTF-8.
  bool passes_bytes_through() const { return mode_ != Mode::convert; }

 private:
  /// Strategy for producing UTF-8. `undecided` passes ASCII through until
  /// the first non-ASCII byte settles the encoding.
  enum class Mode { undecided, passthrough, convert };

  std::string_view next_raw();
  void sniff_first_bytes();
  void decide_from_sample(std::string_view sample, bool at_end);
  void open_converter(const std::string& name);
  void convert(std::string_view raw, bool flush, std::string& out);
  void fill_pending(std::size_t limit);

  std::istream& input_;
  std::string source_;
  std::size_t chunk_bytes_;
  std::string encoding_ = "UTF-8";
  Mode mode_ = Mode::passthrough;
  bool input_done_ = false;
  bool flushed_ = false;
  bool at_start_ = true;

  std::string pending_;          ///< bytes read ahead for detection, not yet handed out
  std::size_t pending_pos_ = 0;
  std::string chunk_;            ///< last raw chunk read from the stream

  UConverter* converter_ = nullptr;
  UConverter* utf8_ = nullptr;
  UChar pivot_[1024];
  UChar* pivot_source_ = pivot_;
  UChar* pivot_target_ = pivot_;
  bool reset_ = true;
};

}  // namespace shopsight::ingest

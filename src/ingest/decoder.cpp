#include "ingest/decoder.h"

#include <unicode/ucnv_cb.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"

namespace shopsight::ingest {
namespace {

// Bytes examined to tell UTF-8 from GB18030. Detection reads no further ahead.
constexpr std::size_t kSniffBytes = 64 << 10;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Writes U+FDD0 for bytes that the source encoding cannot decode. The default
// substitute (U+FFFD or U+001A, depending on the converter) would be
// indistinguishable from real text, but the marker lets the row be rejected.
void mark_undecodable(const void* /*context*/, UConverterToUnicodeArgs* args, const char* /*units*/,
                      int32_t /*length*/, UConverterCallbackReason reason, UErrorCode* status) {
  if (reason > UCNV_IRREGULAR) return;
  static const UChar kMarker = 0xFDD0;
  *status = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &kMarker, 1, 0, status);
}

// Names the encoding as MIME or IANA do ("GB18030", "GBK") rather than by
// ICU's internal table name ("gb18030", "windows-936-2000").
std::string display_name(UConverter* converter) {
  UErrorCode status = U_ZERO_ERROR;
  const char* canonical = ucnv_getName(converter, &status);
  if (U_FAILURE(status)) return "unknown";
  for (const char* standard : {"MIME", "IANA"}) {
    status = U_ZERO_ERROR;
    const char* name = ucnv_getStandardName(canonical, standard, &status);
    if (U_SUCCESS(status) && name != nullptr) return name;
  }
  return canonical;
}

bool is_ascii(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

Decoder::Decoder(std::istream& input, std::string source, const std::string& encoding, std::size_t chunk_bytes)
    : input_(input), source_(std::move(source)), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)) {
  if (encoding.empty() || encoding == "auto") {
    sniff_first_bytes();
    return;
  }

  open_converter(encoding);
  if (encoding_ == "UTF-8") {
    // Forced UTF-8 still passes bytes through, so that a broken row is
    // rejected alone instead of silently getting replacement characters.
    ucnv_close(converter_);
    converter_ = nullptr;
    mode_ = Mode::passthrough;
    fill_pending(kUtf8Bom.size());
    if (std::string_view(pending_).starts_with(kUtf8Bom)) pending_pos_ = kUtf8Bom.size();
    return;
  }
  mode_ = Mode::convert;
}

Decoder::~Decoder() {
  if (converter_ != nullptr) ucnv_close(converter_);
  if (utf8_ != nullptr) ucnv_close(utf8_);
}

void Decoder::open_converter(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  converter_ = ucnv_open(name.c_str(), &status);
  if (U_FAILURE(status) || converter_ == nullptr) {
    converter_ = nullptr;
    throw Error(tr("unknown encoding '{}': use auto or an ICU converter name such as UTF-8, GB18030, GBK, "
                   "Big5 or UTF-16LE",
                   name));
  }
  encoding_ = display_name(converter_);
  status = U_ZERO_ERROR;
  ucnv_setToUCallBack(converter_, mark_undecodable, nullptr, nullptr, nullptr, &status);

  status = U_ZERO_ERROR;
  utf8_ = ucnv_open("UTF-8", &status);
  if (U_FAILURE(status)) throw Error(tr("ICU cannot open its UTF-8 converter: {}", u_errorName(status)));
  pivot_source_ = pivot_;
  pivot_target_ = pivot_;
  reset_ = true;
}

void Decoder::fill_pending(std::size_t limit) {
  std::string buffer(chunk_bytes_, '\0');
  while (!input_done_ && pending_.size() - pending_pos_ < limit) {
    input_.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::size_t>(input_.gcount());
    if (count == 0) {
      input_done_ = true;
      break;
    }
    pending_.append(buffer, 0, count);
  }
}

void Decoder::sniff_first_bytes() {
  fill_pending(kSniffBytes);
  const std::string_view head(pending_);

  if (head.starts_with(kUtf8Bom)) {
    pending_pos_ = kUtf8Bom.size();
    mode_ = Mode::passthrough;
    return;
  }
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    open_converter(head[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE");
    pending_pos_ = 2;
    mode_ = Mode::convert;
    return;
  }
  if (is_ascii(head)) {
    // ASCII reads the same in both candidates, so the decision waits for
    // the first non-ASCII byte.
    mode_ = input_done_ ? Mode::passthrough : Mode::undecided;
    return;
  }
  decide_from_sample(head, input_done_);
}

void Decoder::decide_from_sample(std::string_view sample, bool at_end) {
  // A sample cut in the middle of a character must not count against UTF-8.
  if (!at_end && sample.size() > 3) sample.remove_suffix(3);

  // Nearly every GBK character is an invalid UTF-8 sequence, and only a few
  // percent happen to form valid ones, while a UTF-8 file with a damaged byte
  // still has many valid sequences per invalid one: compare the two counts.
  std::int64_t valid_multibyte = 0;
  std::int64_t invalid = 0;
  utf8::all_sequences(sample, [&](UChar32 c, std::string_view sequence) {
    if (c < 0) {
      ++invalid;
    } else if (sequence.size() > 1) {
      ++valid_multibyte;
    }
    return true;
  });

  if (invalid == 0 || invalid * 4 <= valid_multibyte) {
    mode_ = Mode::passthrough;
    encoding_ = "UTF-8";
  } else {
    open_converter("GB18030");
    mode_ = Mode::convert;
  }
  spdlog::debug("{}: detected encoding {} ({} valid multi-byte UTF-8 sequences, {} invalid)", source_, encoding_,
                valid_multibyte, invalid);
}

std::string_view Decoder::next_raw() {
  if (pending_pos_ < pending_.size()) {
    const std::size_t count = std::min(chunk_bytes_, pending_.size() - pending_pos_);
    const std::string_view raw(pending_.data() + pending_pos_, count);
    pending_pos_ += count;
    return raw;
  }
  pending_.clear();
  pending_pos_ = 0;
  if (input_done_) return {};

  // NOTE: istream::read waits for a full chunk, so on a slow pipe the first
  // items appear only after chunk_bytes arrive or the writer closes it.
  chunk_.resize(chunk_bytes_);
  input_.read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
  const auto count = static_cast<std::size_t>(input_.gcount());
  if (count == 0) input_done_ = true;
  chunk_.resize(count);
  return chunk_;
}

void Decoder::convert(std::string_view raw, bool flush, std::string& out) {
  static const char kEmpty = '\0';
  const char* source = raw.empty() ? &kEmpty : raw.data();
  const char* source_limit = source + raw.size();
  char buffer[16 << 10];

  // ICU keeps a character split across chunks inside the converter and the
  // pivot buffer, so each call continues exactly where the last one stopped.
  for (;;) {
    char* target = buffer;
    UErrorCode status = U_ZERO_ERROR;
    ucnv_convertEx(utf8_, converter_, &target, buffer + sizeof buffer, &source, source_limit, pivot_,
                   &pivot_source_, &pivot_target_, pivot_ + std::size(pivot_), reset_, flush, &status);
    reset_ = false;
    out.append(buffer, static_cast<std::size_t>(target - buffer));
    if (status == U_BUFFER_OVERFLOW_ERROR) continue;
    if (U_FAILURE(status)) {
      throw Error(tr("{}: decoding from {} failed: {}", source_, encoding_, u_errorName(status)));
    }
    break;
  }
}

bool Decoder::read(std::string& out) {
  const std::size_t before = out.size();

  while (out.size() == before) {
    std::string_view raw = next_raw();
    if (raw.empty()) {
      if (mode_ != Mode::convert || flushed_) break;
      flushed_ = true;
      convert({}, true, out);
      continue;
    }

    if (mode_ == Mode::undecided && !is_ascii(raw)) {
      // Put the chunk back, read ahead from it, and settle the encoding on that sample.
      std::string sample(raw);
      pending_ = std::move(sample);
      pending_pos_ = 0;
      fill_pending(kSniffBytes);
      decide_from_sample(std::string_view(pending_), input_done_);
      continue;
    }

    if (mode_ == Mode::convert) {
      convert(raw, false, out);
    } else {
      out.append(raw);
    }
  }

  // A converted byte order mark (U+FEFF) arrives as the first character.
  if (at_start_ && out.size() > before) {
    at_start_ = false;
    if (mode_ == Mode::convert && std::string_view(out).substr(before).starts_with(kUtf8Bom)) {
      out.erase(before, kUtf8Bom.size());
      if (out.size() == before) return read(out);
    }
  }
  return out.size() > before;
}

}  // namespace shopsight::ingest

#pragma once

// Helpers for the ingest tests: read a whole in-memory source, and encode
// UTF-8 test text into a legacy encoding with ICU.

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unicode/ucnv.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace shopsight::testing {

/// Everything a reader produced from one source.
struct ReadResult {
  std::vector<Item> items;
  std::vector<Reject> rejects;
  std::vector<std::string> header;
  ColumnMap resolved;
  std::string encoding;
};

/// Reads `bytes` to the end with `options`; `options.path` names the source.
inline ReadResult read_all(const std::string& bytes, const ReaderOptions& options) {
  std::istringstream stream(bytes);
  auto reader = Reader::open(stream, options);

  ReadResult result;
  Item item;
  Reject reject;
  for (;;) {
    const ReadStatus status = reader->next(item, reject);
    if (status == ReadStatus::end) break;
    if (status == ReadStatus::item) result.items.push_back(item);
    if (status == ReadStatus::rejected) result.rejects.push_back(reject);
  }
  result.header = reader->header();
  result.resolved = reader->resolved_columns();
  result.encoding = reader->encoding();
  return result;
}

/// Reads CSV `bytes` with default options and the given source name.
inline ReadResult read_csv(const std::string& bytes, const std::string& path = "test.csv") {
  ReaderOptions options;
  options.path = path;
  return read_all(bytes, options);
}

/// Collects what the default logger writes, at info level and above, while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    logger_->sinks().push_back(sink_);
    logger_->set_level(spdlog::level::info);
  }
  ~LogCapture() {
    logger_->sinks().pop_back();
    logger_->set_level(level_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> logger_ = spdlog::default_logger();
  spdlog::level::level_enum level_ = logger_->level();
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

/// Converts UTF-8 `text` to the ICU encoding `name`.
inline std::string encode_as(const std::string& text, const char* name) {
  UErrorCode status = U_ZERO_ERROR;
  const int32_t size = ucnv_convert(name, "UTF-8", nullptr, 0, text.data(), static_cast<int32_t>(text.size()),
                                    &status);
  std::string out(static_cast<std::size_t>(size), '\0');
  status = U_ZERO_ERROR;
  ucnv_convert(name, "UTF-8", out.data(), size, text.data(), static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) throw std::runtime_error(u_errorName(status));
  return out;
}

}  // namespace shopsight::testing

#pragma once

// Helpers for the ingest tests: read a whole in-memory source, check the
// items and rejects it gave, and encode UTF-8 test text into a legacy
// encoding with ICU.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unicode/ucnv.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
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

/// Reads `bytes` as standard input, whose format is detected from its content.
inline ReadResult read_stdin(const std::string& bytes) {
  ReaderOptions options;
  options.path = "-";
  return read_all(bytes, options);
}

/// Checks the text and the line of item `index`.
inline void expect_item(const ReadResult& result, std::size_t index, std::string_view text, std::int64_t line) {
  ASSERT_LT(index, result.items.size());
  EXPECT_EQ(result.items[index].text, text) << "item " << index;
  EXPECT_EQ(result.items[index].line, line) << "item " << index;
}

/// Checks the line and the field of reject `index`.
inline void expect_reject(const ReadResult& result, std::size_t index, std::int64_t line, std::string_view field) {
  ASSERT_LT(index, result.rejects.size());
  EXPECT_EQ(result.rejects[index].line, line) << "reject " << index;
  EXPECT_EQ(result.rejects[index].field, field) << "reject " << index;
}

/// Checks that the items are exactly those with `texts`, in this order.
inline void expect_texts(const ReadResult& result, const std::vector<std::string_view>& texts) {
  ASSERT_EQ(result.items.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(result.items[i].text, texts[i]) << "item " << i;
}

/// Checks that the rejects are exactly those at `lines`, in this order.
inline void expect_reject_lines(const ReadResult& result, const std::vector<std::int64_t>& lines) {
  ASSERT_EQ(result.rejects.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(result.rejects[i].line, lines[i]) << "reject " << i;
}

/// Checks that the items are exactly those at `lines`, in this order.
inline void expect_item_lines(const ReadResult& result, const std::vector<std::int64_t>& lines) {
  ASSERT_EQ(result.items.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(result.items[i].line, lines[i]) << "item " << i;
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

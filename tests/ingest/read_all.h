#pragma once

// Helpers for the ingest tests: read a whole in-memory source, and encode
// UTF-8 test text into a legacy encoding with ICU.

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

#pragma once

// Private to the ingest stage: the concrete readers behind Reader::open.

#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/decoder.h"
#include "ingest/fields.h"
#include "ingest/ingest.h"

namespace shopsight::ingest {

/// Decoded text of one source with a read position in the current chunk.
struct DecodedInput {
  std::unique_ptr<std::istream> owned_stream;  ///< set when the reader opened the file; outlives `decoder`
  std::unique_ptr<Decoder> decoder;
  std::string source;                          ///< file name, or "-" for standard input
  std::string buffer;                          ///< current decoded chunk
  std::size_t pos = 0;                         ///< next unread byte of `buffer`

  /// Replaces the consumed chunk with the next one; returns false at the end of the source.
  bool refill() {
    buffer.clear();
    pos = 0;
    return decoder->read(buffer);
  }
};

/// Base class of the readers whose named columns map to item fields. It owns
/// the input, the header and the mapper that the Reader accessors return.
class MappedReader : public Reader {
 public:
  const std::vector<std::string>& header() const override { return header_; }
  const ColumnMap& resolved_columns() const override { return mapper_->resolved(); }
  const std::string& encoding() const override { return input_.decoder->encoding(); }

 protected:
  MappedReader(DecodedInput input, const ReaderOptions& options) : input_(std::move(input)), options_(options) {}

  /// Maps the columns of `header_` to item fields. Call it after reading the header.
  void map_columns() { mapper_.emplace(options_, input_.source, header_); }

  DecodedInput input_;
  ReaderOptions options_;
  std::vector<std::string> header_;
  std::optional<RowMapper> mapper_;
};

/// Reader of CSV (`delimiter` ',') or TSV (`delimiter` '\t') with a header row.
std::unique_ptr<Reader> make_delimited_reader(DecodedInput input, const ReaderOptions& options, char delimiter);

/// Reader of JSON Lines, one object per line, whose keys are the columns.
std::unique_ptr<Reader> make_json_lines_reader(DecodedInput input, const ReaderOptions& options);

}  // namespace shopsight::ingest

#pragma once

// Private to the ingest stage: the concrete readers behind Reader::open.

#include <cstddef>
#include <istream>
#include <memory>
#include <string>

#include "ingest/decoder.h"
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

/// Reader of CSV (`delimiter` ',') or TSV (`delimiter` '\t') with a header row.
std::unique_ptr<Reader> make_delimited_reader(DecodedInput input, const ReaderOptions& options, char delimiter);

/// Reader of JSON Lines, one object per line, whose keys are the columns.
std::unique_ptr<Reader> make_json_lines_reader(DecodedInput input, const ReaderOptions& options);

}  // namespace shopsight::ingest

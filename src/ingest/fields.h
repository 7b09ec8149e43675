#pragma once

// Private to the ingest stage: maps the columns of a row to item fields,
// checks their values, and builds rejects. Shared by the CSV and JSON Lines readers.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.h"

namespace shopsight::ingest {

/// Maximum size of the raw excerpt that a reject keeps, in bytes.
inline constexpr std::size_t kRawExcerptBytes = 200;

/// Text with ASCII spaces, no-break spaces and ideographic spaces removed from both ends.
std::string_view trim(std::string_view text);

/// First bytes of `raw` for a reject: invalid UTF-8 replaced by U+FFFD, line
/// breaks at the end removed, cut at a character boundary.
std::string raw_excerpt(std::string_view raw);

/// Text made valid UTF-8 by replacing invalid sequences with U+FFFD.
std::string sanitize_utf8(std::string_view text);

/// Fills `reject` for a row of `source` and returns ReadStatus::rejected.
ReadStatus make_reject(Reject& reject, const std::string& source, std::int64_t line, std::string field,
                       std::string reason, std::string_view raw);

/// Throws shopsight::Error unless `name` is a time zone that ICU recognizes.
void check_time_zone(const std::string& name);

/// Indexes of the header columns that feed each item field.
struct ColumnIndexes {
  std::vector<std::size_t> text;  ///< one or more columns joined by a line break
  std::optional<std::size_t> id;
  std::optional<std::size_t> time;
  std::optional<std::size_t> product;
  std::optional<std::size_t> category;
  std::optional<std::size_t> user;
  std::optional<std::size_t> rating;
  std::optional<std::size_t> label;
  std::optional<std::size_t> channel;
};

/// Turns rows of column values into items, or into rejects naming the field at fault.
class RowMapper {
 public:
  /// Resolves the requested columns against `header`, detecting the empty ones.
  /// Throws shopsight::Error, listing the header, when a requested column or
  /// any text column is missing.
  RowMapper(const ReaderOptions& options, std::string source, const std::vector<std::string>& header);

  /// Builds `item` from `values` (fewer than the header means the rest are
  /// empty), or fills `reject`. `check_utf8` requests a UTF-8 check of every
  /// value. Values are always checked for bytes the decoder could not decode.
  ReadStatus build(const std::vector<std::string>& header, std::vector<std::string>& values, std::int64_t line,
                   std::string_view raw, bool check_utf8, Item& item, Reject& reject);

  /// Warns about the ratings outside 1 to 5 seen so far; readers call it at the end of the source.
  void finish();

  /// Detects fields still unmapped among columns that `header` gained after
  /// the first row, as JSON Lines keys may first appear in a later object.
  void add_columns(const std::vector<std::string>& header);

  /// Fills `reject` for a row of this source.
  ReadStatus reject(Reject& reject, std::int64_t line, std::string field, std::string reason,
                    std::string_view raw) const;

  /// Column names mapped to each field; text names are joined by '+'.
  const ColumnMap& resolved() const { return resolved_; }

 private:
  void resolve_optional_fields(const std::vector<std::string>& header);

  ReaderOptions options_;
  std::string source_;
  ColumnIndexes indexes_;
  ColumnMap resolved_;
  std::int64_t out_of_range_ratings_ = 0;          ///< ratings outside 1 to 5, which the store does not count
  std::int64_t first_out_of_range_rating_line_ = 0;
};

}  // namespace shopsight::ingest

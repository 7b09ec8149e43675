#pragma once

// Ingest: reads records from CSV, TSV or JSON Lines files (or standard
// input), decodes them to UTF-8, maps their columns to item fields, and
// reports rows it cannot use without stopping the run.

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shopsight {

/// One text record from a source, with its mapped fields and all its columns.
struct Item {
  std::string id;                     ///< source id, or "<line>" when the source has none
  bool id_from_line = false;          ///< id is the line number because the row's id was missing or empty
  std::optional<std::int64_t> time;   ///< Unix time in milliseconds, UTC
  std::string product;
  std::string category;
  std::string user;
  std::string channel = "review";     ///< review, query or chat
  std::optional<double> rating;
  std::string label;                  ///< gold label for training and evaluation
  std::string text;                   ///< UTF-8 text as decoded, before normalization
  std::vector<std::pair<std::string, std::string>> columns;  ///< every source column, in order
  std::string source;                 ///< file name, or "-" for standard input
  std::int64_t line = 0;              ///< 1-based line where the record starts
};

/// Source column for each item field; an empty name means "detect it".
struct ColumnMap {
  std::string text;
  std::string id;
  std::string time;
  std::string product;
  std::string category;
  std::string user;
  std::string rating;
  std::string label;
  std::string channel;
};

/// Everything that decides how a source is read.
struct ReaderOptions {
  std::string path;                   ///< file path, or "-" for standard input
  std::string format = "auto";        ///< auto, csv, tsv or jsonl (auto uses the file extension, then content)
  std::string encoding = "auto";      ///< auto, or an ICU converter name such as GB18030
  ColumnMap columns;
  std::string timezone = "UTC";       ///< IANA zone for times without an offset
  std::size_t max_field_bytes = 1 << 20;  ///< larger fields reject their row
  bool require_text = true;           ///< rows with an empty text are rejected
  std::size_t buffer_bytes = 64 << 10;  ///< bytes read from the source at a time; tests shrink it
};

/// A row that was skipped, with where and why.
struct Reject {
  std::string source;
  std::int64_t line = 0;
  std::string field;                  ///< column at fault, empty when the whole row is
  std::string reason;                 ///< localized, one line
  std::string raw;                    ///< the row's first bytes as read, for the rejects file
};

/// Outcome of Reader::next.
enum class ReadStatus { item, rejected, end };

/// Streams items from one source; memory does not grow with the source size.
class Reader {
 public:
  virtual ~Reader() = default;

  /// Opens a source. Throws shopsight::Error when the file cannot be read, its
  /// encoding is unknown, or a requested column is missing (the message lists
  /// the columns the file has).
  static std::unique_ptr<Reader> open(const ReaderOptions& options);

  /// Opens an already open stream, which must outlive the reader.
  /// `options.path` names the source in items and rejects, and its extension
  /// selects the format. Tests use it to read from memory.
  static std::unique_ptr<Reader> open(std::istream& input, const ReaderOptions& options);

  /// Reads the next record into `item`, or describes a bad row in `reject`.
  virtual ReadStatus next(Item& item, Reject& reject) = 0;

  /// Column names of the source, in order, after decoding.
  virtual const std::vector<std::string>& header() const = 0;

  /// Source columns that were mapped to each item field.
  virtual const ColumnMap& resolved_columns() const = 0;

  /// Encoding the source was decoded from, e.g. "UTF-8" or "GB18030".
  virtual const std::string& encoding() const = 0;
};

/// Parses ISO 8601 with "Z" or a "+hh:mm" offset, "YYYY-MM-DD hh:mm:ss",
/// "YYYY/MM/DD hh:mm[:ss]", a date alone, "YYYYMMDD" (eight digits), or Unix
/// seconds or milliseconds. Numbers from 1e11 on are milliseconds, and a
/// fraction or an exponent is allowed from 1e8 on. Times without an offset
/// are in the IANA zone `timezone`. Returns Unix milliseconds, or nullopt when the text is
/// not a time. Throws shopsight::Error for an unknown `timezone`.
std::optional<std::int64_t> parse_time(const std::string& text, const std::string& timezone);

/// Time zone reduced to what buckets need.
struct StandardOffset {
  std::string name;          ///< canonical IANA name; "UTC" for every name of UTC
  std::int64_t offset = 0;   ///< standard time east of UTC in milliseconds, whole minutes
};

/// Returns the canonical name of the IANA zone `timezone` and the offset of
/// its standard time today, daylight saving time left out. Throws
/// shopsight::Error for an unknown zone, as parse_time does.
StandardOffset standard_offset(const std::string& timezone);

/// Returns the offset east of UTC, in milliseconds, of the IANA zone
/// `timezone` at Unix milliseconds `time`, daylight saving time included.
/// Throws shopsight::Error for an unknown zone, as parse_time does.
std::int64_t utc_offset_at(std::int64_t time, const std::string& timezone);

/// Whether Unix milliseconds `time` lies in the years 1970 to 2099. Times
/// outside are mistakes such as microseconds read as milliseconds or a
/// placeholder date. Once stored, one of them would move every default time
/// range that ends at the latest item.
bool is_plausible_time(std::int64_t time);

/// Writes rejects as CSV with the columns source, line, field, reason, raw.
class RejectsWriter {
 public:
  /// Opens `path` for writing; an empty path only counts.
  explicit RejectsWriter(const std::string& path);
  ~RejectsWriter();

  void write(const Reject& reject);

  /// Number of rejects written so far.
  std::int64_t count() const { return count_; }

 private:
  std::unique_ptr<std::ostream> out_;
  std::int64_t count_ = 0;
};

}  // namespace shopsight

// CSV and TSV reading. A small state machine splits the decoded stream into
// records. It records the line where each record starts, bounds the memory
// that a broken or huge field can take, and lets a record with an
// unterminated quote be re-read line by line. libcsv then parses each record
// into fields and reports malformed quoting.

#include <csv.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "ingest/fields.h"
#include "ingest/readers.h"

namespace shopsight::ingest {
namespace {

int is_space_only(unsigned char c) { return c == ' ' ? 1 : 0; }

/// libcsv parser that frees its buffer when it goes out of scope.
class CsvParser {
 public:
  /// Strict mode rejects a quote inside an unquoted field and text after a
  /// closing quote. TSV files often carry bare quotes, so `strict` is false for them.
  CsvParser(char delimiter, bool strict) : delimiter_(delimiter), strict_(strict) { init(); }
  ~CsvParser() { csv_free(&parser_); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;

  /// Splits one record (without its terminator) into `fields`; returns false when its quoting is
  /// invalid, with `error_at` set near the offending byte.
  bool parse(const std::string& record, std::vector<std::string>& fields, std::size_t& error_at) {
    fields.clear();
    const std::size_t parsed = csv_parse(&parser_, record.data(), record.size(), on_field, nullptr, &fields);
    const bool ok = parsed == record.size() && csv_fini(&parser_, on_field, nullptr, &fields) == 0;
    error_at = parsed;
    if (!ok) {
      // After an error the state is unknown: start a fresh parser.
      csv_free(&parser_);
      init();
    }
    return ok;
  }

 private:
  void init() {
    const auto options = static_cast<unsigned char>(strict_ ? CSV_STRICT | CSV_STRICT_FINI : 0);
    if (csv_init(&parser_, options) != 0) throw Error(tr("libcsv failed to initialize"));
    csv_set_delim(&parser_, static_cast<unsigned char>(delimiter_));
    if (delimiter_ == '\t') csv_set_space_func(&parser_, is_space_only);
  }

  static void on_field(void* data, std::size_t size, void* fields) {
    auto* out = static_cast<std::vector<std::string>*>(fields);
    if (data == nullptr) {
      out->emplace_back();
    } else {
      out->emplace_back(static_cast<const char*>(data), size);
    }
  }

  csv_parser parser_{};
  char delimiter_;
  bool strict_;
};

/// Bytes of one record as read, with what the splitter learned about it.
struct RawRecord {
  std::string text;               ///< bytes without the final line break; only a prefix when `oversize`
  std::int64_t line = 0;          ///< physical line of the first byte
  bool oversize = false;          ///< a field grew past max_field_bytes
  bool unterminated = false;      ///< the source ended inside a quoted field, or see `quote_overflow`
  bool quote_overflow = false;    ///< a quoted field outgrew max_field_bytes, most likely a stray quote
  std::size_t fault_field = 0;    ///< field that was oversize or unterminated
  std::size_t first_line_field = 0;  ///< quoted field that holds the record's first line break
};

class DelimitedReader final : public MappedReader {
 public:
  DelimitedReader(DecodedInput input, const ReaderOptions& options, char delimiter)
      : MappedReader(std::move(input), options), delimiter_(delimiter), parser_(delimiter, delimiter != '\t') {
    read_header();
    map_columns();
  }

  ReadStatus next(Item& item, Reject& reject) override;

 private:
  bool read_record();
  void read_header();
  void replay_after_first_line(std::string_view terminator = {});
  bool is_space(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }
  std::string field_name(std::size_t index) const {
    return index < header_.size() ? header_[index] : std::string();
  }

  char delimiter_;
  CsvParser parser_;
  std::int64_t line_ = 1;        ///< physical line of the next byte
  bool pending_cr_ = false;      ///< the last byte was '\r', which ends a line unless '\n' follows
  RawRecord record_;
  std::vector<std::string> fields_;
};

// Finds the next record the way libcsv would split it: a quote opens a
// quoted field only at the start of a field (after optional spaces), and
// an unquoted '\r' or '\n' ends the record. Returns false at the end of the source.
bool DelimitedReader::read_record() {
  enum class State { record_start, field_start, unquoted, quoted, quote_in_quoted, after_quote };
  State state = State::record_start;
  record_.text.clear();
  record_.oversize = false;
  record_.unterminated = false;
  record_.quote_overflow = false;
  record_.fault_field = 0;
  record_.first_line_field = 0;
  std::size_t field = 0;
  std::size_t field_bytes = 0;
  bool field_has_line_break = false;  // the quoted field being read spans lines
  bool record_has_line_break = false;

  // Stores field content until the field outgrows max_field_bytes. A quoted
  // field that does so across lines ends the record as unterminated,
  // because a stray quote is far likelier than a legitimate field that
  // large, and its lines are re-read. Any other field is scanned to its end,
  // or a quoted one to the end of its line, without storing more than a
  // prefix for the reject.
  auto store = [&](const char* bytes, std::size_t count) {
    if (record_.oversize) return;
    record_.text.append(bytes, count);
    if (field_bytes <= options_.max_field_bytes) return;
    if (state == State::quoted && field_has_line_break) {
      record_.unterminated = true;
      record_.quote_overflow = true;
      record_.fault_field = field;
      return;
    }
    record_.oversize = true;
    record_.fault_field = field;
    record_.text.resize(std::min(record_.text.size(), kRawExcerptBytes + 4));
    record_.text.shrink_to_fit();
  };

  // Moves to the next field after an unquoted delimiter.
  auto start_next_field = [&] {
    state = State::field_start;
    ++field;
    field_bytes = 0;
    field_has_line_break = false;
  };

  for (;;) {
    if (input_.pos == input_.buffer.size() && !input_.refill()) break;

    // Fast path: copy a run of plain field bytes at once. It stops before
    // every byte that can change the state or the line count.
    if (!pending_cr_ && (state == State::unquoted || state == State::quoted)) {
      const char stop = state == State::quoted ? '"' : delimiter_;
      const char* begin = input_.buffer.data() + input_.pos;
      const char* end = input_.buffer.data() + input_.buffer.size();
      const char* run_end = begin;
      while (run_end != end && *run_end != stop && *run_end != '\n' && *run_end != '\r') ++run_end;
      if (run_end != begin) {
        const auto count = static_cast<std::size_t>(run_end - begin);
        input_.pos += count;
        field_bytes += count;
        store(begin, count);
        if (record_.quote_overflow) return true;
        continue;
      }
    }

    const char c = input_.buffer[input_.pos++];

    // Count "\r\n", "\n" and a lone "\r" as one line break each.
    if (pending_cr_) {
      pending_cr_ = false;
      if (c != '\n') ++line_;
    }
    const std::int64_t line = line_;
    if (c == '\n') ++line_;
    if (c == '\r') pending_cr_ = true;
    const bool line_break = c == '\n' || c == '\r';

    if (state == State::record_start) {
      if (line_break) continue;
      record_.line = line;
      state = State::field_start;
    }

    switch (state) {
      case State::record_start:
      case State::field_start:
        if (c == delimiter_) {
          start_next_field();
        } else if (line_break) {
          return true;
        } else if (c == '"') {
          state = State::quoted;
        } else if (!is_space(c)) {
          state = State::unquoted;
          ++field_bytes;
        }
        break;
      case State::unquoted:
      case State::after_quote:
        if (c == delimiter_) {
          start_next_field();
        } else if (line_break) {
          return true;
        } else {
          ++field_bytes;
        }
        break;
      case State::quoted:
        if (c == '"') {
          state = State::quote_in_quoted;
        } else if (line_break && record_.oversize && record_.fault_field == field) {
          // The line of an oversize quoted field is rejected whole, and the
          // next line starts a record, whether the quote was stray or not.
          return true;
        } else {
          if (line_break && !record_has_line_break) record_.first_line_field = field;
          record_has_line_break = record_has_line_break || line_break;
          field_has_line_break = field_has_line_break || line_break;
          ++field_bytes;
        }
        break;
      case State::quote_in_quoted:
        if (c == '"') {
          state = State::quoted;
          ++field_bytes;
        } else if (c == delimiter_) {
          start_next_field();
        } else if (line_break) {
          return true;
        } else {
          state = State::after_quote;
        }
        break;
    }

    store(&c, 1);
    if (record_.quote_overflow) return true;
  }

  if (state == State::record_start) return false;
  if (state == State::quoted) {
    record_.unterminated = true;
    if (!record_.oversize) record_.fault_field = field;
  }
  return true;
}

// Re-reads the lines of the current record after its first one. An
// unterminated quote swallowed them, but they are most likely rows of their own.
// `terminator` is the line break that ended the record, which read_record
// consumed without storing it.
// NOTE: when an earlier field of the record held a quoted line break, the
// replay starts inside that field and its remainder becomes a row of its own.
void DelimitedReader::replay_after_first_line(std::string_view terminator) {
  const std::string& text = record_.text;
  const auto end = text.find_first_of("\r\n");
  if (end == std::string::npos) return;
  std::size_t next = end + 1;
  if (text[end] == '\r' && next < text.size() && text[next] == '\n') ++next;

  std::string rest = text.substr(next);
  rest.append(terminator);
  rest.append(input_.buffer, input_.pos);
  input_.buffer = std::move(rest);
  input_.pos = 0;
  line_ = record_.line + 1;
  pending_cr_ = false;
}

void DelimitedReader::read_header() {
  for (;;) {
    if (!read_record()) {
      throw Error(tr("{}: the file is empty; a header row with the column names is expected", input_.source));
    }
    if (record_.oversize || record_.unterminated) {
      throw Error(tr("{}: the header row at line {} is invalid: a quote is not closed or a name is too long",
                     input_.source, record_.line));
    }
    if (trim(record_.text).empty()) continue;
    std::size_t error_at = 0;
    if (!parser_.parse(record_.text, fields_, error_at)) {
      throw Error(tr("{}: the header row at line {} has invalid quoting", input_.source, record_.line));
    }
    break;
  }

  header_.clear();
  for (const auto& name : fields_) header_.push_back(sanitize_utf8(trim(name)));
}

ReadStatus DelimitedReader::next(Item& item, Reject& reject) {
  for (;;) {
    if (!read_record()) {
      mapper_->finish();
      return ReadStatus::end;
    }

    if (record_.unterminated) {
      const std::string reason =
          record_.quote_overflow
              ? tr("quote not closed within {} bytes (see --max-field-bytes)", options_.max_field_bytes)
              : tr("quote not closed before the end of the file");
      mapper_->reject(reject, record_.line, field_name(record_.fault_field), reason, record_.text);
      if (record_.oversize) {
        spdlog::warn("{}: the quote opened on line {} is never closed, so the rest of the file was skipped",
                     input_.source, record_.line);
      } else {
        replay_after_first_line();
      }
      return ReadStatus::rejected;
    }
    if (record_.oversize) {
      return mapper_->reject(reject, record_.line, field_name(record_.fault_field),
                             tr("field larger than {} bytes (see --max-field-bytes)", options_.max_field_bytes),
                             record_.text);
    }
    if (trim(record_.text).empty()) continue;

    std::size_t error_at = 0;
    if (!parser_.parse(record_.text, fields_, error_at)) {
      // A quote opened on the first line ran on and broke the quoting on a
      // later line: most likely it was never closed, so only the first line
      // is rejected and the next ones are read again as rows.
      const std::size_t first_line_end = record_.text.find_first_of("\r\n");
      if (first_line_end != std::string::npos && error_at > first_line_end) {
        mapper_->reject(reject, record_.line, field_name(record_.first_line_field),
                        tr("quote not closed on its line; the lines after it are read as rows of their own"),
                        std::string_view(record_.text).substr(0, first_line_end));
        // The source may also have ended without a line break; an extra one is harmless.
        replay_after_first_line(pending_cr_ ? "\r" : "\n");
        return ReadStatus::rejected;
      }
      return mapper_->reject(reject, record_.line, "",
                             tr("invalid quoting: a quote inside an unquoted field or text after a closing quote"),
                             record_.text);
    }

    // Empty fields past the header, as left by a trailing delimiter, are harmless.
    while (fields_.size() > header_.size() && trim(fields_.back()).empty()) fields_.pop_back();
    if (fields_.size() > header_.size()) {
      return mapper_->reject(reject, record_.line, "",
                             tr("row has {} fields but the header has {}", fields_.size(), header_.size()),
                             record_.text);
    }

    return mapper_->build(header_, fields_, record_.line, record_.text, input_.decoder->passes_bytes_through(),
                          item, reject);
  }
}

}  // namespace

std::unique_ptr<Reader> make_delimited_reader(DecodedInput input, const ReaderOptions& options, char delimiter) {
  return std::make_unique<DelimitedReader>(std::move(input), options, delimiter);
}

}  // namespace shopsight::ingest

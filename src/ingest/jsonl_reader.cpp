// JSON Lines reading: one object per line, its keys are the columns.

#include <nlohmann/json.hpp>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "ingest/fields.h"
#include "ingest/readers.h"

namespace shopsight::ingest {
namespace {

// Maximum rejects queued before the first object. Past this many the source
// is almost certainly not JSON Lines, so opening it fails.
constexpr std::size_t kMaxLeadingRejects = 1000;

// Deepest nesting of arrays and objects a line may have. Values nested far
// deeper overflow the stack when the JSON library writes them back out
// (dump() recurses), and real exports nest a few levels at most.
constexpr std::size_t kMaxJsonDepth = 512;

// Whether `line` nests arrays and objects deeper than `limit`. Brackets in
// strings do not count. It runs before parsing, so such a line never
// becomes a value.
bool nests_deeper_than(std::string_view line, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

class JsonLinesReader final : public MappedReader {
 public:
  JsonLinesReader(DecodedInput input, const ReaderOptions& options)
      : MappedReader(std::move(input), options),
        // A line carries every field of a row, so it may be several fields long.
        max_line_bytes_(4 * options.max_field_bytes + (64 << 10)) {
    read_first_object();
    map_columns();
  }

  ReadStatus next(Item& item, Reject& reject) override;

 private:
  bool read_line();
  ReadStatus parse_line(Reject& reject);
  void read_first_object();

  std::size_t max_line_bytes_;
  std::int64_t next_line_ = 1;
  std::string line_text_;          ///< current line without its line break; a prefix when oversize
  std::int64_t line_number_ = 0;
  bool line_oversize_ = false;

  std::unordered_map<std::string, std::size_t> key_index_;
  std::vector<std::string> values_;

  std::deque<Reject> leading_rejects_;
  bool first_object_pending_ = false;
  std::int64_t first_object_line_ = 0;
  std::string first_object_raw_;
};

bool JsonLinesReader::read_line() {
  line_text_.clear();
  line_oversize_ = false;
  line_number_ = next_line_;
  bool any = false;

  for (;;) {
    if (input_.pos == input_.buffer.size() && !input_.refill()) return any;
    any = true;

    const auto newline = input_.buffer.find('\n', input_.pos);
    const std::size_t end = newline == std::string::npos ? input_.buffer.size() : newline;
    if (!line_oversize_) {
      line_text_.append(input_.buffer, input_.pos, end - input_.pos);
      if (line_text_.size() > max_line_bytes_) {
        line_oversize_ = true;
        line_text_.resize(kRawExcerptBytes + 4);
        line_text_.shrink_to_fit();
      }
    }
    input_.pos = end;

    if (newline != std::string::npos) {
      ++input_.pos;
      ++next_line_;
      if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
      return true;
    }
  }
}

// Parses the current line into values_, aligned with header_, which grows
// by the keys that this line adds.
ReadStatus JsonLinesReader::parse_line(Reject& reject) {
  const std::string& source = input_.source;
  if (line_oversize_) {
    return make_reject(reject, source, line_number_, "",
                       tr("line longer than {} bytes (see --max-field-bytes)", max_line_bytes_), line_text_);
  }
  if (input_.decoder->passes_bytes_through() && !utf8::is_valid(line_text_)) {
    return make_reject(reject, source, line_number_, "",
                       tr("invalid UTF-8; convert the file to UTF-8 or name its encoding with --encoding"),
                       line_text_);
  }

  if (nests_deeper_than(line_text_, kMaxJsonDepth)) {
    return make_reject(reject, source, line_number_, "",
                       tr("invalid JSON: arrays and objects nested deeper than {} levels", kMaxJsonDepth),
                       line_text_);
  }

  nlohmann::ordered_json object;
  try {
    object = nlohmann::ordered_json::parse(line_text_);
  } catch (const nlohmann::json::parse_error& error) {
    return make_reject(reject, source, line_number_, "",
                       tr("invalid JSON at byte {}: each line must be one JSON object", error.byte), line_text_);
  } catch (const nlohmann::json::out_of_range&) {
    // A number such as 1e400 overflows a double.
    return make_reject(reject, source, line_number_, "",
                       tr("invalid JSON: a number is out of range; numbers must lie within about ±1.8e308"),
                       line_text_);
  }
  if (!object.is_object()) {
    return make_reject(reject, source, line_number_, "", tr("line is not a JSON object"), line_text_);
  }

  values_.assign(header_.size(), std::string());
  for (const auto& [key, value] : object.items()) {
    auto found = key_index_.find(key);
    if (found == key_index_.end()) {
      found = key_index_.emplace(key, header_.size()).first;
      header_.push_back(key);
      values_.emplace_back();
    }

    std::string& text = values_[found->second];
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (!value.is_null()) {
      // Numbers, booleans, arrays and objects keep their JSON text.
      text = value.dump();
    }
  }
  return ReadStatus::item;
}

void JsonLinesReader::read_first_object() {
  while (read_line()) {
    if (trim(line_text_).empty()) continue;
    if (!line_oversize_ && trim(line_text_).starts_with('[')) {
      throw Error(tr("{}: line {} starts a JSON array; write one JSON object per line (JSON Lines) instead",
                     input_.source, line_number_));
    }

    Reject reject;
    if (parse_line(reject) == ReadStatus::item) {
      first_object_pending_ = true;
      first_object_line_ = line_number_;
      first_object_raw_ = line_text_;
      return;
    }
    leading_rejects_.push_back(std::move(reject));
    if (leading_rejects_.size() > kMaxLeadingRejects) {
      throw Error(tr("{}: none of the first {} lines is a JSON object; check the format and encoding",
                     input_.source, leading_rejects_.size()));
    }
  }
  throw Error(tr("{}: no JSON object found; the input is empty or is not JSON Lines", input_.source));
}

ReadStatus JsonLinesReader::next(Item& item, Reject& reject) {
  if (!leading_rejects_.empty()) {
    reject = std::move(leading_rejects_.front());
    leading_rejects_.pop_front();
    return ReadStatus::rejected;
  }

  const bool check_utf8 = input_.decoder->passes_bytes_through();
  if (first_object_pending_) {
    first_object_pending_ = false;
    return mapper_->build(header_, values_, first_object_line_, first_object_raw_, check_utf8, item, reject);
  }

  while (read_line()) {
    if (!line_oversize_ && trim(line_text_).empty()) continue;
    const std::size_t columns_before = header_.size();
    const ReadStatus status = parse_line(reject);
    if (status != ReadStatus::item) return status;
    if (header_.size() != columns_before) mapper_->add_columns(header_);
    return mapper_->build(header_, values_, line_number_, line_text_, check_utf8, item, reject);
  }
  mapper_->finish();
  return ReadStatus::end;
}

}  // namespace

std::unique_ptr<Reader> make_json_lines_reader(DecodedInput input, const ReaderOptions& options) {
  return std::make_unique<JsonLinesReader>(std::move(input), options);
}

}  // namespace shopsight::ingest

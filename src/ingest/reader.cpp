// Reader::open: opens the source, settles its format and hands it to the
// matching reader.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "ingest/fields.h"
#include "ingest/readers.h"

namespace shopsight {
namespace {

// Decoded bytes looked at to guess the format of a source without a known extension.
constexpr std::size_t kFormatSniffBytes = 64 << 10;

std::string lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string format_from_extension(const std::string& path) {
  if (path == "-") return "auto";
  const std::string extension = lowercase(std::filesystem::path(path).extension().string());
  if (extension == ".csv") return "csv";
  if (extension == ".tsv" || extension == ".tab") return "tsv";
  if (extension == ".jsonl" || extension == ".ndjson" || extension == ".json") return "jsonl";
  return "auto";
}

// Guesses from the first decoded line: an object means JSON Lines, and more
// tabs than commas means TSV. Reads ahead into `input.buffer`, which the
// reader then consumes from the start.
std::string sniff_format(ingest::DecodedInput& input) {
  while (input.buffer.find('\n') == std::string::npos && input.buffer.size() < kFormatSniffBytes) {
    if (!input.decoder->read(input.buffer)) break;
  }

  const std::string_view text = ingest::trim(input.buffer);
  if (text.starts_with('{') || text.starts_with('[')) return "jsonl";

  const std::string_view first_line = text.substr(0, text.find('\n'));
  const auto tabs = std::count(first_line.begin(), first_line.end(), '\t');
  const auto commas = std::count(first_line.begin(), first_line.end(), ',');
  return tabs > commas ? "tsv" : "csv";
}

// "text: review, time: created_at", and after "; not found: " the fields
// that no column feeds, so the log shows where every field comes from.
std::string describe_columns(const ColumnMap& columns) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"text", &columns.text},         {"id", &columns.id},         {"time", &columns.time},
      {"product", &columns.product},   {"category", &columns.category}, {"user", &columns.user},
      {"rating", &columns.rating},     {"label", &columns.label},   {"channel", &columns.channel}};
  std::string found;
  std::string missing;
  for (const auto& [field, column] : fields) {
    std::string& list = column->empty() ? missing : found;
    if (!list.empty()) list += ", ";
    list += field;
    if (!column->empty()) list += ": " + *column;
  }
  return missing.empty() ? found : tr("{}; not found: {}", found, missing);
}

std::unique_ptr<Reader> open_decoded(std::unique_ptr<std::istream> owned, std::istream& stream,
                                     const ReaderOptions& options) {
  ingest::DecodedInput input;
  input.source = options.path.empty() ? "-" : options.path;
  input.decoder = std::make_unique<ingest::Decoder>(stream, input.source, options.encoding, options.buffer_bytes);
  input.owned_stream = std::move(owned);

  std::string format = lowercase(options.format.empty() ? "auto" : options.format);
  if (format == "auto") format = format_from_extension(input.source);
  if (format == "auto") format = sniff_format(input);

  std::unique_ptr<Reader> reader;
  if (format == "csv") {
    reader = ingest::make_delimited_reader(std::move(input), options, ',');
  } else if (format == "tsv") {
    reader = ingest::make_delimited_reader(std::move(input), options, '\t');
  } else if (format == "jsonl") {
    reader = ingest::make_json_lines_reader(std::move(input), options);
  } else {
    throw Error(tr("unknown input format '{}': use auto, csv, tsv or jsonl", options.format));
  }

  const std::string source = options.path.empty() ? "-" : options.path;
  spdlog::info("{}", tr("{}: reading {} in {}", source, format, reader->encoding()));
  spdlog::info("{}", tr("{}: columns of the fields: {}", source, describe_columns(reader->resolved_columns())));
  return reader;
}

}  // namespace

std::unique_ptr<Reader> Reader::open(const ReaderOptions& options) {
  if (options.path == "-" || options.path.empty()) return open_decoded(nullptr, std::cin, options);

  std::error_code error;
  if (std::filesystem::is_directory(options.path, error)) {
    throw Error(tr("cannot read {}: it is a folder; name a CSV, TSV or JSON Lines file", options.path));
  }
  auto file = std::make_unique<std::ifstream>(options.path, std::ios::binary);
  if (!*file) throw Error(tr("cannot open the input file {}: {}", options.path, std::strerror(errno)));

  std::istream& stream = *file;
  return open_decoded(std::move(file), stream, options);
}

std::unique_ptr<Reader> Reader::open(std::istream& input, const ReaderOptions& options) {
  return open_decoded(nullptr, input, options);
}

}  // namespace shopsight

#include <csv.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "ingest/ingest.h"

namespace shopsight {
namespace {

// Writes one field quoted as RFC 4180 requires, with libcsv doubling the quotes.
void write_quoted(std::ostream& out, const std::string& value) {
  const std::size_t size = csv_write(nullptr, 0, value.data(), value.size());
  std::string quoted(size, '\0');
  csv_write(quoted.data(), quoted.size(), value.data(), value.size());
  out << quoted;
}

}  // namespace

RejectsWriter::RejectsWriter(const std::string& path) {
  if (path.empty()) return;

  auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*file) {
    throw Error(tr("cannot write the rejects file {}: {}; choose a writable path", path, std::strerror(errno)));
  }
  *file << "source,line,field,reason,raw\n";
  out_ = std::move(file);
}

RejectsWriter::~RejectsWriter() {
  if (out_ == nullptr) return;
  out_->flush();
  if (!*out_) spdlog::error("writing the rejects file failed after {} rows", count_);
}

void RejectsWriter::write(const Reject& reject) {
  ++count_;
  if (out_ == nullptr) return;

  write_quoted(*out_, reject.source);
  *out_ << ',' << reject.line << ',';
  write_quoted(*out_, reject.field);
  *out_ << ',';
  write_quoted(*out_, reject.reason);
  *out_ << ',';
  write_quoted(*out_, reject.raw);
  *out_ << '\n';
}

}  // namespace shopsight

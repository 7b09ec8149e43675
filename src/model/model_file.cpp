#include "model/model_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/error.h"
#include "common/i18n.h"

namespace shopsight::model {
namespace {

// Eight bytes that no text file starts with: the 0x89 byte and the CR LF
// pair catch transfers that alter bytes, as in the PNG signature.
constexpr char kMagic[8] = {'\x89', 'S', 'S', 'M', '\r', '\n', '\x1a', '\n'};

// Magic, version (u32), header size (u32) and payload size (u64).
constexpr std::size_t kPreambleSize = 24;
constexpr std::size_t kChecksumSize = 4;

void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint64_t get_le(const std::string& data, std::size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(data[offset + static_cast<std::size_t>(i)]);
  }
  return value;
}

std::uint32_t crc32_of(const char* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths, so large buffers go in slices.
  constexpr std::size_t kSlice = 1u << 30;
  for (std::size_t offset = 0; offset < size; offset += kSlice) {
    const std::size_t length = std::min(kSlice, size - offset);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data + offset), static_cast<uInt>(length));
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

void write_model_file(const std::string& path, const ModelFile& file) {
  const std::string header = file.header.dump();
  std::string data(kMagic, sizeof kMagic);
  put_u32(data, kFormatVersion);
  put_u32(data, static_cast<std::uint32_t>(header.size()));
  put_u64(data, file.payload.size());
  data += header;
  data += file.payload;
  put_u32(data, crc32_of(data.data(), data.size()));

  // Write beside the target and rename, so a failed write never leaves a
  // half-written model where a working one was.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error(tr("cannot write the model file {}: {}; check that the folder exists and is writable", path,
                     std::strerror(errno)));
    }
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw Error(tr("cannot write the model file {}: the disk may be full", path));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw Error(tr("cannot write the model file {}: {}; check that the folder exists and is writable", path,
                   reason));
  }
}

ModelFile read_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(tr("cannot open the model file {}: {}; pass the path of a file written by `shopsight train`",
                   path, std::strerror(errno)));
  }
  // One read of the whole file, because reading a model of many megabytes
  // through stream iterators, one character at a time, was slow. Streams
  // that cannot seek (a FIFO, a folder) are read the slow way.
  std::string data;
  in.seekg(0, std::ios::end);
  const std::streamoff file_size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (file_size > 0 && in) {
    data.resize(static_cast<std::size_t>(file_size));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
  } else {
    in.clear();
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
    throw Error(tr("{} is not a shopsight model file (wrong magic number); pass a file written by "
                   "`shopsight train`",
                   path));
  }
  if (data.size() < kPreambleSize + kChecksumSize) {
    throw Error(tr("the model file {} is truncated ({} bytes); copy or train it again", path, data.size()));
  }

  const auto version = static_cast<std::uint32_t>(get_le(data, 8, 4));
  if (version > kFormatVersion || version == 0) {
    throw Error(tr("the model file {} has format version {}, but this shopsight reads version {} at most; "
                   "upgrade shopsight or train the model again",
                   path, version, kFormatVersion));
  }

  const std::uint64_t header_size = get_le(data, 12, 4);
  const std::uint64_t payload_size = get_le(data, 16, 8);
  const std::uint64_t expected = kPreambleSize + header_size + payload_size + kChecksumSize;
  if (payload_size > data.size() || data.size() < expected) {
    throw Error(tr("the model file {} is truncated ({} bytes); copy or train it again", path, data.size()));
  }
  if (data.size() > expected) {
    throw Error(tr("the model file {} is corrupt (unexpected bytes after the checksum); copy or train it again",
                   path));
  }

  const std::size_t body = data.size() - kChecksumSize;
  const auto stored = static_cast<std::uint32_t>(get_le(data, body, 4));
  if (stored != crc32_of(data.data(), body)) {
    throw Error(tr("the model file {} is corrupt (checksum mismatch); copy or train it again", path));
  }

  ModelFile file;
  try {
    file.header = nlohmann::json::parse(data.begin() + kPreambleSize,
                                        data.begin() + static_cast<std::ptrdiff_t>(kPreambleSize + header_size));
  } catch (const nlohmann::json::exception& error) {
    throw Error(tr("the model file {} has an invalid header: {}; train the model again", path, error.what()));
  }
  file.payload = data.substr(kPreambleSize + header_size, payload_size);
  return file;
}

}  // namespace shopsight::model

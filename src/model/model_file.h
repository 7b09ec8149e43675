#pragma once

// Container of a model file: magic number, format version, JSON header,
// binary payload and CRC-32. The layout is described in docs/model-format.md.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace shopsight::model {

/// Format version that this build writes; files with a larger one are rejected.
inline constexpr std::uint32_t kFormatVersion = 1;

/// Header and payload of a model file.
struct ModelFile {
  nlohmann::json header;
  std::string payload;                    ///< little-endian arrays that the header describes
};

/// Writes `file` to `path`; throws shopsight::Error naming the path on failure.
void write_model_file(const std::string& path, const ModelFile& file);

/// Reads and checks a model file; throws shopsight::Error naming the path when it
/// is missing, foreign, newer, truncated or corrupt.
ModelFile read_model_file(const std::string& path);

}  // namespace shopsight::model

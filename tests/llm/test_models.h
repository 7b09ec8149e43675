#pragma once

// Generated GGUF models for tests, and comparisons of their outputs. A target gets the definitions used here
// from shopsight_use_test_models() in tests/llm/CMakeLists.txt.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace shopsight::testing {

/// Path of a model written by shopsight_make_test_model with `--kind kind`
/// and the extra `options` (for example "--context 32"). The file is written
/// once per build of the writer and reused, so tests may call this freely.
inline std::string generated_model(const std::string& kind, const std::string& options = "") {
  std::string file_name = kind;
  for (char c : options) file_name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  const std::filesystem::path directory = SHOPSIGHT_TEST_MODEL_DIR;
  const std::filesystem::path path = directory / (file_name + ".gguf");
  // A rebuilt writer may write different files, so older models are redone.
  std::error_code error;
  const auto written = std::filesystem::last_write_time(path, error);
  if (!error && written >= std::filesystem::last_write_time(SHOPSIGHT_MAKE_TEST_MODEL)) return path.string();

  // CTest may run several test processes at once, so each writes its own
  // file and renames it into place, which is atomic.
  std::filesystem::create_directories(directory);
  const std::filesystem::path scratch = directory / (file_name + "." + std::to_string(getpid()) + ".tmp");
  const std::string command = std::string(SHOPSIGHT_MAKE_TEST_MODEL) + " --kind " + kind + " --vocab-dir '" +
                              SHOPSIGHT_LLAMA_VOCAB_DIR + "' --out '" + scratch.string() + "' " + options;
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed to run: " + command);
  std::filesystem::rename(scratch, path);
  return path.string();
}

/// Returns a generated decoder whose training context of 4096 tokens has room
/// for a prompt and the longest answer that the aspect output grammar allows.
inline std::string long_context_decoder() { return generated_model("llama", "--context 4096"); }

/// Writes to `path` a copy of the generated model `kind` whose last 64 KiB,
/// inside the weights, are 0xFF bytes: NaN in f32 and f16, as a broken
/// conversion or quantization can leave them.
inline void write_nan_model(const std::string& kind, const std::string& options, const std::string& path) {
  std::filesystem::copy_file(generated_model(kind, options), path, std::filesystem::copy_options::overwrite_existing);
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  const std::string bytes(65536, '\xff');
  file.seekp(-static_cast<std::streamoff>(bytes.size()), std::ios::end);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("failed to write " + path);
}

/// Path of one of llama.cpp's vocabulary-only files, such as "bert-bge" for ggml-vocab-bert-bge.gguf.
inline std::string vocab_file(const std::string& name) {
  return std::string(SHOPSIGHT_LLAMA_VOCAB_DIR) + "/ggml-vocab-" + name + ".gguf";
}

/// Largest absolute difference between two vectors of the same size.
inline float max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  float largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i) largest = std::max(largest, std::abs(a[i] - b[i]));
  return largest;
}

}  // namespace shopsight::testing

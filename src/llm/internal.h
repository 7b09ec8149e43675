#pragma once

// Helpers shared by the files of src/llm; not part of the public interface.

#include <llama.h>

#include <string>
#include <string_view>

#include "llm/llm.h"

namespace shopsight::llm::detail {

/// Initializes llama.cpp's backends and routes its log to spdlog; runs once per process.
void ensure_backend();

/// Returns the llama_model behind `model`.
inline llama_model* model_pointer(const Model& model) {
  return static_cast<llama_model*>(model.handle());
}

/// Thread count to give llama.cpp: `requested`, or every core when it is 0 or less.
int resolve_threads(int requested);

/// Name of a pooling type as ModelInfo reports it: none, mean, cls, last or rank.
std::string pooling_name(enum llama_pooling_type pooling);

/// Whether the GGUF file at `path` contains a tensor named `tensor`.
bool gguf_has_tensor(const std::string& path, const char* tensor);

/// Whether models of this general.architecture only encode: their attention
/// covers the whole text, so they embed and classify but do not generate.
bool is_encoder_architecture(std::string_view architecture);

}  // namespace shopsight::llm::detail

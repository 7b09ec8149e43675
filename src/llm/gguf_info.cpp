// Model metadata read from a GGUF header with ggml's reader, for models that
// llama.cpp cannot load.

#include <ggml.h>
#include <gguf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "llm/internal.h"
#include "llm/llm.h"

namespace shopsight::llm {
namespace {

// A GGUF header with the shapes of its tensors but none of their data. The
// typed getters of gguf.h abort on a type mismatch, so every read checks the
// type first and treats another type as absent.
class GgufHeader {
 public:
  explicit GgufHeader(const std::string& path) {
    gguf_init_params params{};
    params.no_alloc = true;
    params.ctx = &tensors_;
    gguf_ = gguf_init_from_file(path.c_str(), params);
    if (gguf_ == nullptr) {
      throw Error(tr("The GGUF header of {} cannot be read: the file is damaged or truncated. Download or convert "
                     "the model again.",
                     path));
    }
  }
  ~GgufHeader() {
    gguf_free(gguf_);
    if (tensors_ != nullptr) ggml_free(tensors_);
  }
  GgufHeader(const GgufHeader&) = delete;
  GgufHeader& operator=(const GgufHeader&) = delete;

  std::string text(const std::string& key) const {
    const std::int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0 || gguf_get_kv_type(gguf_, id) != GGUF_TYPE_STRING) return "";
    return gguf_get_val_str(gguf_, id);
  }

  std::int64_t integer(const std::string& key) const {
    const std::int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0) return 0;
    switch (gguf_get_kv_type(gguf_, id)) {
      case GGUF_TYPE_UINT8:
        return gguf_get_val_u8(gguf_, id);
      case GGUF_TYPE_INT8:
        return gguf_get_val_i8(gguf_, id);
      case GGUF_TYPE_UINT16:
        return gguf_get_val_u16(gguf_, id);
      case GGUF_TYPE_INT16:
        return gguf_get_val_i16(gguf_, id);
      case GGUF_TYPE_UINT32:
        return gguf_get_val_u32(gguf_, id);
      case GGUF_TYPE_INT32:
        return gguf_get_val_i32(gguf_, id);
      case GGUF_TYPE_UINT64:
        return static_cast<std::int64_t>(gguf_get_val_u64(gguf_, id));
      case GGUF_TYPE_INT64:
        return gguf_get_val_i64(gguf_, id);
      default:
        return 0;
    }
  }

  bool boolean(const std::string& key, bool fallback) const {
    const std::int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0 || gguf_get_kv_type(gguf_, id) != GGUF_TYPE_BOOL) return fallback;
    return gguf_get_val_bool(gguf_, id);
  }

  std::size_t array_size(const std::string& key) const {
    const std::int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0 || gguf_get_kv_type(gguf_, id) != GGUF_TYPE_ARRAY) return 0;
    return gguf_get_arr_n(gguf_, id);
  }

  std::vector<std::string> texts(const std::string& key) const {
    std::vector<std::string> values;
    const std::int64_t id = gguf_find_key(gguf_, key.c_str());
    if (id < 0 || gguf_get_kv_type(gguf_, id) != GGUF_TYPE_ARRAY || gguf_get_arr_type(gguf_, id) != GGUF_TYPE_STRING) {
      return values;
    }
    for (std::size_t i = 0; i < gguf_get_arr_n(gguf_, id); ++i) values.emplace_back(gguf_get_arr_str(gguf_, id, i));
    return values;
  }

  bool has_tensor(const char* name) const { return gguf_find_tensor(gguf_, name) >= 0; }

  /// Elements of every tensor, which is the parameter count.
  std::uint64_t parameters() const {
    std::uint64_t total = 0;
    for (std::int64_t i = 0; i < gguf_get_n_tensors(gguf_); ++i) {
      const ggml_tensor* tensor = ggml_get_tensor(tensors_, gguf_get_tensor_name(gguf_, i));
      if (tensor != nullptr) total += static_cast<std::uint64_t>(ggml_nelements(tensor));
    }
    return total;
  }

  /// Bytes of every tensor's data as stored.
  std::uint64_t tensor_bytes() const {
    std::uint64_t total = 0;
    for (std::int64_t i = 0; i < gguf_get_n_tensors(gguf_); ++i) total += gguf_get_tensor_size(gguf_, i);
    return total;
  }

 private:
  gguf_context* gguf_ = nullptr;
  ggml_context* tensors_ = nullptr;
};

// Names that llama.cpp's converter writes to tokenizer.ggml.model, mapped to
// the vocabulary types that a loaded model reports.
std::string vocabulary_type(const std::string& tokenizer) {
  if (tokenizer == "llama") return "spm";
  if (tokenizer == "gpt2") return "bpe";
  if (tokenizer == "bert") return "wpm";
  if (tokenizer == "t5") return "ugm";
  if (tokenizer == "rwkv") return "rwkv";
  if (tokenizer == "plamo2") return "plamo2";
  return tokenizer.empty() ? "none" : tokenizer;
}

}  // namespace

ModelInfo read_gguf_info(const std::string& path) {
  const GgufHeader header(path);
  ModelInfo info;
  info.path = path;
  info.architecture = header.text("general.architecture");
  info.name = header.text("general.name");
  info.parameters = header.parameters();
  info.size_bytes = header.tensor_bytes();

  const std::string prefix = info.architecture + ".";
  info.context_length = static_cast<int>(header.integer(prefix + "context_length"));
  info.layers = static_cast<int>(header.integer(prefix + "block_count"));
  info.embedding_size = static_cast<int>(header.integer(prefix + "embedding_length"));
  info.vocabulary_size = static_cast<int>(header.array_size("tokenizer.ggml.tokens"));
  info.vocabulary_type = vocabulary_type(header.text("tokenizer.ggml.model"));
  // The pooling key contains llama.cpp's llama_pooling_type values.
  info.pooling = detail::pooling_name(static_cast<enum llama_pooling_type>(header.integer(prefix + "pooling_type")));

  const bool encoder_only =
      detail::is_encoder_architecture(info.architecture) || !header.boolean(prefix + "attention.causal", true);
  info.has_encoder = encoder_only;
  info.has_decoder = !encoder_only;
  if (header.has_tensor("cls.output.weight")) info.class_labels = header.texts(prefix + "classifier.output_labels");
  info.chat_template = header.text("tokenizer.chat_template");
  return info;
}

}  // namespace shopsight::llm

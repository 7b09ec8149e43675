#include <gguf.h>
#include <llama.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/i18n.h"
#include "llm/internal.h"
#include "llm/llm.h"

namespace shopsight::llm {
namespace detail {
namespace {

// llama.cpp writes a log line in pieces (a level, then GGML_LOG_LEVEL_CONT
// pieces) and ends it with a newline, so each thread collects the pieces and
// passes whole lines to spdlog.
struct PendingLine {
  std::string text;
  ggml_log_level level = GGML_LOG_LEVEL_INFO;
};

spdlog::level::level_enum spdlog_level(ggml_log_level level) {
  switch (level) {
    case GGML_LOG_LEVEL_ERROR:
      return spdlog::level::err;
    case GGML_LOG_LEVEL_WARN:
      return spdlog::level::warn;
    case GGML_LOG_LEVEL_INFO:
      // llama.cpp reports every hyperparameter and buffer at info level,
      // which would drown shopsight's own progress lines.
      return spdlog::level::debug;
    default:
      return spdlog::level::trace;
  }
}

void forward_log(ggml_log_level level, const char* text, void* /*user_data*/) {
  thread_local PendingLine pending;
  if (level != GGML_LOG_LEVEL_CONT) pending.level = level;
  if (text != nullptr) pending.text += text;

  std::size_t newline = 0;
  while ((newline = pending.text.find('\n')) != std::string::npos) {
    std::string line = pending.text.substr(0, newline);
    pending.text.erase(0, newline + 1);
    if (!line.empty()) spdlog::log(spdlog_level(pending.level), "llama.cpp: {}", line);
  }
}

}  // namespace

void ensure_backend() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(forward_log, nullptr);
    llama_backend_init();
  });
}

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

std::string pooling_name(enum llama_pooling_type pooling) {
  switch (pooling) {
    case LLAMA_POOLING_TYPE_MEAN:
      return "mean";
    case LLAMA_POOLING_TYPE_CLS:
      return "cls";
    case LLAMA_POOLING_TYPE_LAST:
      return "last";
    case LLAMA_POOLING_TYPE_RANK:
      return "rank";
    default:
      return "none";
  }
}

bool gguf_has_tensor(const std::string& path, const char* tensor) {
  gguf_init_params params{};
  params.no_alloc = true;
  params.ctx = nullptr;
  gguf_context* gguf = gguf_init_from_file(path.c_str(), params);
  if (gguf == nullptr) return false;
  const bool found = gguf_find_tensor(gguf, tensor) >= 0;
  gguf_free(gguf);
  return found;
}

bool is_encoder_architecture(std::string_view architecture) {
  // Converted models may also mark this with <arch>.attention.causal = false,
  // which the callers check as well.
  static constexpr std::array kEncoderArchitectures = {
      "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3",
      "modern-bert", "neo-bert", "eurobert", "t5encoder"};
  return std::find(kEncoderArchitectures.begin(), kEncoderArchitectures.end(), architecture) !=
         kEncoderArchitectures.end();
}

}  // namespace detail

namespace {

std::string metadata(const llama_model* model, const std::string& key) {
  std::array<char, 512> buffer{};
  const int length = llama_model_meta_val_str(model, key.c_str(), buffer.data(), buffer.size());
  if (length < 0) return {};
  if (static_cast<std::size_t>(length) < buffer.size()) return std::string(buffer.data(), static_cast<std::size_t>(length));

  // Long values (a description, a URL) need a second call with room for the terminator.
  std::string value(static_cast<std::size_t>(length) + 1, '\0');
  llama_model_meta_val_str(model, key.c_str(), value.data(), value.size());
  value.resize(static_cast<std::size_t>(length));
  return value;
}

int metadata_int(const llama_model* model, const std::string& key) {
  const std::string value = metadata(model, key);
  if (value.empty()) return 0;
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string vocabulary_type_name(enum llama_vocab_type type) {
  switch (type) {
    case LLAMA_VOCAB_TYPE_SPM:
      return "spm";
    case LLAMA_VOCAB_TYPE_BPE:
      return "bpe";
    case LLAMA_VOCAB_TYPE_WPM:
      return "wpm";
    case LLAMA_VOCAB_TYPE_UGM:
      return "ugm";
    case LLAMA_VOCAB_TYPE_RWKV:
      return "rwkv";
    case LLAMA_VOCAB_TYPE_PLAMO2:
      return "plamo2";
    default:
      return "none";
  }
}

void check_gguf_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw Error(tr("Model file {} does not exist or is not a regular file. Check the path.", path));
  }

  std::ifstream file(path, std::ios::binary);
  std::array<char, 4> magic{};
  file.read(magic.data(), magic.size());
  if (!file || std::string_view(magic.data(), magic.size()) != "GGUF") {
    throw Error(tr("{} is not a GGUF model file. Give a .gguf file; docs/llm.md shows how to "
                   "convert a Hugging Face model.",
                   path));
  }
}

// llama.cpp's description is "architecture size-class file-type", and the
// size class is "?B" for a model outside its table. Next to the exact
// parameter count that word only confuses, so it is dropped.
std::string without_unknown_size(const std::string& description) {
  std::string out;
  std::size_t start = 0;
  while (start < description.size()) {
    const std::size_t end = std::min(description.find(' ', start), description.size());
    const std::string word = description.substr(start, end - start);
    if (!word.empty() && word != "?B") out += (out.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out;
}

ModelInfo read_info(const llama_model* model, const std::string& path, bool vocabulary_only) {
  ModelInfo info;
  info.path = path;
  info.architecture = metadata(model, "general.architecture");
  info.name = metadata(model, "general.name");

  std::array<char, 256> description{};
  llama_model_desc(model, description.data(), description.size());
  info.description = without_unknown_size(description.data());

  const std::string prefix = info.architecture + ".";
  const llama_vocab* vocab = llama_model_get_vocab(model);
  info.vocabulary_size = llama_vocab_n_tokens(vocab);
  info.vocabulary_type = vocabulary_type_name(llama_vocab_type(vocab));
  info.context_length = metadata_int(model, prefix + "context_length");
  info.layers = metadata_int(model, prefix + "block_count");
  info.embedding_size = metadata_int(model, prefix + "embedding_length");
  if (!vocabulary_only) {
    info.parameters = llama_model_n_params(model);
    info.size_bytes = llama_model_size(model);
    info.context_length = llama_model_n_ctx_train(model);
    info.layers = llama_model_n_layer(model);
    info.embedding_size = llama_model_n_embd_out(model);
  }

  const bool has_pooling = !metadata(model, prefix + "pooling_type").empty();
  info.pooling = has_pooling ? detail::pooling_name(static_cast<enum llama_pooling_type>(metadata_int(model, prefix + "pooling_type")))
                             : "none";

  const bool listed_encoder = detail::is_encoder_architecture(info.architecture);
  const bool non_causal = metadata(model, prefix + "attention.causal") == "false";
  const bool encoder_only = listed_encoder || non_causal;
  info.has_encoder = encoder_only || llama_model_has_encoder(model);
  info.has_decoder = !encoder_only && llama_model_has_decoder(model);

  // A head is the "cls.output" projection that llama.cpp applies under rank
  // pooling. llama.cpp reports one output for a model without a head, so the
  // tensor is looked up in the file itself.
  if (!vocabulary_only && info.has_encoder && detail::gguf_has_tensor(path, "cls.output.weight")) {
    const std::uint32_t outputs = llama_model_n_cls_out(model);
    for (std::uint32_t i = 0; i < outputs; ++i) {
      const char* label = llama_model_cls_label(model, i);
      info.class_labels.push_back(label != nullptr && *label != '\0' ? std::string(label) : fmt::format("LABEL_{}", i));
    }
  }

  const char* chat_template = llama_model_chat_template(model, nullptr);
  if (chat_template != nullptr) info.chat_template = chat_template;
  return info;
}

}  // namespace

ModelOptions default_model_options() { return ModelOptions{}; }

namespace {

// Set by the command line before any encoder is built. Encoders may be built
// on any thread, so it is atomic.
std::atomic<int> g_default_decode_tokens{0};

}  // namespace

EncodeOptions default_encode_options() {
  EncodeOptions options;
  const int tokens = g_default_decode_tokens.load(std::memory_order_relaxed);
  if (tokens > 0) options.decode_tokens = tokens;
  return options;
}

void set_default_decode_tokens(int tokens) { g_default_decode_tokens.store(tokens, std::memory_order_relaxed); }

struct Model::Impl {
  llama_model* model = nullptr;
  ModelInfo info;

  ~Impl() {
    if (model != nullptr) llama_model_free(model);
  }
};

Model::Model() : impl_(std::make_unique<Impl>()) {}

Model::~Model() = default;

std::unique_ptr<Model> Model::load(const std::string& path, const ModelOptions& options) {
  check_gguf_file(path);
  detail::ensure_backend();

  llama_model_params params = llama_model_default_params();
  params.vocab_only = options.vocabulary_only;
  params.n_gpu_layers = options.gpu_layers;
  llama_model* model = llama_model_load_from_file(path.c_str(), params);
  if (model == nullptr) {
    throw Error(tr("llama.cpp failed to load the model {}: the file may be truncated, or its "
                   "architecture is not supported by this llama.cpp build. Download or convert the "
                   "model again, or build a newer llama.cpp with scripts/build-llama-cpp.sh. "
                   "llama.cpp's own error is logged above.",
                   path));
  }

  std::unique_ptr<Model> result(new Model());
  result->impl_->model = model;
  result->impl_->info = read_info(model, path, options.vocabulary_only);
  spdlog::debug("Loaded model {} ({}, {} parameters)", path, result->impl_->info.architecture,
                result->impl_->info.parameters);
  return result;
}

const ModelInfo& Model::info() const { return impl_->info; }

std::vector<std::int32_t> Model::tokenize(std::string_view text, bool add_special) const {
  return tokenize(text, add_special, false);
}

std::vector<std::int32_t> Model::tokenize(std::string_view text, bool add_special, bool parse_special) const {
  const llama_vocab* vocab = llama_model_get_vocab(impl_->model);
  const auto length = static_cast<std::int32_t>(std::min<std::size_t>(text.size(), INT32_MAX));

  // A first guess of one token per byte plus the special tokens is almost
  // always enough; llama_tokenize returns the needed count, negated, when not.
  std::vector<llama_token> tokens(static_cast<std::size_t>(length) + 8);
  std::int32_t count = llama_tokenize(vocab, text.data(), length, tokens.data(),
                                      static_cast<std::int32_t>(tokens.size()), add_special, parse_special);
  if (count < 0) {
    tokens.resize(static_cast<std::size_t>(-count));
    count = llama_tokenize(vocab, text.data(), length, tokens.data(), static_cast<std::int32_t>(tokens.size()),
                           add_special, parse_special);
  }
  tokens.resize(static_cast<std::size_t>(std::max(count, 0)));
  return tokens;
}

std::string Model::token_text(std::int32_t token) const {
  const llama_vocab* vocab = llama_model_get_vocab(impl_->model);
  if (token < 0 || token >= llama_vocab_n_tokens(vocab)) {
    throw Error(tr("Token id {} is outside the vocabulary of {} ({} tokens).", token, impl_->info.path,
                   llama_vocab_n_tokens(vocab)));
  }

  std::string piece(32, '\0');
  std::int32_t length = llama_token_to_piece(vocab, token, piece.data(), static_cast<std::int32_t>(piece.size()), 0, true);
  if (length < 0) {
    piece.resize(static_cast<std::size_t>(-length));
    length = llama_token_to_piece(vocab, token, piece.data(), static_cast<std::int32_t>(piece.size()), 0, true);
  }
  piece.resize(static_cast<std::size_t>(std::max(length, 0)));
  return piece;
}

void* Model::handle() const { return impl_->model; }

}  // namespace shopsight::llm

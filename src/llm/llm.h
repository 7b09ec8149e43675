#pragma once

// LLM: shopsight's one door to llama.cpp. It loads GGUF models, reads their
// metadata, tokenizes, embeds, classifies and generates under a grammar.
// Nothing else in shopsight includes llama.h, so a llama.cpp upgrade touches
// this folder only.
//
// Threads: a Model is immutable after loading and may be shared. Embedder,
// SequenceClassifier and Generator each own a llama.cpp context: use one per
// thread, or guard it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shopsight::llm {

/// Facts about a GGUF model, read from its metadata.
struct ModelInfo {
  std::string path;
  std::string architecture;               ///< general.architecture: bert, llama, qwen2, ...
  std::string name;                       ///< general.name, empty when absent
  std::string description;                ///< llama.cpp's one-line summary (type, size, quantization)
  std::uint64_t parameters = 0;
  std::uint64_t size_bytes = 0;           ///< bytes of the weights
  int context_length = 0;                 ///< tokens the model was trained on
  int embedding_size = 0;                 ///< width of the pooled output
  int layers = 0;
  int vocabulary_size = 0;
  std::string vocabulary_type;            ///< spm, bpe, wpm, ugm, ...
  std::string pooling;                    ///< none, mean, cls, last or rank
  bool has_encoder = false;               ///< true for BERT-family models
  bool has_decoder = false;               ///< true for models that generate text
  std::vector<std::string> class_labels;  ///< classifier head outputs; empty without a head
  std::string chat_template;              ///< empty when the model has none
  std::string load_error;                 ///< why this llama.cpp build cannot load the model; empty when it can
};

/// Reads a model's metadata from its GGUF header alone, without loading it
/// through llama.cpp, for models that this build of llama.cpp cannot load
/// (an architecture it does not know, missing weights). `description` stays
/// empty and `has_encoder` and `has_decoder` follow the architecture name.
/// Throws shopsight::Error when the header cannot be read.
ModelInfo read_gguf_info(const std::string& path);

/// How to load a model.
struct ModelOptions {
  bool vocabulary_only = false;           ///< load metadata and vocabulary, no weights
  int gpu_layers = 0;                     ///< layers to offload when a GPU backend is built in
};

/// Defaults for loading a model.
ModelOptions default_model_options();

/// A loaded GGUF model.
class Model {
 public:
  /// Loads `path`; throws shopsight::Error naming the file when it is not
  /// GGUF, is truncated, or llama.cpp cannot load its architecture.
  static std::unique_ptr<Model> load(const std::string& path, const ModelOptions& options);
  ~Model();

  const ModelInfo& info() const;

  /// Token ids of `text`; `add_special` adds the model's start and end tokens.
  std::vector<std::int32_t> tokenize(std::string_view text, bool add_special) const;

  /// Token ids of `text`. With `parse_special`, the text of a control token
  /// such as "<|im_start|>" becomes that token. Only prompts that shopsight
  /// builds may use it, never user text.
  std::vector<std::int32_t> tokenize(std::string_view text, bool add_special, bool parse_special) const;

  /// Text of one token id.
  std::string token_text(std::int32_t token) const;

  /// Opaque llama_model pointer, for the other classes of this folder.
  void* handle() const;

 private:
  Model();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Settings of an encoder context (embeddings and classification).
struct EncodeOptions {
  int threads = 0;                        ///< CPU threads; 0 means every core
  int context = 0;                        ///< tokens per text; 0 means the model's training context
  /// Maximum tokens per llama_decode call. A longer text goes alone in its
  /// call. It sets speed, not request size: embed() and classify() split any
  /// number of texts into calls of this size. Attention spans every token of
  /// a call, and with a 4-layer, 512-wide BERT on one x86-64 core 256 to 512
  /// tokens were fastest, 128 and 1,024 up to 9% slower (docs/benchmarks.md).
  int decode_tokens = 256;
  int max_sequences = 64;                 ///< texts per llama_decode call at most (llama.cpp allows 256)
  /// Batch texts of similar token length together (results are the same;
  /// false keeps input order, which is slower and exists for benchmarks).
  bool group_by_length = true;
  /// Let llama.cpp use flash attention where its backend supports it.
  bool flash_attention = true;
};

/// Texts that the encoder runs together in one llama_decode call.
struct DecodeCall {
  std::vector<std::size_t> texts;         ///< indices into the caller's list, one per sequence
  std::size_t tokens = 0;                 ///< tokens of all these texts
};

/// Splits texts of the given token counts into llama_decode calls of at most
/// `max_tokens` tokens and `max_texts` texts. A text longer than `max_tokens`
/// gets a call of its own. With `group_by_length`, texts of similar length
/// share calls. Every text is in exactly one call.
std::vector<DecodeCall> plan_decode_calls(const std::vector<std::size_t>& token_counts, std::size_t max_tokens,
                                          std::size_t max_texts, bool group_by_length);

/// Defaults for an encoder context.
EncodeOptions default_encode_options();

/// Sets the decode_tokens that default_encode_options() returns in this
/// process, for the command line's --encoder-decode-tokens; 0 or less
/// restores the built-in default.
void set_default_decode_tokens(int tokens);

/// Encoder that turns texts into L2-normalized vectors, pooled as its metadata
/// specifies. Texts longer than the context are cut with a warning.
class Embedder {
 public:
  /// Throws shopsight::Error when `model` cannot embed (a decoder-only LLM).
  Embedder(const Model& model, const EncodeOptions& options);
  ~Embedder();

  int dimension() const;

  /// One vector per text, in order; equal whatever the batch holds.
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts);

  /// The llama_decode calls of the last embed(), in the order they ran.
  const std::vector<DecodeCall>& last_decode_calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Label probabilities from an encoder with a classifier head.
class SequenceClassifier {
 public:
  /// Throws shopsight::Error when `model` has no classifier head.
  SequenceClassifier(const Model& model, const EncodeOptions& options);
  ~SequenceClassifier();

  /// Labels in output order; "LABEL_<n>" where the model names none.
  const std::vector<std::string>& labels() const;

  /// One probability vector (softmax over the head's outputs, or a sigmoid
  /// when the head has a single output) per text.
  std::vector<std::vector<float>> classify(const std::vector<std::string>& texts);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One message of a chat prompt.
struct ChatMessage {
  std::string role;                       ///< system, user or assistant
  std::string content;
};

/// Settings of text generation.
struct GenerateOptions {
  int threads = 0;                        ///< CPU threads; 0 means every core
  int context = 4096;                     ///< tokens of prompt plus output
  int max_tokens = 512;                   ///< tokens generated at most
  float temperature = 0;                  ///< 0 picks the most likely token
  int top_k = 40;
  float top_p = 0.95f;
  std::uint32_t seed = 42;
};

/// Defaults for text generation.
GenerateOptions default_generate_options();

/// Generates text with a decoder model, optionally constrained by a GBNF
/// grammar so that every output parses.
class Generator {
 public:
  /// Throws shopsight::Error when `model` cannot generate (an encoder).
  Generator(const Model& model, const GenerateOptions& options);
  ~Generator();

  /// The prompt for `messages` in the model's chat template, ending where the
  /// assistant's answer begins.
  std::string apply_chat_template(const std::vector<ChatMessage>& messages) const;

  /// Removes the text of the model's control tokens (such as <|im_end|>) from
  /// untrusted text, because the prompt is tokenized with control tokens parsed
  /// and a review could otherwise close its turn and write instructions.
  std::string remove_control_tokens(std::string_view text) const;

  /// Continues `prompt`; with a non-empty `grammar` (GBNF, root rule "root")
  /// every token is sampled under it.
  std::string generate(const std::string& prompt, const std::string& grammar);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight::llm

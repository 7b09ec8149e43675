// Writes tiny GGUF models with seeded random weights that llama.cpp loads,
// so that tests and benchmarks run real inference without downloading a
// model. The weights mean nothing; the shapes, metadata and vocabularies are
// those of real models.
//
// Usage:
//   shopsight_make_test_model --kind KIND --vocab-dir DIR --out FILE [options]
//
//   --kind bert             BERT encoder, WordPiece vocabulary of bge plus the
//                           3,755 common Chinese characters of GB 2312 level 1
//                           as tokens of their own, mean pooling
//   --kind bert-classifier  the same plus a classifier head ("cls",
//                           "cls.output"), rank pooling and
//                           bert.classifier.output_labels
//   --kind llama            llama-architecture decoder with Qwen2's BPE
//                           vocabulary (covers Chinese) and a ChatML
//                           chat template
//   --vocab-dir DIR         folder of llama.cpp's ggml-vocab-*.gguf files
//   --out FILE              GGUF file to write
//   --layers N              transformer blocks (default 2)
//   --hidden N              embedding width (default 64)
//   --heads N               attention heads; must divide --hidden (default 4)
//   --ffn N                 feed-forward width (default 4 x hidden)
//   --context N             training context in tokens (default 512)
//   --seed N                random seed of the weights (default 1)
//   --labels A,B,C          classifier labels (default negative,neutral,positive)
//   --name TEXT             general.name (default "shopsight test KIND")
//
// The token embedding matrix (vocabulary x hidden) is stored in f16 to keep
// files small, and every other tensor is f32. The same arguments produce the
// same file with the same C++ standard library, whose normal distribution
// the weights come from.

#include <CLI/CLI.hpp>
#include <ggml.h>
#include <gguf.h>

#include <iconv.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

/// Command-line settings of one model.
struct Settings {
  std::string kind;
  std::string vocab_dir;
  std::string out;
  std::string name;
  std::string labels = "negative,neutral,positive";
  int layers = 2;
  int hidden = 64;
  int heads = 4;
  int ffn = 0;
  int context = 512;
  unsigned seed = 1;
};

// llama.cpp's pooling_type values (enum llama_pooling_type in llama.h).
constexpr std::uint32_t kPoolingMean = 1;
constexpr std::uint32_t kPoolingRank = 4;

// ChatML, the prompt format of Qwen2 instruct models: each message is
// "<|im_start|>ROLE\nCONTENT<|im_end|>\n", and the prompt ends by opening
// the assistant's message.
constexpr const char* kChatMlTemplate =
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/// Builds tensors with random contents in one ggml context and adds them to a GGUF context.
class TensorWriter {
 public:
  TensorWriter(gguf_context* gguf, std::size_t bytes, unsigned seed) : gguf_(gguf), random_(seed) {
    ggml_init_params params{};
    params.mem_size = bytes;
    params.mem_buffer = nullptr;
    params.no_alloc = false;
    context_ = ggml_init(params);
  }

  ~TensorWriter() { ggml_free(context_); }

  TensorWriter(const TensorWriter&) = delete;
  TensorWriter& operator=(const TensorWriter&) = delete;

  /// Adds a matrix of `columns` x `rows` (ggml order: ne0 = columns) drawn from N(0, std).
  void normal(const std::string& name, std::int64_t columns, std::int64_t rows, float stddev,
              ggml_type type = GGML_TYPE_F32) {
    ggml_tensor* tensor = rows > 0 ? ggml_new_tensor_2d(context_, type, columns, rows)
                                   : ggml_new_tensor_1d(context_, type, columns);
    std::normal_distribution<float> distribution(0.0f, stddev);
    fill(tensor, [&] { return distribution(random_); });
    add(name, tensor);
  }

  /// Adds a vector whose entries all equal `value` (layer norm weights and biases).
  void constant(const std::string& name, std::int64_t size, float value) {
    ggml_tensor* tensor = ggml_new_tensor_1d(context_, GGML_TYPE_F32, size);
    fill(tensor, [&] { return value; });
    add(name, tensor);
  }

  /// Bytes that a tensor of `elements` values of `type` takes, with ggml's bookkeeping.
  static std::size_t footprint(std::int64_t elements, ggml_type type) {
    return static_cast<std::size_t>(elements) * ggml_type_size(type) + ggml_tensor_overhead() + 64;
  }

 private:
  template <typename Generate>
  void fill(ggml_tensor* tensor, Generate generate) {
    const std::int64_t count = ggml_nelements(tensor);
    if (tensor->type == GGML_TYPE_F16) {
      auto* data = static_cast<ggml_fp16_t*>(tensor->data);
      for (std::int64_t i = 0; i < count; ++i) data[i] = ggml_fp32_to_fp16(generate());
    } else {
      auto* data = static_cast<float*>(tensor->data);
      for (std::int64_t i = 0; i < count; ++i) data[i] = generate();
    }
  }

  void add(const std::string& name, ggml_tensor* tensor) {
    ggml_set_name(tensor, name.c_str());
    gguf_add_tensor(gguf_, tensor);
  }

  gguf_context* gguf_;
  ggml_context* context_ = nullptr;
  std::mt19937_64 random_;
};

std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> labels;
  std::stringstream stream(text);
  std::string label;
  while (std::getline(stream, label, ',')) {
    if (!label.empty()) labels.push_back(label);
  }
  return labels;
}

// Copies every tokenizer.* key of a vocabulary-only GGUF file, which is what
// llama.cpp reads to build the tokenizer.
bool copy_tokenizer(gguf_context* out, const std::string& vocab_path) {
  gguf_init_params params{};
  params.no_alloc = true;
  params.ctx = nullptr;
  gguf_context* vocab = gguf_init_from_file(vocab_path.c_str(), params);
  if (vocab == nullptr) {
    std::fprintf(stderr, "make_test_model: cannot read the vocabulary file %s\n", vocab_path.c_str());
    return false;
  }

  gguf_set_kv(out, vocab);
  for (std::int64_t i = 0; i < gguf_get_n_kv(vocab); ++i) {
    const std::string key = gguf_get_key(vocab, i);
    if (!key.starts_with("tokenizer.")) gguf_remove_key(out, key.c_str());
  }
  gguf_free(vocab);
  return true;
}

// The 3,755 characters of GB 2312 level 1, the most common in Simplified
// Chinese, in UTF-8: row bytes 0xB0 to 0xD7, column bytes 0xA1 to 0xFE,
// where row 0xD7 stops at column 0xF9.
std::vector<std::string> common_chinese_characters() {
  std::vector<std::string> characters;
  iconv_t converter = iconv_open("UTF-8", "GB2312");
  if (converter == reinterpret_cast<iconv_t>(-1)) return characters;
  for (int row = 0xB0; row <= 0xD7; ++row) {
    for (int column = 0xA1; column <= (row == 0xD7 ? 0xF9 : 0xFE); ++column) {
      char input[2] = {static_cast<char>(row), static_cast<char>(column)};
      char output[8] = {};
      char* in = input;
      char* out = output;
      std::size_t in_left = sizeof input;
      std::size_t out_left = sizeof output;
      if (iconv(converter, &in, &in_left, &out, &out_left) != static_cast<std::size_t>(-1)) {
        characters.emplace_back(output, sizeof output - out_left);
      }
    }
  }
  iconv_close(converter);
  return characters;
}

// bge's WordPiece vocabulary is English BERT's and maps most Chinese
// characters to [UNK], so the BERT test models append the common ones as
// whole-word tokens. Existing token ids do not change.
void add_chinese_tokens(gguf_context* gguf) {
  const std::int64_t tokens_key = gguf_find_key(gguf, "tokenizer.ggml.tokens");
  const std::int64_t types_key = gguf_find_key(gguf, "tokenizer.ggml.token_type");
  const std::size_t count = gguf_get_arr_n(gguf, tokens_key);

  std::vector<std::string> tokens;
  std::unordered_set<std::string> known;
  for (std::size_t i = 0; i < count; ++i) {
    tokens.emplace_back(gguf_get_arr_str(gguf, tokens_key, i));
    known.insert(tokens.back());
  }
  const auto* type_data = static_cast<const std::int32_t*>(gguf_get_arr_data(gguf, types_key));
  std::vector<std::int32_t> types(type_data, type_data + count);

  // llama.cpp stores a WordPiece token that starts a word with a leading
  // U+2581 (the "##" continuations lose their prefix instead), and a
  // Chinese character always starts a word.
  constexpr std::int32_t kNormalToken = 1;  // LLAMA_TOKEN_TYPE_NORMAL
  for (const std::string& character : common_chinese_characters()) {
    const std::string token = "\xe2\x96\x81" + character;
    if (!known.insert(token).second) continue;
    tokens.push_back(token);
    types.push_back(kNormalToken);
  }

  std::vector<const char*> pointers;
  for (const std::string& token : tokens) pointers.push_back(token.c_str());
  gguf_set_arr_str(gguf, "tokenizer.ggml.tokens", pointers.data(), pointers.size());
  gguf_set_arr_data(gguf, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types.data(), types.size());
}

std::int64_t vocabulary_size(const gguf_context* gguf) {
  const std::int64_t key = gguf_find_key(gguf, "tokenizer.ggml.tokens");
  return key < 0 ? 0 : static_cast<std::int64_t>(gguf_get_arr_n(gguf, key));
}

void write_bert(gguf_context* gguf, const Settings& settings, bool classifier) {
  add_chinese_tokens(gguf);
  const std::int64_t hidden = settings.hidden;
  const std::int64_t ffn = settings.ffn;
  const std::int64_t vocab = vocabulary_size(gguf);
  const std::vector<std::string> labels = split_labels(settings.labels);

  gguf_set_val_str(gguf, "general.architecture", "bert");
  gguf_set_val_u32(gguf, "bert.block_count", static_cast<std::uint32_t>(settings.layers));
  gguf_set_val_u32(gguf, "bert.context_length", static_cast<std::uint32_t>(settings.context));
  gguf_set_val_u32(gguf, "bert.embedding_length", static_cast<std::uint32_t>(hidden));
  gguf_set_val_u32(gguf, "bert.feed_forward_length", static_cast<std::uint32_t>(ffn));
  gguf_set_val_u32(gguf, "bert.attention.head_count", static_cast<std::uint32_t>(settings.heads));
  gguf_set_val_f32(gguf, "bert.attention.layer_norm_epsilon", 1e-12f);
  gguf_set_val_bool(gguf, "bert.attention.causal", false);
  gguf_set_val_u32(gguf, "bert.pooling_type", classifier ? kPoolingRank : kPoolingMean);
  if (classifier) {
    std::vector<const char*> names;
    for (const std::string& label : labels) names.push_back(label.c_str());
    gguf_set_arr_str(gguf, "bert.classifier.output_labels", names.data(), names.size());
  }

  const auto layer_elements = 4 * (hidden * hidden + hidden) + 2 * hidden * ffn + ffn + 5 * hidden;
  std::size_t bytes = TensorWriter::footprint(hidden * vocab, GGML_TYPE_F16) +
                      TensorWriter::footprint(hidden * (settings.context + 2), GGML_TYPE_F32) +
                      settings.layers * (TensorWriter::footprint(layer_elements, GGML_TYPE_F32) + 16 * 512) +
                      TensorWriter::footprint(hidden * (hidden + 4 + static_cast<std::int64_t>(labels.size())),
                                              GGML_TYPE_F32) +
                      (1 << 20);
  TensorWriter tensors(gguf, bytes, settings.seed);

  const float stddev = 0.02f;
  tensors.normal("token_embd.weight", hidden, vocab, stddev, GGML_TYPE_F16);
  tensors.normal("token_types.weight", hidden, 2, stddev);
  tensors.normal("position_embd.weight", hidden, settings.context, stddev);
  tensors.constant("token_embd_norm.weight", hidden, 1.0f);
  tensors.constant("token_embd_norm.bias", hidden, 0.0f);

  for (int layer = 0; layer < settings.layers; ++layer) {
    const std::string prefix = "blk." + std::to_string(layer) + ".";
    for (const char* part : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      tensors.normal(prefix + part + ".weight", hidden, hidden, stddev);
      tensors.normal(prefix + part + ".bias", hidden, 0, stddev);
    }
    tensors.constant(prefix + "attn_output_norm.weight", hidden, 1.0f);
    tensors.constant(prefix + "attn_output_norm.bias", hidden, 0.0f);
    tensors.normal(prefix + "ffn_up.weight", hidden, ffn, stddev);
    tensors.normal(prefix + "ffn_up.bias", ffn, 0, stddev);
    tensors.normal(prefix + "ffn_down.weight", ffn, hidden, stddev);
    tensors.normal(prefix + "ffn_down.bias", hidden, 0, stddev);
    tensors.constant(prefix + "layer_output_norm.weight", hidden, 1.0f);
    tensors.constant(prefix + "layer_output_norm.bias", hidden, 0.0f);
  }

  // The head is a dense layer with tanh, then the projection to the labels;
  // a larger spread than the body's keeps the label scores apart.
  if (classifier) {
    tensors.normal("cls.weight", hidden, hidden, 0.2f);
    tensors.normal("cls.bias", hidden, 0, 0.02f);
    tensors.normal("cls.output.weight", hidden, static_cast<std::int64_t>(labels.size()), 0.5f);
    tensors.normal("cls.output.bias", static_cast<std::int64_t>(labels.size()), 0, 0.1f);
  }

  if (!gguf_write_to_file(gguf, settings.out.c_str(), false)) {
    std::fprintf(stderr, "make_test_model: cannot write %s\n", settings.out.c_str());
    std::exit(1);
  }
}

void write_llama(gguf_context* gguf, const Settings& settings) {
  const std::int64_t hidden = settings.hidden;
  const std::int64_t ffn = settings.ffn;
  const std::int64_t vocab = vocabulary_size(gguf);
  const std::int64_t head_size = hidden / settings.heads;

  gguf_set_val_str(gguf, "general.architecture", "llama");
  gguf_set_val_u32(gguf, "llama.block_count", static_cast<std::uint32_t>(settings.layers));
  gguf_set_val_u32(gguf, "llama.context_length", static_cast<std::uint32_t>(settings.context));
  gguf_set_val_u32(gguf, "llama.embedding_length", static_cast<std::uint32_t>(hidden));
  gguf_set_val_u32(gguf, "llama.feed_forward_length", static_cast<std::uint32_t>(ffn));
  gguf_set_val_u32(gguf, "llama.attention.head_count", static_cast<std::uint32_t>(settings.heads));
  gguf_set_val_u32(gguf, "llama.attention.head_count_kv", static_cast<std::uint32_t>(settings.heads));
  gguf_set_val_u32(gguf, "llama.rope.dimension_count", static_cast<std::uint32_t>(head_size));
  gguf_set_val_u32(gguf, "llama.vocab_size", static_cast<std::uint32_t>(vocab));
  gguf_set_val_f32(gguf, "llama.rope.freq_base", 10000.0f);
  gguf_set_val_f32(gguf, "llama.attention.layer_norm_rms_epsilon", 1e-6f);
  gguf_set_val_str(gguf, "tokenizer.chat_template", kChatMlTemplate);

  const auto layer_elements = 4 * hidden * hidden + 3 * hidden * ffn + 2 * hidden;
  std::size_t bytes = TensorWriter::footprint(hidden * vocab, GGML_TYPE_F16) +
                      settings.layers * (TensorWriter::footprint(layer_elements, GGML_TYPE_F32) + 10 * 512) +
                      (1 << 20);
  TensorWriter tensors(gguf, bytes, settings.seed);

  // The output projection is tied to the token embedding, as in small Qwen2
  // models, so llama.cpp reuses token_embd and the file stays small.
  const float stddev = 0.02f;
  tensors.normal("token_embd.weight", hidden, vocab, stddev, GGML_TYPE_F16);
  tensors.constant("output_norm.weight", hidden, 1.0f);
  for (int layer = 0; layer < settings.layers; ++layer) {
    const std::string prefix = "blk." + std::to_string(layer) + ".";
    tensors.constant(prefix + "attn_norm.weight", hidden, 1.0f);
    for (const char* part : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      tensors.normal(prefix + part + ".weight", hidden, hidden, stddev);
    }
    tensors.constant(prefix + "ffn_norm.weight", hidden, 1.0f);
    tensors.normal(prefix + "ffn_gate.weight", hidden, ffn, stddev);
    tensors.normal(prefix + "ffn_up.weight", hidden, ffn, stddev);
    tensors.normal(prefix + "ffn_down.weight", ffn, hidden, stddev);
  }

  if (!gguf_write_to_file(gguf, settings.out.c_str(), false)) {
    std::fprintf(stderr, "make_test_model: cannot write %s\n", settings.out.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Writes a tiny GGUF model with seeded random weights for tests and benchmarks"};
  app.add_option("--kind", settings.kind, "bert, bert-classifier or llama")
      ->required()
      ->check(CLI::IsMember({"bert", "bert-classifier", "llama"}));
  app.add_option("--vocab-dir", settings.vocab_dir, "folder of llama.cpp's ggml-vocab-*.gguf files")->required();
  app.add_option("--out", settings.out, "GGUF file to write")->required();
  app.add_option("--layers", settings.layers, "transformer blocks")->check(CLI::Range(1, 64));
  app.add_option("--hidden", settings.hidden, "embedding width")->check(CLI::Range(8, 8192));
  app.add_option("--heads", settings.heads, "attention heads")->check(CLI::Range(1, 128));
  app.add_option("--ffn", settings.ffn, "feed-forward width (default 4 x hidden)")->check(CLI::Range(0, 65536));
  app.add_option("--context", settings.context, "training context in tokens")->check(CLI::Range(8, 131072));
  app.add_option("--seed", settings.seed, "random seed of the weights");
  app.add_option("--labels", settings.labels, "comma-separated classifier labels");
  app.add_option("--name", settings.name, "general.name");
  CLI11_PARSE(app, argc, argv);

  if (settings.hidden % settings.heads != 0) {
    std::fprintf(stderr, "make_test_model: --heads %d does not divide --hidden %d\n", settings.heads, settings.hidden);
    return 2;
  }
  if (settings.ffn == 0) settings.ffn = 4 * settings.hidden;
  if (settings.kind == "bert-classifier" && split_labels(settings.labels).empty()) {
    std::fprintf(stderr, "make_test_model: --labels names no label\n");
    return 2;
  }
  if (settings.name.empty()) settings.name = "shopsight test " + settings.kind;

  const bool decoder = settings.kind == "llama";
  const std::string vocab_path =
      (std::filesystem::path(settings.vocab_dir) / (decoder ? "ggml-vocab-qwen2.gguf" : "ggml-vocab-bert-bge.gguf"))
          .string();

  gguf_context* gguf = gguf_init_empty();
  if (!copy_tokenizer(gguf, vocab_path)) return 1;
  gguf_set_val_str(gguf, "general.name", settings.name.c_str());
  gguf_set_val_u32(gguf, "general.file_type", 1);  // LLAMA_FTYPE_MOSTLY_F16: the largest tensor is f16

  if (decoder) {
    write_llama(gguf, settings);
  } else {
    write_bert(gguf, settings, settings.kind == "bert-classifier");
  }
  gguf_free(gguf);
  return 0;
}

#include <llama.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "llm/llm.h"

namespace shopsight::llm {
namespace {

// Owns a sampler chain; llama.cpp frees the samplers added to a chain with it.
struct SamplerDeleter {
  void operator()(llama_sampler* sampler) const { llama_sampler_free(sampler); }
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

struct ContextDeleter {
  void operator()(llama_context* context) const { llama_free(context); }
};
using ContextPtr = std::unique_ptr<llama_context, ContextDeleter>;

// Position in a UTF-8 byte stream: the continuation bytes still expected and
// the range the next one must fall in (RFC 3629 table 3-7), which excludes
// overlong forms, surrogates and code points above U+10FFFF.
struct Utf8Cursor {
  int remaining = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;

  /// Consumes one byte; false when the byte makes the stream ill-formed.
  bool advance(unsigned char byte) {
    if (remaining > 0) {
      if (byte < low || byte > high) return false;
      --remaining;
      low = 0x80;
      high = 0xBF;
      return true;
    }
    if (byte < 0x80) return true;
    if (byte >= 0xC2 && byte <= 0xDF) return expect(1, 0x80, 0xBF);
    if (byte == 0xE0) return expect(2, 0xA0, 0xBF);
    if (byte == 0xED) return expect(2, 0x80, 0x9F);
    if (byte >= 0xE1 && byte <= 0xEF) return expect(2, 0x80, 0xBF);
    if (byte == 0xF0) return expect(3, 0x90, 0xBF);
    if (byte >= 0xF1 && byte <= 0xF3) return expect(3, 0x80, 0xBF);
    if (byte == 0xF4) return expect(3, 0x80, 0x8F);
    return false;
  }

  /// Checks whether appending `text` keeps the stream a well-formed UTF-8 prefix.
  bool accepts(std::string_view text) const {
    Utf8Cursor copy = *this;
    for (const char c : text) {
      if (!copy.advance(static_cast<unsigned char>(c))) return false;
    }
    return true;
  }

 private:
  bool expect(int count, unsigned char first_low, unsigned char first_high) {
    remaining = count;
    low = first_low;
    high = first_high;
    return true;
  }
};

// Moves the tokens that a sampler left finite to the front; returns their count.
std::size_t keep_allowed(llama_token_data* data, std::size_t size) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (std::isfinite(data[i].logit)) data[kept++] = data[i];
  }
  return kept;
}

int default_thread_count() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace

GenerateOptions default_generate_options() { return GenerateOptions{}; }

struct Generator::Impl {
  const Model* model = nullptr;
  llama_model* handle = nullptr;
  const llama_vocab* vocab = nullptr;
  GenerateOptions options;
  ContextPtr context;

  std::vector<llama_token_data> candidates;  ///< reused across steps to avoid a vocabulary-sized allocation
  std::vector<llama_token_data> probes;      ///< one single-byte token per byte value that has one

  /// Text of every token and its first byte (-1 for tokens without text);
  /// built on the first call with a grammar.
  std::vector<std::string> token_texts;
  std::vector<std::int16_t> first_byte;

  /// UTF-8 state of the output so far. GBNF works on code points, and
  /// llama.cpp's grammar decodes bytes leniently, so without this check a
  /// byte-level vocabulary can write overlong forms or surrogates that JSON
  /// parsers reject.
  Utf8Cursor utf8;

  /// Token whose whole text is byte b, or LLAMA_TOKEN_NULL.
  std::vector<llama_token> byte_token;

  /// Work counts of one call, for the debug log.
  struct SampleCounts {
    int tokens = 0;
    int full_checks = 0;                    ///< steps where the grammar checked past the most likely tokens
  };

  void index_first_bytes();
  void reject_ill_formed(llama_token_data* data, std::size_t size) const;
  std::size_t check_rest(llama_sampler* grammar, std::size_t window, std::size_t vocabulary);

  SamplerPtr make_grammar(const std::string& grammar) const;
  SamplerPtr make_chain() const;
  llama_token sample(llama_sampler* grammar, llama_sampler* chain, SampleCounts& counts);
  std::vector<llama_token> tokenize_prompt(const std::string& prompt) const;
  std::string piece(llama_token token) const;

  /// Texts that the prompt tokenizer turns into control tokens, longest first.
  std::vector<std::string> control_texts;
};

Generator::Generator(const Model& model, const GenerateOptions& options) : impl_(std::make_unique<Impl>()) {
  const ModelInfo& info = model.info();

  // llama.cpp reports BERT models as decoders too, so the metadata that
  // llm::Model reads decides: an encoder cannot continue a prompt.
  if (!info.has_decoder || info.has_encoder) {
    throw Error(tr("The model {} cannot generate text because it is an encoder ({}); use a decoder model such as Qwen or Llama.",
                   info.path, info.architecture));
  }
  if (options.context <= 0) {
    throw Error(tr("The LLM context must be a positive number of tokens, got {}.", options.context));
  }
  if (options.max_tokens <= 0) {
    throw Error(tr("The maximum number of generated tokens must be positive, got {}.", options.max_tokens));
  }

  impl_->model = &model;
  impl_->handle = static_cast<llama_model*>(model.handle());
  impl_->vocab = llama_model_get_vocab(impl_->handle);
  impl_->options = options;

  // Control tokens, and user-defined ones written as markup like <|x|>, are
  // the texts that the prompt tokenizer parses as special tokens.
  const std::int32_t vocabulary = llama_vocab_n_tokens(impl_->vocab);
  for (llama_token token = 0; token < vocabulary; ++token) {
    const auto attributes = static_cast<int>(llama_vocab_get_attr(impl_->vocab, token));
    const std::string text = llama_vocab_get_text(impl_->vocab, token);
    const bool markup = text.size() > 2 && text.front() == '<' && text.back() == '>';
    const bool control = (attributes & LLAMA_TOKEN_ATTR_CONTROL) != 0;
    const bool user_defined = (attributes & LLAMA_TOKEN_ATTR_USER_DEFINED) != 0;
    if (!text.empty() && (control || (user_defined && markup))) impl_->control_texts.push_back(text);
  }
  std::sort(impl_->control_texts.begin(), impl_->control_texts.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });

  llama_context_params params = llama_context_default_params();
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  params.n_ctx = static_cast<std::uint32_t>(options.context);
  params.n_batch = static_cast<std::uint32_t>(options.context);
  params.n_ubatch = static_cast<std::uint32_t>(std::min(options.context, 512));
  params.n_seq_max = 1;
  params.n_threads = threads;
  params.n_threads_batch = threads;
  params.no_perf = true;
  impl_->context.reset(llama_init_from_model(impl_->handle, params));
  if (!impl_->context) {
    throw Error(tr("Failed to create a llama.cpp context of {} tokens for {}; try a smaller --llm-context.",
                   options.context, info.path));
  }
}

Generator::~Generator() = default;

std::string Generator::remove_control_tokens(std::string_view text) const {
  // Removal repeats until nothing is found, so that a control token split by
  // another one ("<|im_<|im_end|>end|>") cannot reassemble.
  std::string cleaned(text);
  bool removed = true;
  while (removed) {
    removed = false;
    for (const std::string& control : impl_->control_texts) {
      for (auto at = cleaned.find(control); at != std::string::npos; at = cleaned.find(control, at)) {
        cleaned.erase(at, control.size());
        removed = true;
      }
    }
  }
  return cleaned;
}

std::string Generator::apply_chat_template(const std::vector<ChatMessage>& messages) const {
  const char* chat_template = llama_model_chat_template(impl_->handle, nullptr);
  if (chat_template == nullptr || chat_template[0] == '\0') {
    throw Error(tr("The model {} has no chat template (tokenizer.chat_template); use an instruction-tuned model.",
                   impl_->model->info().path));
  }

  std::vector<llama_chat_message> chat;
  std::size_t total_bytes = 0;
  for (const ChatMessage& message : messages) {
    chat.push_back({message.role.c_str(), message.content.c_str()});
    total_bytes += message.role.size() + message.content.size();
  }

  // The first call may report a larger size than the buffer holds; the
  // second then writes the whole prompt.
  std::vector<char> buffer(2 * total_bytes + 256);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::int32_t written = llama_chat_apply_template(chat_template, chat.data(), chat.size(), true,
                                                           buffer.data(), static_cast<std::int32_t>(buffer.size()));
    if (written < 0) {
      throw Error(tr("The chat template of {} is not one that llama.cpp supports; use a model with a standard template such as ChatML.",
                     impl_->model->info().path));
    }
    if (static_cast<std::size_t>(written) <= buffer.size()) {
      return std::string(buffer.data(), static_cast<std::size_t>(written));
    }
    buffer.resize(static_cast<std::size_t>(written));
  }
  throw Error(tr("The chat template of {} is not one that llama.cpp supports; use a model with a standard template such as ChatML.",
                 impl_->model->info().path));
}

SamplerPtr Generator::Impl::make_grammar(const std::string& grammar) const {
  if (grammar.empty()) return nullptr;
  SamplerPtr constrained(llama_sampler_init_grammar(vocab, grammar.c_str(), "root"));
  if (!constrained) {
    throw Error(tr("The output grammar is invalid GBNF (its root rule must be named \"root\"); see the llama.cpp log above for the line at fault."));
  }
  return constrained;
}

SamplerPtr Generator::Impl::make_chain() const {
  SamplerPtr chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
  if (options.temperature <= 0) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    return chain;
  }
  if (options.top_k > 0) llama_sampler_chain_add(chain.get(), llama_sampler_init_top_k(options.top_k));
  if (options.top_p > 0 && options.top_p < 1) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(options.top_p, 1));
  }
  llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(options.temperature));
  llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(options.seed));
  return chain;
}

// Samples the next token as the chain "grammar, top-k, top-p, temperature,
// dist" would, without checking the whole vocabulary against the grammar at
// every step. Top-k keeps only the k most likely tokens that the grammar
// allows. When k of them are among the most likely `window` tokens, the
// tokens below cannot change the result, so the grammar checks the rest of
// the vocabulary only when the window has fewer.
llama_token Generator::Impl::sample(llama_sampler* grammar, llama_sampler* chain, SampleCounts& counts) {
  const float* logits = llama_get_logits_ith(context.get(), -1);
  const auto vocabulary = static_cast<std::size_t>(llama_vocab_n_tokens(vocab));
  candidates.resize(vocabulary);
  for (std::size_t i = 0; i < vocabulary; ++i) {
    candidates[i] = {static_cast<llama_token>(i), logits[i], 0.0f};
  }

  std::size_t count = vocabulary;
  if (grammar != nullptr) {
    std::size_t needed = vocabulary;
    if (options.temperature <= 0) {
      needed = 1;
    } else if (options.top_k > 0) {
      needed = static_cast<std::size_t>(options.top_k);
    }
    const std::size_t window = std::min(vocabulary, std::max<std::size_t>(256, 4 * needed));
    auto by_logit = [](const llama_token_data& a, const llama_token_data& b) { return a.logit > b.logit; };
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(window) - 1,
                     candidates.end(), by_logit);

    llama_token_data_array head{candidates.data(), window, -1, false};
    llama_sampler_apply(grammar, &head);
    if (first_byte.empty()) index_first_bytes();
    reject_ill_formed(candidates.data(), window);
    std::size_t allowed = keep_allowed(candidates.data(), window);
    if (allowed < needed && window < vocabulary) {
      ++counts.full_checks;
      const std::size_t more = check_rest(grammar, window, vocabulary);
      std::move(candidates.begin() + static_cast<std::ptrdiff_t>(window),
                candidates.begin() + static_cast<std::ptrdiff_t>(window + more),
                candidates.begin() + static_cast<std::ptrdiff_t>(allowed));
      allowed += more;
    }
    count = allowed;
    if (count == 0) return LLAMA_TOKEN_NULL;
  }

  llama_token_data_array array{candidates.data(), count, -1, false};
  llama_sampler_apply(chain, &array);
  const llama_token token = array.data[array.selected].id;
  if (grammar != nullptr) {
    llama_sampler_accept(grammar, token);
    if (!llama_vocab_is_eog(vocab, token)) {
      for (const char c : token_texts[static_cast<std::size_t>(token)]) utf8.advance(static_cast<unsigned char>(c));
    }
  }
  llama_sampler_accept(chain, token);
  return token;
}

void Generator::Impl::index_first_bytes() {
  const auto vocabulary = static_cast<std::size_t>(llama_vocab_n_tokens(vocab));
  token_texts.resize(vocabulary);
  first_byte.assign(vocabulary, -1);
  byte_token.assign(256, LLAMA_TOKEN_NULL);
  for (std::size_t id = 0; id < vocabulary; ++id) {
    token_texts[id] = piece(static_cast<llama_token>(id));
    const std::string& text = token_texts[id];
    if (text.empty()) continue;
    const auto lead = static_cast<unsigned char>(text[0]);
    first_byte[id] = lead;
    if (text.size() == 1 && byte_token[lead] == LLAMA_TOKEN_NULL) byte_token[lead] = static_cast<llama_token>(id);
  }
}

void Generator::Impl::reject_ill_formed(llama_token_data* data, std::size_t size) const {
  for (std::size_t i = 0; i < size; ++i) {
    if (!std::isfinite(data[i].logit) || llama_vocab_is_eog(vocab, data[i].id)) continue;
    if (!utf8.accepts(token_texts[static_cast<std::size_t>(data[i].id)])) data[i].logit = -INFINITY;
  }
}

// Checks the candidates after the first `window` against the grammar and
// moves the allowed ones right after the window; returns their count.
//
// A token can only be allowed when its first byte is, so the grammar first
// checks the single-byte tokens and then only the tokens that start with an
// allowed byte. At a position where the grammar expects punctuation this
// skips nearly all of the vocabulary. Bytes without a single-byte token, and
// tokens without text (end-of-generation tokens among them), are always
// checked.
std::size_t Generator::Impl::check_rest(llama_sampler* grammar, std::size_t window, std::size_t vocabulary) {
  if (first_byte.empty()) index_first_bytes();

  probes.clear();
  for (std::size_t b = 0; b < 256; ++b) {
    if (byte_token[b] != LLAMA_TOKEN_NULL) probes.push_back({byte_token[b], 0.0f, 0.0f});
  }
  llama_token_data_array probe_array{probes.data(), probes.size(), -1, false};
  llama_sampler_apply(grammar, &probe_array);

  std::array<bool, 256> byte_allowed{};
  byte_allowed.fill(true);
  for (const llama_token_data& probe : probes) {
    const auto lead = static_cast<std::size_t>(first_byte[static_cast<std::size_t>(probe.id)]);
    byte_allowed[lead] = std::isfinite(probe.logit);
  }

  std::size_t kept = window;
  for (std::size_t i = window; i < vocabulary; ++i) {
    const std::int16_t lead = first_byte[static_cast<std::size_t>(candidates[i].id)];
    if (lead < 0 || byte_allowed[static_cast<std::size_t>(lead)]) candidates[kept++] = candidates[i];
  }

  llama_token_data_array rest{candidates.data() + window, kept - window, -1, false};
  llama_sampler_apply(grammar, &rest);
  reject_ill_formed(candidates.data() + window, kept - window);
  return keep_allowed(candidates.data() + window, kept - window);
}

std::vector<llama_token> Generator::Impl::tokenize_prompt(const std::string& prompt) const {
  // Chat templates write control tokens such as <|im_start|> as text, so
  // they are parsed as special tokens. Templates that already begin with the
  // BOS text get no second one.
  bool add_bos = true;
  const llama_token bos = llama_vocab_bos(vocab);
  if (bos != LLAMA_TOKEN_NULL) {
    const std::string bos_text = llama_vocab_get_text(vocab, bos);
    add_bos = bos_text.empty() || prompt.rfind(bos_text, 0) != 0;
  }

  const auto length = static_cast<std::int32_t>(prompt.size());
  std::vector<llama_token> tokens(prompt.size() + 2);
  std::int32_t count = llama_tokenize(vocab, prompt.data(), length, tokens.data(),
                                      static_cast<std::int32_t>(tokens.size()), add_bos, true);
  if (count < 0) {
    tokens.resize(static_cast<std::size_t>(-count));
    count = llama_tokenize(vocab, prompt.data(), length, tokens.data(), static_cast<std::int32_t>(tokens.size()),
                           add_bos, true);
  }
  tokens.resize(static_cast<std::size_t>(std::max(count, 0)));
  return tokens;
}

// Control tokens are rendered as their text, which is what llama.cpp's
// grammar checks, so the output is exactly the text that the grammar accepted.
std::string Generator::Impl::piece(llama_token token) const {
  char small[64];
  const std::int32_t length = llama_token_to_piece(vocab, token, small, sizeof(small), 0, true);
  if (length >= 0) return std::string(small, static_cast<std::size_t>(length));

  std::string large(static_cast<std::size_t>(-length), '\0');
  const std::int32_t written = llama_token_to_piece(vocab, token, large.data(), -length, 0, true);
  large.resize(static_cast<std::size_t>(std::max(written, 0)));
  return large;
}

std::string Generator::generate(const std::string& prompt, const std::string& grammar) {
  Impl& impl = *impl_;
  llama_context* context = impl.context.get();

  // Each call starts from an empty cache and fresh samplers (seeded again),
  // so the output depends only on the prompt, the grammar and the options.
  llama_memory_clear(llama_get_memory(context), true);
  impl.utf8 = Utf8Cursor{};
  SamplerPtr constrained = impl.make_grammar(grammar);
  SamplerPtr chain = impl.make_chain();
  const auto started = std::chrono::steady_clock::now();

  std::vector<llama_token> tokens = impl.tokenize_prompt(prompt);
  const int context_tokens = static_cast<int>(llama_n_ctx(context));
  const int prompt_tokens = static_cast<int>(tokens.size());
  if (prompt_tokens == 0) {
    throw Error(tr("The prompt is empty; check the prompt files."));
  }
  if (prompt_tokens + impl.options.max_tokens > context_tokens) {
    throw Error(tr("The prompt has {} tokens, and with up to {} generated tokens it does not fit the context of {} tokens; raise --llm-context or shorten the prompt.",
                   prompt_tokens, impl.options.max_tokens, context_tokens));
  }

  if (llama_decode(context, llama_batch_get_one(tokens.data(), prompt_tokens)) != 0) {
    throw Error(tr("llama.cpp failed to decode the prompt of {} tokens.", prompt_tokens));
  }

  std::string output;
  Impl::SampleCounts counts;
  for (; counts.tokens < impl.options.max_tokens; ++counts.tokens) {
    llama_token token = impl.sample(constrained.get(), chain.get(), counts);
    if (token == LLAMA_TOKEN_NULL || llama_vocab_is_eog(impl.vocab, token)) break;

    output += impl.piece(token);
    if (llama_decode(context, llama_batch_get_one(&token, 1)) != 0) {
      throw Error(tr("llama.cpp failed to decode a generated token after {} tokens.", counts.tokens));
    }
  }

  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  spdlog::debug("generated {} tokens after a {}-token prompt in {:.0f} ms; {} steps checked the whole vocabulary",
                counts.tokens, prompt_tokens, elapsed.count(), counts.full_checks);
  return output;
}

}  // namespace shopsight::llm

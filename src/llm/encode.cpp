// Embedder and SequenceClassifier: both run an encoder over many texts at
// once and read one pooled vector per text.

#include <llama.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"
#include "common/i18n.h"
#include "llm/internal.h"
#include "llm/llm.h"

namespace shopsight::llm {
namespace {

// Owns a llama.cpp context with embeddings on and splits texts into batches
// that it can decode.
class EncoderContext {
 public:
  EncoderContext(const Model& model, const EncodeOptions& options, enum llama_pooling_type pooling)
      : model_(model) {
    detail::ensure_backend();
    const ModelInfo& info = model.info();

    // Positions past the training context have no learned embedding in a
    // BERT, so a longer context is cut to it.
    context_ = options.context > 0 ? options.context : info.context_length;
    if (info.context_length > 0) context_ = std::min(context_, info.context_length);
    if (context_ <= 0) context_ = 512;

    group_by_length_ = options.group_by_length;
    max_sequences_ = std::clamp(options.max_sequences, 1, static_cast<int>(llama_max_parallel_sequences()));
    decode_tokens_ = std::clamp(options.decode_tokens, 1, context_ * max_sequences_);

    // An encoder processes all tokens of one llama_decode call in a single
    // micro-batch, so the micro-batch must fit the longest text even when
    // calls are planned smaller.
    int ubatch_tokens = std::max(decode_tokens_, context_);

    // An encoder has no KV cache, so n_ctx only sizes the compute graph that
    // llama.cpp reserves: min(n_ctx, n_ubatch) tokens split evenly over
    // n_seq_max sequences, failing when they do not divide. llama.cpp also
    // pads each sequence's share of n_ctx to 256 and warns when n_ctx is not
    // that share times n_seq_max, so n_ctx is built that way.
    ubatch_tokens = (ubatch_tokens + max_sequences_ - 1) / max_sequences_ * max_sequences_;
    const int share = (ubatch_tokens / max_sequences_ + 255) / 256 * 256;

    llama_context_params params = llama_context_default_params();
    params.n_ctx = static_cast<std::uint32_t>(share * max_sequences_);
    params.n_batch = static_cast<std::uint32_t>(ubatch_tokens);
    params.n_ubatch = static_cast<std::uint32_t>(ubatch_tokens);
    params.n_seq_max = static_cast<std::uint32_t>(max_sequences_);
    params.kv_unified = false;
    params.n_threads = detail::resolve_threads(options.threads);
    params.n_threads_batch = params.n_threads;
    params.embeddings = true;
    params.pooling_type = pooling;
    params.attention_type = LLAMA_ATTENTION_TYPE_NON_CAUSAL;
    params.flash_attn_type = options.flash_attention ? LLAMA_FLASH_ATTN_TYPE_AUTO : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.no_perf = true;

    context_handle_ = llama_init_from_model(detail::model_pointer(model), params);
    if (context_handle_ == nullptr) {
      throw Error(tr("llama.cpp could not create a context for {} with {} tokens per text and {} tokens per "
                     "batch. Lower the batch size or the context, or free memory.",
                     info.path, context_, ubatch_tokens));
    }
    output_size_ = pooling == LLAMA_POOLING_TYPE_RANK
                       ? static_cast<int>(llama_model_n_cls_out(detail::model_pointer(model)))
                       : llama_model_n_embd_out(detail::model_pointer(model));

    // Every call reuses this batch, because llama_batch_init allocates a
    // sequence id array per token.
    batch_ = llama_batch_init(ubatch_tokens, 0, 1);
  }

  ~EncoderContext() {
    llama_batch_free(batch_);
    llama_free(context_handle_);
  }

  EncoderContext(const EncoderContext&) = delete;
  EncoderContext& operator=(const EncoderContext&) = delete;

  int output_size() const { return output_size_; }

  const std::vector<DecodeCall>& last_calls() const { return calls_; }

  /// Encodes `texts` and returns one pooled output per text, in input order.
  std::vector<std::vector<float>> run(const std::vector<std::string>& texts) {
    std::vector<std::vector<llama_token>> tokens = tokenize_all(texts);
    std::vector<std::vector<float>> outputs(texts.size());
    std::vector<std::size_t> token_counts;
    token_counts.reserve(tokens.size());
    for (const std::vector<llama_token>& text : tokens) token_counts.push_back(text.size());
    calls_ = plan_decode_calls(token_counts, static_cast<std::size_t>(decode_tokens_),
                               static_cast<std::size_t>(max_sequences_), group_by_length_);

    // llama.cpp (the version scripts/build-llama-cpp.sh pins) reallocates and
    // clears its output buffer whenever a call has more tokens than any before.
    // That buffer has room for vocabulary logits of every token even with
    // embeddings on (n_vocab floats per token), so calls in ascending length
    // order would regrow it call after call. The largest call goes first.
    const auto largest = std::max_element(calls_.begin(), calls_.end(),
                                          [](const DecodeCall& a, const DecodeCall& b) { return a.tokens < b.tokens; });
    if (largest != calls_.end()) std::iter_swap(calls_.begin(), largest);

    for (const DecodeCall& call : calls_) decode(call, tokens, outputs);
    return outputs;
  }

 private:
  std::vector<std::vector<llama_token>> tokenize_all(const std::vector<std::string>& texts) const {
    const llama_vocab* vocab = llama_model_get_vocab(detail::model_pointer(model_));
    const bool keeps_last = llama_vocab_get_add_eos(vocab) || llama_vocab_get_add_sep(vocab);
    const auto limit = static_cast<std::size_t>(context_);

    std::vector<std::vector<llama_token>> all;
    all.reserve(texts.size());
    std::size_t cut = 0;
    for (const std::string& text : texts) {
      std::vector<llama_token> tokens = model_.tokenize(text, true);

      // Cut the middle of the token list away so that the end token ([SEP]
      // in a BERT) that pooling and heads were trained with stays last.
      if (tokens.size() > limit) {
        const llama_token last = tokens.back();
        tokens.resize(limit);
        if (keeps_last) tokens.back() = last;
        ++cut;
      }
      if (tokens.empty()) tokens.push_back(llama_vocab_bos(vocab));
      all.push_back(std::move(tokens));
    }

    if (cut > 0) {
      spdlog::warn("{} of {} texts are longer than the context of {} tokens; their ends were cut", cut,
                   texts.size(), context_);
    }
    return all;
  }

  void decode(const DecodeCall& plan, const std::vector<std::vector<llama_token>>& tokens,
              std::vector<std::vector<float>>& outputs) {
    batch_.n_tokens = 0;
    for (std::size_t slot = 0; slot < plan.texts.size(); ++slot) {
      const std::vector<llama_token>& text = tokens[plan.texts[slot]];
      for (std::size_t position = 0; position < text.size(); ++position) {
        const auto i = static_cast<std::size_t>(batch_.n_tokens);
        batch_.token[i] = text[position];
        batch_.pos[i] = static_cast<llama_pos>(position);
        batch_.n_seq_id[i] = 1;
        batch_.seq_id[i][0] = static_cast<llama_seq_id>(slot);
        batch_.logits[i] = 1;
        ++batch_.n_tokens;
      }
    }

    // A model with a KV cache keeps the previous batch's sequences under the
    // same ids; an encoder has none.
    if (llama_memory_t memory = llama_get_memory(context_handle_); memory != nullptr) {
      llama_memory_clear(memory, true);
    }
    const std::int32_t status = llama_decode(context_handle_, batch_);
    if (status != 0) {
      throw Error(tr("llama.cpp failed to encode a batch of {} texts ({} tokens) with {} (status {}). "
                     "llama.cpp's own error is logged above.",
                     plan.texts.size(), plan.tokens, model_.info().path, status));
    }

    for (std::size_t slot = 0; slot < plan.texts.size(); ++slot) {
      const float* pooled = llama_get_embeddings_seq(context_handle_, static_cast<llama_seq_id>(slot));
      if (pooled == nullptr) {
        throw Error(tr("llama.cpp returned no pooled output for {}; the model's pooling type may not "
                       "suit embeddings.",
                       model_.info().path));
      }
      // A broken conversion or quantization, or an f16 overflow, gives NaN or
      // infinity, which would otherwise spread silently into caches, heads and labels.
      if (!std::all_of(pooled, pooled + output_size_, [](float value) { return std::isfinite(value); })) {
        throw Error(tr("the model {} gave NaN or infinite values for a text; its weights are likely broken (a "
                       "failed conversion or quantization). Convert the model again or use another one.",
                       model_.info().path));
      }
      outputs[plan.texts[slot]].assign(pooled, pooled + output_size_);
    }
  }

  const Model& model_;
  llama_context* context_handle_ = nullptr;
  llama_batch batch_{};
  int context_ = 0;
  int decode_tokens_ = 0;
  int max_sequences_ = 0;
  std::vector<DecodeCall> calls_;
  bool group_by_length_ = true;
  int output_size_ = 0;
};

enum llama_pooling_type pooling_from_name(const std::string& name) {
  if (name == "mean") return LLAMA_POOLING_TYPE_MEAN;
  if (name == "cls") return LLAMA_POOLING_TYPE_CLS;
  if (name == "last") return LLAMA_POOLING_TYPE_LAST;
  if (name == "rank") return LLAMA_POOLING_TYPE_RANK;
  return LLAMA_POOLING_TYPE_NONE;
}

void normalize(std::vector<float>& vector) {
  double sum = 0;
  for (float value : vector) sum += static_cast<double>(value) * value;
  const double norm = std::sqrt(sum);
  if (norm <= 0) return;
  for (float& value : vector) value = static_cast<float>(value / norm);
}

}  // namespace

// Attention inside one call spans all its tokens, so texts of similar length
// go together: a short text beside a long one would pay for the long one's
// width.
std::vector<DecodeCall> plan_decode_calls(const std::vector<std::size_t>& token_counts, std::size_t max_tokens,
                                          std::size_t max_texts, bool group_by_length) {
  std::vector<std::size_t> order(token_counts.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (group_by_length) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return token_counts[a] < token_counts[b]; });
  }

  std::vector<DecodeCall> calls;
  DecodeCall current;
  for (std::size_t index : order) {
    const std::size_t length = token_counts[index];
    const bool full = current.texts.size() >= max_texts || current.tokens + length > max_tokens;
    if (!current.texts.empty() && full) {
      calls.push_back(std::move(current));
      current = DecodeCall{};
    }
    current.texts.push_back(index);
    current.tokens += length;
  }
  if (!current.texts.empty()) calls.push_back(std::move(current));
  return calls;
}

struct Embedder::Impl {
  std::unique_ptr<EncoderContext> encoder;
};

Embedder::Embedder(const Model& model, const EncodeOptions& options) : impl_(std::make_unique<Impl>()) {
  const ModelInfo& info = model.info();
  if (!info.has_encoder || info.has_decoder) {
    throw Error(tr("{} is a text generation model; embeddings need an encoder such as BERT.", info.path));
  }

  // Rank pooling yields classifier scores, and a model without pooling
  // metadata yields one vector per token, so both fall back to the mean of
  // the token vectors, as sentence-transformers does by default.
  enum llama_pooling_type pooling = pooling_from_name(info.pooling);
  if (pooling == LLAMA_POOLING_TYPE_NONE || pooling == LLAMA_POOLING_TYPE_RANK) {
    spdlog::debug("Model {} has pooling '{}'; embedding with mean pooling", info.path, info.pooling);
    pooling = LLAMA_POOLING_TYPE_MEAN;
  }
  impl_->encoder = std::make_unique<EncoderContext>(model, options, pooling);
}

Embedder::~Embedder() = default;

int Embedder::dimension() const { return impl_->encoder->output_size(); }

const std::vector<DecodeCall>& Embedder::last_decode_calls() const { return impl_->encoder->last_calls(); }

std::vector<std::vector<float>> Embedder::embed(const std::vector<std::string>& texts) {
  std::vector<std::vector<float>> vectors = impl_->encoder->run(texts);
  for (std::vector<float>& vector : vectors) normalize(vector);
  return vectors;
}

struct SequenceClassifier::Impl {
  std::unique_ptr<EncoderContext> encoder;
  std::vector<std::string> labels;
};

SequenceClassifier::SequenceClassifier(const Model& model, const EncodeOptions& options)
    : impl_(std::make_unique<Impl>()) {
  const ModelInfo& info = model.info();
  if (!info.has_encoder || info.class_labels.empty()) {
    throw Error(tr("{} has no classifier head (tensor cls.output). Give a model converted from a "
                   "sequence classification checkpoint.",
                   info.path));
  }
  impl_->labels = info.class_labels;
  impl_->encoder = std::make_unique<EncoderContext>(model, options, LLAMA_POOLING_TYPE_RANK);
}

SequenceClassifier::~SequenceClassifier() = default;

const std::vector<std::string>& SequenceClassifier::labels() const { return impl_->labels; }

std::vector<std::vector<float>> SequenceClassifier::classify(const std::vector<std::string>& texts) {
  std::vector<std::vector<float>> scores = impl_->encoder->run(texts);
  for (std::vector<float>& row : scores) {
    // A head with one output scores a single yes/no question, so a sigmoid
    // turns it into a probability where a softmax would always give 1.
    if (row.size() == 1) {
      row[0] = 1.0f / (1.0f + std::exp(-row[0]));
      continue;
    }

    const float highest = *std::max_element(row.begin(), row.end());
    double sum = 0;
    for (float& value : row) {
      value = std::exp(value - highest);
      sum += value;
    }
    for (float& value : row) value = static_cast<float>(value / sum);
  }
  return scores;
}

}  // namespace shopsight::llm

#include "model/features.h"

#include <algorithm>
#include <stdexcept>

namespace shopsight::model {
namespace {

// FNV-1a, 64 bits: simple, fast on short keys, and fixed forever because the
// model file stores weights by bucket.
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

// Distinct starting states keep a character n-gram and a word with the same
// spelling in different buckets.
constexpr std::uint64_t kCharSeed = kFnvOffset ^ 0x63;
constexpr std::uint64_t kWordSeed = kFnvOffset ^ 0x77;
constexpr unsigned char kWordSeparator = 0x1F;

std::uint64_t hash_bytes(std::uint64_t state, const char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    state ^= static_cast<unsigned char>(data[i]);
    state *= kFnvPrime;
  }
  return state;
}

std::uint64_t hash_byte(std::uint64_t state, unsigned char byte) {
  state ^= byte;
  return state * kFnvPrime;
}

std::uint32_t to_bucket(std::uint64_t hash, std::uint32_t mask) {
  return static_cast<std::uint32_t>(hash ^ (hash >> 32)) & mask;
}

// Byte length of the UTF-8 sequence that starts with `lead`; invalid bytes count as one.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

void add_char_ngrams(const std::string& text, const FeatureConfig& config, std::uint32_t mask,
                     std::vector<std::uint32_t>& out) {
  // Code point starts, so that each n-gram extends the hash of the one before.
  thread_local std::vector<std::size_t> starts;
  starts.clear();
  for (std::size_t i = 0; i < text.size(); i += sequence_length(static_cast<unsigned char>(text[i]))) {
    starts.push_back(i);
  }
  starts.push_back(text.size());
  const std::size_t count = starts.size() - 1;

  for (std::size_t begin = 0; begin < count; ++begin) {
    std::uint64_t state = kCharSeed;
    for (int length = 1; length <= config.char_max && begin + static_cast<std::size_t>(length) <= count; ++length) {
      const std::size_t last = begin + static_cast<std::size_t>(length) - 1;
      state = hash_bytes(state, text.data() + starts[last], starts[last + 1] - starts[last]);
      if (length >= config.char_min) out.push_back(to_bucket(state, mask));
    }
  }
}

void add_word_ngrams(const std::vector<Token>& tokens, const FeatureConfig& config, std::uint32_t mask,
                     std::vector<std::uint32_t>& out) {
  thread_local std::vector<const Token*> words;
  words.clear();
  for (const Token& token : tokens) {
    if (token.is_word) words.push_back(&token);
  }

  for (std::size_t begin = 0; begin < words.size(); ++begin) {
    std::uint64_t state = kWordSeed;
    for (int length = 1; length <= config.word_max && begin + static_cast<std::size_t>(length) <= words.size();
         ++length) {
      const Token& word = *words[begin + static_cast<std::size_t>(length) - 1];
      if (length > 1) state = hash_byte(state, kWordSeparator);
      state = hash_bytes(state, word.text.data(), word.text.size());
      if (length >= config.word_min) out.push_back(to_bucket(state, mask));
    }
  }
}

int read_int(const nlohmann::json& json, const char* key, int low, int high) {
  const int value = json.at(key).get<int>();
  if (value < low || value > high) {
    throw std::invalid_argument(std::string(key) + " out of range: " + std::to_string(value));
  }
  return value;
}

}  // namespace

nlohmann::json FeatureConfig::to_json() const {
  return {{"char_min", char_min}, {"char_max", char_max}, {"word_min", word_min},  {"word_max", word_max},
          {"hash_bits", hash_bits}, {"min_df", min_df},   {"naive_bayes", naive_bayes}};
}

FeatureConfig FeatureConfig::from_json(const nlohmann::json& json) {
  FeatureConfig config;
  config.char_min = read_int(json, "char_min", 1, 16);
  config.char_max = read_int(json, "char_max", 0, 16);
  config.word_min = read_int(json, "word_min", 1, 8);
  config.word_max = read_int(json, "word_max", 0, 8);
  config.hash_bits = read_int(json, "hash_bits", 8, 26);
  config.min_df = read_int(json, "min_df", 1, 1000000);
  config.naive_bayes = json.at("naive_bayes").get<bool>();
  return config;
}

std::vector<FeatureCount> extract_features(const Document& document, const FeatureConfig& config) {
  const std::uint32_t mask = config.buckets() - 1;
  thread_local std::vector<std::uint32_t> buckets;
  buckets.clear();
  if (config.char_max > 0) add_char_ngrams(document.normalized.text, config, mask, buckets);
  if (config.word_max > 0) add_word_ngrams(document.tokens, config, mask, buckets);
  std::sort(buckets.begin(), buckets.end());

  std::vector<FeatureCount> features;
  for (std::size_t i = 0; i < buckets.size();) {
    std::size_t j = i + 1;
    while (j < buckets.size() && buckets[j] == buckets[i]) ++j;
    features.push_back({buckets[i], static_cast<float>(j - i)});
    i = j;
  }
  return features;
}

FeatureConfig default_feature_config(const std::string& language, int hash_bits) {
  FeatureConfig config;
  config.hash_bits = hash_bits;
  if (language != "zh" && language != "*") {
    config.char_min = 2;
    config.char_max = 5;
  }
  return config;
}

}  // namespace shopsight::model

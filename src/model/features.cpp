#include "model/features.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

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

// Least significant digit radix sort, 8 bits per pass: a document has a few
// hundred buckets, which this sorts several times faster than std::sort.
void sort_buckets(std::vector<std::uint32_t>& buckets, int hash_bits) {
  if (buckets.size() < 64) {
    std::sort(buckets.begin(), buckets.end());
    return;
  }
  thread_local std::vector<std::uint32_t> scratch;
  scratch.resize(buckets.size());
  std::uint32_t* from = buckets.data();
  std::uint32_t* to = scratch.data();
  const std::size_t size = buckets.size();
  for (int shift = 0; shift < hash_bits; shift += 8) {
    std::size_t counts[257] = {};
    for (std::size_t i = 0; i < size; ++i) ++counts[((from[i] >> shift) & 0xFF) + 1];
    for (std::size_t digit = 1; digit <= 256; ++digit) counts[digit] += counts[digit - 1];
    for (std::size_t i = 0; i < size; ++i) to[counts[(from[i] >> shift) & 0xFF]++] = from[i];
    std::swap(from, to);
  }
  if (from != buckets.data()) std::copy(from, from + size, buckets.data());
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
  std::vector<FeatureCount> features;
  extract_features(document, config, features);
  return features;
}

void extract_features(const Document& document, const FeatureConfig& config, std::vector<FeatureCount>& out) {
  const std::uint32_t mask = config.buckets() - 1;
  thread_local std::vector<std::uint32_t> buckets;
  buckets.clear();
  if (config.char_max > 0) add_char_ngrams(document.normalized.text, config, mask, buckets);
  if (config.word_max > 0) add_word_ngrams(document.tokens, config, mask, buckets);
  sort_buckets(buckets, config.hash_bits);

  out.clear();
  for (std::size_t i = 0; i < buckets.size();) {
    std::size_t j = i + 1;
    while (j < buckets.size() && buckets[j] == buckets[i]) ++j;
    out.push_back({buckets[i], static_cast<float>(j - i)});
    i = j;
  }
}

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Smaller tables fit the TLB anyway and would waste most of a huge page.
constexpr std::size_t kHugePageThreshold = std::size_t{1} << 20;

}  // namespace

void* allocate_bytes(std::size_t bytes) {
  if (bytes < kHugePageThreshold) {
    void* pointer = std::malloc(bytes == 0 ? 1 : bytes);
    if (pointer == nullptr) throw std::bad_alloc();
    return pointer;
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* pointer = std::aligned_alloc(kHugePage, rounded);
  if (pointer == nullptr) throw std::bad_alloc();
  // Only a hint: it fails harmlessly where transparent huge pages are off.
  madvise(pointer, rounded, MADV_HUGEPAGE);
  return pointer;
}

void release_bytes(void* pointer, std::size_t) { std::free(pointer); }

BucketTable::BucketTable(std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets,
                         std::vector<float> values, std::size_t columns)
    : BucketTable(Adopt{}, bucket_count, buckets,
                  std::vector<float, HugePageAllocator<float>>(values.begin(), values.end()), columns) {}

BucketTable BucketTable::adopt(std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets,
                               std::vector<float, HugePageAllocator<float>>&& values, std::size_t columns) {
  return BucketTable(Adopt{}, bucket_count, buckets, std::move(values), columns);
}

BucketTable::BucketTable(Adopt, std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets,
                         std::vector<float, HugePageAllocator<float>>&& values, std::size_t columns)
    : blocks_((static_cast<std::size_t>(bucket_count) + 63) / 64), values_(std::move(values)), columns_(columns) {
  if (columns == 0 || values_.size() != buckets.size() * columns) {
    throw std::invalid_argument("bucket table: " + std::to_string(values_.size()) + " values for " +
                                std::to_string(buckets.size()) + " buckets of " + std::to_string(columns) +
                                " columns");
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i] >= bucket_count || (i > 0 && buckets[i] <= buckets[i - 1])) {
      throw std::invalid_argument("bucket table: bucket " + std::to_string(buckets[i]) +
                                  " is out of range or out of order");
    }
    blocks_[buckets[i] >> 6].present |= std::uint64_t{1} << (buckets[i] & 63);
  }

  std::uint32_t rank = 0;
  for (Block& block : blocks_) {
    block.rank = rank;
    rank += static_cast<std::uint32_t>(std::popcount(block.present));
  }
}

std::vector<std::uint32_t> BucketTable::buckets() const {
  std::vector<std::uint32_t> out;
  out.reserve(size());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    for (std::uint64_t present = blocks_[b].present; present != 0; present &= present - 1) {
      out.push_back(static_cast<std::uint32_t>(b * 64 + static_cast<std::size_t>(std::countr_zero(present))));
    }
  }
  return out;
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

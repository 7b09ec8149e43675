#pragma once

// Feature extraction of the default classifier: hashed character n-grams of
// the normalized text and hashed word n-grams of its ICU tokens.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/text.h"

namespace shopsight::model {

/// Feature configuration of a linear part: the n-grams it reads and their weighting. Stored in the model file.
struct FeatureConfig {
  int char_min = 1;                       ///< shortest character n-gram, in code points
  int char_max = 4;                       ///< longest character n-gram, 0 for none
  int word_min = 1;                       ///< shortest word n-gram, in tokens
  int word_max = 2;                       ///< longest word n-gram, 0 for none
  int hash_bits = 21;                     ///< log2 of the number of hash buckets
  int min_df = 2;                         ///< buckets seen in fewer training rows are dropped
  bool naive_bayes = true;                ///< scale by the log-count ratio of the labels

  /// Number of hash buckets.
  std::uint32_t buckets() const { return std::uint32_t{1} << hash_bits; }

  nlohmann::json to_json() const;

  /// Reads a configuration; throws std::invalid_argument when a field is missing or out of range.
  static FeatureConfig from_json(const nlohmann::json& json);
};

/// Hash bucket and raw count of one feature in a document.
struct FeatureCount {
  std::uint32_t bucket = 0;
  float count = 0;
};

/// Extracts the bucket counts of `document`, sorted by bucket with no repeats.
/// The result depends only on the text, the tokens and `config`.
std::vector<FeatureCount> extract_features(const Document& document, const FeatureConfig& config);

/// Same as above, but reuses the storage of `out`, which a caller that
/// predicts many documents keeps between calls.
void extract_features(const Document& document, const FeatureConfig& config, std::vector<FeatureCount>& out);

/// Allocates for HugePageAllocator; throws std::bad_alloc when memory is exhausted.
void* allocate_bytes(std::size_t bytes);
/// Frees what allocate_bytes() returned.
void release_bytes(void* pointer, std::size_t bytes);

/// Allocator for large lookup tables: allocations of 1 MiB and more are
/// aligned to 2 MiB and marked for transparent huge pages, because random
/// lookups over many 4 KiB pages miss the TLB as well as the cache. Without
/// kernel support the hint is ignored and the memory behaves as usual.
template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  T* allocate(std::size_t count) { return static_cast<T*>(allocate_bytes(count * sizeof(T))); }
  void deallocate(T* pointer, std::size_t count) { release_bytes(pointer, count * sizeof(T)); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

/// Rows of floats for the stored hash buckets only. A bitmap of the stored
/// buckets and a running count per 64 buckets turn a bucket into its row
/// index. The index takes 2 bits per bucket, so for 2^23 buckets it is
/// 2 MiB, while dense tables of 2^23 floats per column take 32 MiB each
/// and miss the cache on nearly every lookup.
class BucketTable {
 public:
  BucketTable() = default;

  /// Builds the table over buckets [0, bucket_count). `buckets` must be
  /// strictly ascending and below `bucket_count`. `values` contains
  /// `columns` floats per bucket in the same order. Throws std::invalid_argument otherwise.
  BucketTable(std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets, std::vector<float> values,
              std::size_t columns);

  /// Same as the constructor, but takes over `values` without copying them.
  static BucketTable adopt(std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets,
                           std::vector<float, HugePageAllocator<float>>&& values, std::size_t columns);

  /// Row index of `bucket`, or -1 when the bucket is not stored. `bucket` must be below the bucket count.
  std::int64_t find(std::uint32_t bucket) const {
    const Block& block = blocks_[bucket >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (bucket & 63);
    if ((block.present & bit) == 0) return -1;
    return static_cast<std::int64_t>(block.rank) + count_bits(block.present & (bit - 1));
  }

  /// Starts loading the index entry of `bucket` into the cache, ahead of find().
  void prefetch(std::uint32_t bucket) const { __builtin_prefetch(&blocks_[bucket >> 6]); }

  /// The `columns()` floats of row `index`.
  const float* row(std::size_t index) const { return values_.data() + index * columns_; }

  /// Number of stored buckets.
  std::size_t size() const { return columns_ == 0 ? 0 : values_.size() / columns_; }
  std::size_t columns() const { return columns_; }
  std::uint32_t bucket_count() const { return static_cast<std::uint32_t>(blocks_.size() * 64); }

  /// Stored buckets in ascending order, row i belonging to bucket i.
  std::vector<std::uint32_t> buckets() const;

 private:
  // Without -mpopcnt, std::popcount compiles to a library call; this
  // inline form (the usual SWAR bit count) avoids the call on every lookup.
  static int count_bits(std::uint64_t bits) {
    bits = bits - ((bits >> 1) & 0x5555555555555555ULL);
    bits = (bits & 0x3333333333333333ULL) + ((bits >> 2) & 0x3333333333333333ULL);
    bits = (bits + (bits >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<int>((bits * 0x0101010101010101ULL) >> 56);
  }

  /// Selects the constructor that adopt() uses, which a braced list of values could not select.
  struct Adopt {};
  BucketTable(Adopt, std::uint32_t bucket_count, const std::vector<std::uint32_t>& buckets,
              std::vector<float, HugePageAllocator<float>>&& values, std::size_t columns);

  /// 64 buckets: which are stored, and how many stored buckets come before them.
  struct Block {
    std::uint64_t present = 0;
    std::uint32_t rank = 0;
    std::uint32_t unused = 0;             ///< pads the block to 16 bytes, so no block spans two cache lines
  };
  std::vector<Block, HugePageAllocator<Block>> blocks_;
  std::vector<float, HugePageAllocator<float>> values_;
  std::size_t columns_ = 0;
};

/// Default configuration for a language: character 1-4-grams for Chinese,
/// where single characters carry meaning, and 2-5-grams for other languages.
FeatureConfig default_feature_config(const std::string& language, int hash_bits);

}  // namespace shopsight::model

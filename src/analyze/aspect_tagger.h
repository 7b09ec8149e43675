#pragma once

// Learned parts of the aspect extractor: text units, an averaged structured
// perceptron that tags aspect and opinion terms (BIO tags, Viterbi decoding),
// a hashed linear classifier trained with LIBLINEAR, and the checksummed
// binary encoding both are stored with.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/features.h"

namespace shopsight {

/// Unit of tagging: one Chinese character, one Latin word or number, or one
/// punctuation mark. Spaces belong to no unit.
struct TextUnit {
  std::int32_t begin = 0;                 ///< code point offset into the text
  std::int32_t end = 0;
  std::uint64_t key = 0;                  ///< hash of the unit's text
  std::uint8_t type = 0;                  ///< 0 ideograph, 1 Latin word, 2 number, 3 punctuation, 4 other
};

/// Splits decoded normalized text into units.
std::vector<TextUnit> split_units(std::u32string_view text);

/// Same as above, but writes into `units`, reusing its storage.
void split_units(std::u32string_view text, std::vector<TextUnit>& units);

/// Stable 64-bit hash of code points (FNV-1a), the same on every platform.
std::uint64_t hash_code_points(std::u32string_view text);

/// Appends fixed-width little-endian values to a byte buffer.
class ByteWriter {
 public:
  void u32(std::uint32_t value);
  void u64(std::uint64_t value);
  void f32(float value);
  void str(std::string_view value);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what ByteWriter wrote; throws shopsight::Error naming `source` when the data ends early.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string source);
  std::uint32_t u32();
  std::uint64_t u64();
  float f32();
  std::string str();
  bool at_end() const { return position_ == bytes_.size(); }
  const std::string& source() const { return source_; }

 private:
  void need(std::size_t count);
  std::string_view bytes_;
  std::size_t position_ = 0;
  std::string source_;
};

/// Feature hashes of one unit position.
using UnitFeatures = std::vector<std::uint32_t>;

/// Tags of the sequence tagger.
enum TagId : int { kTagOutside = 0, kTagAspectBegin, kTagAspectInside, kTagOpinionBegin, kTagOpinionInside, kTagCount };

/// First-order averaged structured perceptron over hashed features; tags
/// follow the BIO scheme, which Viterbi decoding enforces.
class SequenceTagger {
 public:
  /// `bucket_bits` sets the number of feature hash buckets (2^bits).
  explicit SequenceTagger(int bucket_bits = 18);

  /// One training sequence: features per unit and the gold tag of each unit.
  struct Sequence {
    std::vector<UnitFeatures> features;
    std::vector<int> tags;
  };

  /// Trains for `epochs` passes over `sequences` in a fixed shuffled order, then averages the weights.
  /// With `runs` above 1, repeats that with `runs` different shuffles and keeps the mean of their
  /// averaged weights, which makes the result depend less on one shuffle.
  void train(const std::vector<Sequence>& sequences, int epochs, std::uint64_t seed, int runs = 1);

  /// Best tag sequence for the unit features.
  std::vector<int> tag(const std::vector<UnitFeatures>& features) const;

  /// Same as above for features stored one unit after another: unit i has
  /// features[offsets[i]] up to features[offsets[i + 1]], so `offsets` has one entry more than there are units.
  std::vector<int> tag(const std::vector<std::uint32_t>& features, const std::vector<std::uint32_t>& offsets) const;

  /// Bucket index of a feature hash.
  std::uint32_t bucket(std::uint64_t hash) const { return static_cast<std::uint32_t>(hash & mask_); }

  void save(ByteWriter& out) const;
  static SequenceTagger load(ByteReader& in);

 private:
  /// Takes dense weights of (2^bucket_bits) * kTagCount entries and transitions of (kTagCount + 1) * kTagCount.
  SequenceTagger(int bucket_bits, std::vector<float> weights, std::vector<float> transitions);

  std::vector<int> decode(const std::vector<UnitFeatures>& features, const std::vector<float>& weights,
                          const std::vector<float>& transitions) const;

  /// Copies the buckets with a nonzero weight into `table_`.
  void index_weights();

  int bucket_bits_;
  std::uint64_t mask_;
  std::vector<float> weights_;            ///< bucket * kTagCount + tag
  std::vector<float> transitions_;        ///< (previous tag + 1) * kTagCount + tag; row 0 is the start
  /// The rows of `weights_` that are not all zero, which tagging reads: most
  /// buckets are empty, so the table is a fraction of the dense size and stays in cache.
  model::BucketTable table_;
};

/// Multi-class linear classifier over hashed sparse features, trained with
/// LIBLINEAR (L2-regularized logistic regression).
class LinearClassifier {
 public:
  /// Trains on feature-hash lists; returns an empty classifier when fewer than two labels occur.
  static LinearClassifier train(const std::vector<std::vector<std::uint64_t>>& features,
                                const std::vector<std::string>& labels, int bucket_bits, double regularization);

  /// Most probable label, or empty when the classifier is empty.
  const std::string& predict(const std::vector<std::uint64_t>& features, float* probability = nullptr) const;

  /// Labels in model order.
  const std::vector<std::string>& labels() const { return labels_; }
  bool empty() const { return labels_.empty(); }

  void save(ByteWriter& out) const;
  static LinearClassifier load(ByteReader& in);

 private:
  /// Copies the buckets with a nonzero weight into `table_`.
  void index_weights();

  int bucket_bits_ = 0;
  std::vector<std::string> labels_;
  std::vector<float> weights_;            ///< bucket * labels + label
  std::vector<float> bias_;
  model::BucketTable table_;              ///< the rows of `weights_` that are not all zero, which predict() reads
};

}  // namespace shopsight

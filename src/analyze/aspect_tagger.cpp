#include "analyze/aspect_tagger.h"

#include <linear.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <utility>

#include "common/error.h"
#include "common/i18n.h"

namespace shopsight {
namespace {

bool is_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2FFFF) ||
         (c >= 0xF900 && c <= 0xFAFF);
}

bool is_letter(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0x3000; }

// BIO rule: an inside tag continues a term of the same kind.
constexpr bool allowed(int previous, int tag) {
  if (tag == kTagAspectInside) return previous == kTagAspectBegin || previous == kTagAspectInside;
  if (tag == kTagOpinionInside) return previous == kTagOpinionBegin || previous == kTagOpinionInside;
  return true;
}

}  // namespace

std::uint64_t hash_code_points(std::u32string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (char32_t c : text) {
    hash ^= static_cast<std::uint64_t>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::vector<TextUnit> split_units(std::u32string_view text) {
  std::vector<TextUnit> units;
  split_units(text, units);
  return units;
}

void split_units(std::u32string_view text, std::vector<TextUnit>& units) {
  units.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    TextUnit unit;
    unit.begin = static_cast<std::int32_t>(i);
    std::size_t end = i + 1;
    if (is_ideograph(c)) {
      unit.type = 0;
    } else if (is_letter(c) || is_digit(c)) {
      // Letters and digits mixed in one word (e.g. "i7", "256gb") stay one unit.
      // An apostrophe between letters stays inside the word ("don't").
      bool letters = is_letter(c);
      while (end < text.size()) {
        const char32_t next = text[end];
        const bool apostrophe = next == U'\'' && end + 1 < text.size() && is_letter(text[end + 1]);
        if (!is_letter(next) && !is_digit(next) && !apostrophe) break;
        letters = letters || is_letter(next);
        ++end;
      }
      unit.type = letters ? 1 : 2;
    } else if (std::ispunct(static_cast<int>(c < 128 ? c : 0)) || (c >= 0x3000 && c <= 0x303F) ||
               (c >= 0xFF00 && c <= 0xFF65) || (c >= 0x2000 && c <= 0x206F)) {
      unit.type = 3;
    } else {
      unit.type = 4;
    }
    unit.end = static_cast<std::int32_t>(end);
    unit.key = hash_code_points(text.substr(i, end - i));
    units.push_back(unit);
    i = end;
  }
}

void ByteWriter::u32(std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) bytes_.push_back(static_cast<char>((value >> shift) & 0xFF));
}

void ByteWriter::u64(std::uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) bytes_.push_back(static_cast<char>((value >> shift) & 0xFF));
}

void ByteWriter::f32(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  u32(bits);
}

void ByteWriter::str(std::string_view value) {
  u32(static_cast<std::uint32_t>(value.size()));
  bytes_.append(value);
}

ByteReader::ByteReader(std::string_view bytes, std::string source) : bytes_(bytes), source_(std::move(source)) {}

void ByteReader::need(std::size_t count) {
  if (bytes_.size() - position_ < count) {
    throw Error(tr("The aspect model {} is truncated or corrupt: train it again with shopsight train-aspects.",
                   source_));
  }
}

std::uint32_t ByteReader::u32() {
  need(4);
  std::uint32_t value = 0;
  for (int k = 0; k < 4; ++k) {
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[position_ + static_cast<std::size_t>(k)]))
             << (8 * k);
  }
  position_ += 4;
  return value;
}

std::uint64_t ByteReader::u64() {
  const std::uint64_t low = u32();
  const std::uint64_t high = u32();
  return low | (high << 32);
}

float ByteReader::f32() {
  const std::uint32_t bits = u32();
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string ByteReader::str() {
  const std::uint32_t size = u32();
  need(size);
  std::string value(bytes_.substr(position_, size));
  position_ += size;
  return value;
}

// Weight vectors are mostly zero, so they are stored as (index, value) pairs.
namespace {

void write_sparse(ByteWriter& out, const std::vector<float>& values) {
  out.u64(values.size());
  std::uint64_t nonzero = 0;
  for (float value : values) nonzero += value != 0.0f;
  out.u64(nonzero);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == 0.0f) continue;
    out.u32(static_cast<std::uint32_t>(i));
    out.f32(values[i]);
  }
}

std::vector<float> read_sparse(ByteReader& in, std::uint64_t expected_size) {
  const std::uint64_t size = in.u64();
  const std::uint64_t nonzero = in.u64();
  if (size != expected_size || nonzero > size) {
    throw Error(tr("The aspect model {} is corrupt (weight table of {} entries where {} were expected): train it "
                   "again with shopsight train-aspects.",
                   in.source(), size, expected_size));
  }
  std::vector<float> values(size, 0.0f);
  for (std::uint64_t k = 0; k < nonzero; ++k) {
    const std::uint32_t index = in.u32();
    const float value = in.f32();
    if (index >= size) {
      throw Error(tr("The aspect model {} is corrupt (weight index out of range): train it again with shopsight "
                     "train-aspects.",
                     in.source()));
    }
    values[index] = value;
  }
  return values;
}

}  // namespace

SequenceTagger::SequenceTagger(int bucket_bits)
    : SequenceTagger(bucket_bits, std::vector<float>((std::size_t{1} << bucket_bits) * kTagCount, 0.0f),
                     std::vector<float>((kTagCount + 1) * kTagCount, 0.0f)) {}

SequenceTagger::SequenceTagger(int bucket_bits, std::vector<float> weights, std::vector<float> transitions)
    : bucket_bits_(bucket_bits),
      mask_((std::uint64_t{1} << bucket_bits) - 1),
      weights_(std::move(weights)),
      transitions_(std::move(transitions)) {
  index_weights();
}

namespace {

constexpr float kImpossible = -std::numeric_limits<float>::infinity();

// The tags that the BIO rule lets precede `tag` form one range of ids,
// because an inside tag follows only the begin or inside tag of its kind,
// which are adjacent ids, and any other tag may follow every tag.
constexpr int first_previous(int tag) {
  return tag == kTagAspectInside || tag == kTagOpinionInside ? tag - 1 : 0;
}
constexpr int last_previous(int tag) { return first_previous(tag) == 0 ? kTagCount - 1 : tag; }

constexpr bool previous_ranges_match_rule() {
  for (int tag = 0; tag < kTagCount; ++tag) {
    for (int previous = 0; previous < kTagCount; ++previous) {
      const bool in_range = previous >= first_previous(tag) && previous <= last_previous(tag);
      if (in_range != allowed(previous, tag)) return false;
    }
  }
  return true;
}
static_assert(previous_ranges_match_rule(), "first_previous and last_previous must follow allowed()");

// Computes one Viterbi cell, the best previous tag for `Tag` at one unit.
// Only the allowed previous tags are compared, in ascending order. A
// forbidden step scores -inf, which never beats the running best because
// that starts at -inf, so skipping such steps gives the same scores and
// back pointers as comparing all tags.
template <int Tag, int... Offsets>
[[gnu::always_inline]] inline void viterbi_cell(const float* previous, const float (&step)[kTagCount + 1][kTagCount],
                                                const float* emission, float* score, int* back,
                                                std::integer_sequence<int, Offsets...>) {
  float best = kImpossible;
  int best_previous = 0;
  const auto compare = [&](int p) {
    const float candidate = previous[p] + step[p + 1][Tag];
    if (candidate > best) {
      best = candidate;
      best_previous = p;
    }
  };
  (compare(first_previous(Tag) + Offsets), ...);
  score[Tag] = best + emission[Tag];
  back[Tag] = best_previous;
}

template <int Tag>
[[gnu::always_inline]] inline void viterbi_cell(const float* previous, const float (&step)[kTagCount + 1][kTagCount],
                                                const float* emission, float* score, int* back) {
  viterbi_cell<Tag>(previous, step, emission, score, back,
                    std::make_integer_sequence<int, last_previous(Tag) - first_previous(Tag) + 1>{});
}

// First-order Viterbi decoding over the emission scores of n units
// (kTagCount per unit), with the BIO rule as hard constraints.
std::vector<int> viterbi(const std::vector<float>& emissions, std::size_t n, const std::vector<float>& transitions) {
  if (n == 0) return {};
  thread_local std::vector<float> score;
  thread_local std::vector<int> back;
  score.resize(n * kTagCount);
  back.resize(n * kTagCount);

  // Transitions with the BIO rule folded in. A forbidden step costs -inf,
  // and a -inf candidate never beats the running best, which starts at
  // -inf, so the result is the same as skipping forbidden steps.
  float step[kTagCount + 1][kTagCount];
  for (int p = -1; p < kTagCount; ++p) {
    for (int t = 0; t < kTagCount; ++t) {
      step[p + 1][t] = allowed(p, t) ? transitions[static_cast<std::size_t>((p + 1) * kTagCount + t)] : kImpossible;
    }
  }

  for (int t = 0; t < kTagCount; ++t) {
    score[static_cast<std::size_t>(t)] = allowed(-1, t) ? emissions[static_cast<std::size_t>(t)] + step[0][t] : kImpossible;
    back[static_cast<std::size_t>(t)] = 0;
  }
  // The cells are written out per tag, because a loop over the tags kept
  // the compiler from unrolling the comparisons (a fifth of the tagger's
  // instructions under callgrind).
  static_assert(kTagCount == 5, "the cells below name each tag");
  for (std::size_t i = 1; i < n; ++i) {
    const float* emission = &emissions[i * kTagCount];
    const float* previous = &score[(i - 1) * kTagCount];
    float* current = &score[i * kTagCount];
    int* pointers = &back[i * kTagCount];
    viterbi_cell<kTagOutside>(previous, step, emission, current, pointers);
    viterbi_cell<kTagAspectBegin>(previous, step, emission, current, pointers);
    viterbi_cell<kTagAspectInside>(previous, step, emission, current, pointers);
    viterbi_cell<kTagOpinionBegin>(previous, step, emission, current, pointers);
    viterbi_cell<kTagOpinionInside>(previous, step, emission, current, pointers);
  }

  std::vector<int> tags(n, 0);
  int last = 0;
  for (int t = 1; t < kTagCount; ++t) {
    if (score[(n - 1) * kTagCount + static_cast<std::size_t>(t)] >
        score[(n - 1) * kTagCount + static_cast<std::size_t>(last)]) {
      last = t;
    }
  }
  for (std::size_t i = n; i-- > 0;) {
    tags[i] = last;
    last = back[i * kTagCount + static_cast<std::size_t>(last)];
  }
  return tags;
}

}  // namespace

std::vector<int> SequenceTagger::decode(const std::vector<UnitFeatures>& features, const std::vector<float>& weights,
                                        const std::vector<float>& transitions) const {
  const std::size_t n = features.size();
  thread_local std::vector<float> emissions;
  emissions.assign(n * kTagCount, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    float* emission = &emissions[i * kTagCount];
    for (std::uint32_t feature : features[i]) {
      const float* row = &weights[static_cast<std::size_t>(feature) * kTagCount];
      for (int t = 0; t < kTagCount; ++t) emission[t] += row[t];
    }
  }
  return viterbi(emissions, n, transitions);
}

std::vector<int> SequenceTagger::tag(const std::vector<UnitFeatures>& features) const {
  return decode(features, weights_, transitions_);
}

std::vector<int> SequenceTagger::tag(const std::vector<std::uint32_t>& features,
                                     const std::vector<std::uint32_t>& offsets) const {
  const std::size_t n = offsets.empty() ? 0 : offsets.size() - 1;

  // Rows are found and prefetched for the whole sequence before any is
  // summed, so that their cache misses overlap.
  // Both buffers are sized for every feature up front and written through
  // raw pointers. With push_back, this function ran about 13% more
  // instructions under callgrind. They only grow, because resize() after a
  // shorter sequence zero-filled the difference again.
  thread_local std::vector<const float*> rows;
  thread_local std::vector<std::uint32_t> row_offsets;
  if (rows.size() < features.size()) rows.resize(features.size());
  if (row_offsets.size() < n + 1) row_offsets.resize(n + 1);
  const float** const first_row = rows.data();
  const float** next_row = first_row;
  const std::uint32_t* const feature = features.data();
  const std::size_t feature_count = features.size();
  row_offsets[0] = 0;
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t end = offsets[i + 1];
    for (std::uint32_t k = offsets[i]; k < end; ++k) {
      if (k + kAhead < feature_count) table_.prefetch(feature[k + kAhead]);
      const std::int64_t index = table_.find(feature[k]);
      if (index < 0) continue;
      const float* row = table_.row(static_cast<std::size_t>(index));
      // A row of five floats may straddle two cache lines, so both are fetched.
      __builtin_prefetch(row);
      __builtin_prefetch(row + kTagCount - 1);
      *next_row++ = row;
    }
    row_offsets[i + 1] = static_cast<std::uint32_t>(next_row - first_row);
  }

  // Buckets missing from the table have all-zero rows, and adding +0 to a
  // sum that started at +0 changes nothing, so these emissions equal the
  // dense ones bit for bit. The sums run in feature order, as in training.
  thread_local std::vector<float> emissions;
  emissions.resize(n * kTagCount);
  // Five named sums stay in registers, where a loop over an array of sums
  // made the compiler keep them in memory.
  static_assert(kTagCount == 5, "the sums below name each tag");
  for (std::size_t i = 0; i < n; ++i) {
    float outside = 0.0f;
    float aspect_begin = 0.0f;
    float aspect_inside = 0.0f;
    float opinion_begin = 0.0f;
    float opinion_inside = 0.0f;
    const std::uint32_t end = row_offsets[i + 1];
    for (std::uint32_t k = row_offsets[i]; k < end; ++k) {
      const float* row = first_row[k];
      outside += row[kTagOutside];
      aspect_begin += row[kTagAspectBegin];
      aspect_inside += row[kTagAspectInside];
      opinion_begin += row[kTagOpinionBegin];
      opinion_inside += row[kTagOpinionInside];
    }
    float* emission = &emissions[i * kTagCount];
    emission[kTagOutside] = outside;
    emission[kTagAspectBegin] = aspect_begin;
    emission[kTagAspectInside] = aspect_inside;
    emission[kTagOpinionBegin] = opinion_begin;
    emission[kTagOpinionInside] = opinion_inside;
  }
  return viterbi(emissions, n, transitions_);
}

void SequenceTagger::index_weights() {
  std::vector<std::uint32_t> buckets;
  std::vector<float> values;
  const std::size_t bucket_count = weights_.size() / kTagCount;
  for (std::size_t bucket = 0; bucket < bucket_count; ++bucket) {
    const float* row = &weights_[bucket * kTagCount];
    if (std::all_of(row, row + kTagCount, [](float weight) { return weight == 0.0f; })) continue;
    buckets.push_back(static_cast<std::uint32_t>(bucket));
    values.insert(values.end(), row, row + kTagCount);
  }
  table_ = model::BucketTable(static_cast<std::uint32_t>(bucket_count), buckets, std::move(values), kTagCount);
}

void SequenceTagger::train(const std::vector<Sequence>& sequences, int epochs, std::uint64_t seed, int runs) {
  if (runs > 1) {
    std::vector<float> weight_total(weights_.size(), 0.0f);
    std::vector<float> transition_total(transitions_.size(), 0.0f);
    for (int run = 0; run < runs; ++run) {
      train(sequences, epochs, seed + static_cast<std::uint64_t>(run) * 0x9E3779B97F4A7C15ULL, 1);
      for (std::size_t i = 0; i < weights_.size(); ++i) weight_total[i] += weights_[i];
      for (std::size_t i = 0; i < transitions_.size(); ++i) transition_total[i] += transitions_[i];
    }
    for (std::size_t i = 0; i < weights_.size(); ++i) weights_[i] = weight_total[i] / static_cast<float>(runs);
    for (std::size_t i = 0; i < transitions_.size(); ++i) {
      transitions_[i] = transition_total[i] / static_cast<float>(runs);
    }
    index_weights();
    return;
  }
  std::fill(weights_.begin(), weights_.end(), 0.0f);
  std::fill(transitions_.begin(), transitions_.end(), 0.0f);

  // Averaging uses the usual trick: `*_sum` accumulates step * update, and
  // the average is weights - sum / steps.
  std::vector<float> weight_sum(weights_.size(), 0.0f);
  std::vector<float> transition_sum(transitions_.size(), 0.0f);
  std::vector<std::size_t> order(sequences.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 random(seed);
  float step = 1.0f;

  const auto update = [&](const Sequence& sequence, const std::vector<int>& tags, float delta) {
    int previous = -1;
    for (std::size_t i = 0; i < tags.size(); ++i) {
      const auto tag = static_cast<std::size_t>(tags[i]);
      for (std::uint32_t feature : sequence.features[i]) {
        const std::size_t index = static_cast<std::size_t>(feature) * kTagCount + tag;
        weights_[index] += delta;
        weight_sum[index] += step * delta;
      }
      const std::size_t transition = static_cast<std::size_t>(previous + 1) * kTagCount + tag;
      transitions_[transition] += delta;
      transition_sum[transition] += step * delta;
      previous = tags[i];
    }
  };

  for (int epoch = 0; epoch < epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), random);
    for (std::size_t index : order) {
      const Sequence& sequence = sequences[index];
      const std::vector<int> predicted = decode(sequence.features, weights_, transitions_);
      if (predicted != sequence.tags) {
        update(sequence, sequence.tags, 1.0f);
        update(sequence, predicted, -1.0f);
      }
      step += 1.0f;
    }
  }

  for (std::size_t i = 0; i < weights_.size(); ++i) weights_[i] -= weight_sum[i] / step;
  for (std::size_t i = 0; i < transitions_.size(); ++i) transitions_[i] -= transition_sum[i] / step;
  index_weights();
}

void SequenceTagger::save(ByteWriter& out) const {
  out.u32(static_cast<std::uint32_t>(bucket_bits_));
  write_sparse(out, weights_);
  write_sparse(out, transitions_);
}

SequenceTagger SequenceTagger::load(ByteReader& in) {
  const std::uint32_t bits = in.u32();
  if (bits < 8 || bits > 24) {
    throw Error(tr("The aspect model {} is corrupt (tagger of 2^{} buckets): train it again with shopsight "
                   "train-aspects.",
                   in.source(), bits));
  }
  // The weights are read straight into the tagger, because building a zero
  // tagger first would allocate and scan its megabytes of dense weights twice.
  std::vector<float> weights = read_sparse(in, (std::uint64_t{1} << bits) * kTagCount);
  std::vector<float> transitions = read_sparse(in, (kTagCount + 1) * kTagCount);
  return SequenceTagger(static_cast<int>(bits), std::move(weights), std::move(transitions));
}

LinearClassifier LinearClassifier::train(const std::vector<std::vector<std::uint64_t>>& features,
                                         const std::vector<std::string>& labels, int bucket_bits,
                                         double regularization) {
  LinearClassifier classifier;
  std::map<std::string, int> label_ids;
  for (const std::string& label : labels) label_ids.emplace(label, 0);
  if (label_ids.size() < 2) return classifier;
  for (auto& [label, id] : label_ids) {
    id = static_cast<int>(classifier.labels_.size());
    classifier.labels_.push_back(label);
  }
  classifier.bucket_bits_ = bucket_bits;
  const std::uint64_t mask = (std::uint64_t{1} << bucket_bits) - 1;
  const int bias_index = (1 << bucket_bits) + 1;

  // LIBLINEAR wants 1-based ascending feature indices and a -1 terminator
  // per row; the last column is a constant bias feature.
  std::vector<std::vector<feature_node>> rows(features.size());
  std::vector<feature_node*> row_pointers(features.size());
  std::vector<double> targets(features.size());
  for (std::size_t i = 0; i < features.size(); ++i) {
    std::map<int, double> counts;
    for (std::uint64_t hash : features[i]) counts[static_cast<int>(hash & mask) + 1] += 1.0;
    for (const auto& [index, value] : counts) rows[i].push_back({index, value});
    rows[i].push_back({bias_index, 1.0});
    rows[i].push_back({-1, 0.0});
    row_pointers[i] = rows[i].data();
    targets[i] = label_ids.at(labels[i]);
  }

  problem data{};
  data.l = static_cast<int>(features.size());
  data.n = bias_index;
  data.y = targets.data();
  data.x = row_pointers.data();
  data.bias = -1;

  parameter settings{};
  settings.solver_type = L2R_LR;
  settings.C = regularization;
  settings.eps = 0.01;
  settings.p = 0.1;
  set_print_string_function([](const char*) {});
  if (const char* problem_text = check_parameter(&data, &settings)) {
    throw Error(tr("LIBLINEAR rejected the aspect classifier settings: {}", problem_text));
  }
  ::model* trained = ::train(&data, &settings);

  const std::size_t label_count = classifier.labels_.size();
  const std::size_t buckets = std::size_t{1} << bucket_bits;
  classifier.weights_.assign(buckets * label_count, 0.0f);
  classifier.bias_.assign(label_count, 0.0f);
  const int model_classes = get_nr_class(trained);
  std::vector<int> model_labels(static_cast<std::size_t>(model_classes));
  get_labels(trained, model_labels.data());

  // Two classes share one weight vector that favours the first model label,
  // which a softmax over (w.x, 0) reproduces.
  const int columns = model_classes == 2 ? 1 : model_classes;
  for (int column = 0; column < columns; ++column) {
    const auto label = static_cast<std::size_t>(model_labels[static_cast<std::size_t>(column)]);
    for (std::size_t feature = 0; feature < buckets; ++feature) {
      classifier.weights_[feature * label_count + label] =
          static_cast<float>(trained->w[feature * static_cast<std::size_t>(columns) + static_cast<std::size_t>(column)]);
    }
    classifier.bias_[label] = static_cast<float>(
        trained->w[buckets * static_cast<std::size_t>(columns) + static_cast<std::size_t>(column)]);
  }
  free_and_destroy_model(&trained);
  classifier.index_weights();
  return classifier;
}

const std::string& LinearClassifier::predict(const std::vector<std::uint64_t>& features, float* probability) const {
  static const std::string kNone;
  if (labels_.empty()) return kNone;
  const std::size_t label_count = labels_.size();
  const std::uint64_t mask = (std::uint64_t{1} << bucket_bits_) - 1;
  thread_local std::vector<float> scores;
  scores.assign(bias_.begin(), bias_.end());
  // Buckets missing from the table have all-zero rows, which would add
  // nothing. Rows are found and prefetched before any is summed, so that
  // their cache misses overlap. The sums still run in feature order.
  thread_local std::vector<const float*> rows;
  rows.clear();
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (i + kAhead < features.size()) table_.prefetch(static_cast<std::uint32_t>(features[i + kAhead] & mask));
    const std::int64_t index = table_.find(static_cast<std::uint32_t>(features[i] & mask));
    if (index < 0) continue;
    const float* row = table_.row(static_cast<std::size_t>(index));
    __builtin_prefetch(row);
    __builtin_prefetch(row + label_count - 1);
    rows.push_back(row);
  }
  for (const float* row : rows) {
    for (std::size_t k = 0; k < label_count; ++k) scores[k] += row[k];
  }
  const auto best = static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  if (probability != nullptr) {
    double total = 0;
    for (float score : scores) total += std::exp(static_cast<double>(score - scores[best]));
    *probability = static_cast<float>(1.0 / total);
  }
  return labels_[best];
}

void LinearClassifier::index_weights() {
  const std::size_t label_count = labels_.size();
  std::vector<std::uint32_t> buckets;
  std::vector<float> values;
  const std::size_t bucket_count = std::size_t{1} << bucket_bits_;
  for (std::size_t bucket = 0; bucket < bucket_count; ++bucket) {
    const float* row = &weights_[bucket * label_count];
    if (std::all_of(row, row + label_count, [](float weight) { return weight == 0.0f; })) continue;
    buckets.push_back(static_cast<std::uint32_t>(bucket));
    values.insert(values.end(), row, row + label_count);
  }
  table_ = model::BucketTable(static_cast<std::uint32_t>(bucket_count), buckets, std::move(values), label_count);
}

void LinearClassifier::save(ByteWriter& out) const {
  out.u32(static_cast<std::uint32_t>(bucket_bits_));
  out.u32(static_cast<std::uint32_t>(labels_.size()));
  for (const std::string& label : labels_) out.str(label);
  if (labels_.empty()) return;
  write_sparse(out, weights_);
  write_sparse(out, bias_);
}

LinearClassifier LinearClassifier::load(ByteReader& in) {
  LinearClassifier classifier;
  const std::uint32_t bits = in.u32();
  const std::uint32_t label_count = in.u32();
  if (label_count == 0) return classifier;
  if (bits < 4 || bits > 24 || label_count > 1000) {
    throw Error(tr("The aspect model {} is corrupt (classifier header): train it again with shopsight train-aspects.",
                   in.source()));
  }
  classifier.bucket_bits_ = static_cast<int>(bits);
  for (std::uint32_t k = 0; k < label_count; ++k) classifier.labels_.push_back(in.str());
  classifier.weights_ = read_sparse(in, (std::uint64_t{1} << bits) * label_count);
  classifier.bias_ = read_sparse(in, label_count);
  classifier.index_weights();
  return classifier;
}

}  // namespace shopsight

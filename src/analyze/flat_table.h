#pragma once

// Read-mostly hash table from strings to values with open addressing. A
// lookup takes a string view, so callers need not build a key string. It
// probes one contiguous array instead of following std::unordered_map's node
// pointers, which matters where every token of every review is looked up.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopsight {

/// Map from strings of `Char` to `Value`, filled once by the constructor and then only read.
template <typename Char, typename Value>
class FlatTable {
 public:
  using Key = std::basic_string<Char>;
  using KeyView = std::basic_string_view<Char>;

  FlatTable() = default;

  /// Builds the table from (key, value) pairs. A repeated key keeps its first value.
  explicit FlatTable(std::vector<std::pair<Key, Value>> entries) {
    std::size_t capacity = 16;
    // At most half the slots are used, so probe runs stay short.
    while (capacity < entries.size() * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    entries_.reserve(entries.size());
    for (auto& [key, value] : entries) {
      const std::uint64_t hash = hash_key(key);
      std::size_t index = static_cast<std::size_t>(hash) & mask_;
      bool repeated = false;
      while (slots_[index].entry != kEmpty) {
        const Slot& slot = slots_[index];
        if (slot.hash == hash && entries_[slot.entry].first == key) {
          repeated = true;
          break;
        }
        index = (index + 1) & mask_;
      }
      if (repeated) continue;
      slots_[index] = {hash, static_cast<std::uint32_t>(entries_.size())};
      entries_.emplace_back(std::move(key), std::move(value));
    }
  }

  /// Value stored for `key`, or null when the table has no such key.
  const Value* find(KeyView key) const { return find(key, hash_key(key)); }

  /// Same as above, for a `hash` that hash_key() returned for `key`.
  const Value* find(KeyView key, std::uint64_t hash) const {
    if (entries_.empty()) return nullptr;
    for (std::size_t index = static_cast<std::size_t>(hash) & mask_;; index = (index + 1) & mask_) {
      const Slot& slot = slots_[index];
      if (slot.entry == kEmpty) return nullptr;
      if (slot.hash == hash && KeyView(entries_[slot.entry].first) == key) return &entries_[slot.entry].second;
    }
  }

  /// Starts loading the first slot that find() probes for `hash`, so that a
  /// caller with several keys can overlap their cache misses.
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(hash) & mask_]);
  }

  /// Number of keys.
  std::size_t size() const { return entries_.size(); }

  /// Hash of `key` as the table computes it: FNV-1a over the code units,
  /// mixed at the end so that the low bits, which pick the slot, depend on every unit.
  static std::uint64_t hash_key(KeyView key) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (Char c : key) {
      hash ^= static_cast<std::uint64_t>(c);
      hash *= 1099511628211ULL;
    }
    return hash ^ (hash >> 29);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kEmpty;
  };

  std::vector<Slot> slots_;
  std::vector<std::pair<Key, Value>> entries_;
  std::size_t mask_ = 0;
};

}  // namespace shopsight

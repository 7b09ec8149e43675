#pragma once

// Shared between the profile stage's files: the aggregates a Profiler reads
// once and the thresholds that docs/profiles.md documents.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "profile/profile.h"

namespace shopsight::profile {

/// An aspect interest is marked (gets a label) from this many mentions on.
inline constexpr std::int64_t kMinLabelMentions = 2;

/// ... and when its share of the user's mentions is at least this many times
/// the shop-wide share.
inline constexpr double kMinLabelLift = 1.5;

/// ... and when so many mentions of the category among the user's mentions
/// are at most this likely at the shop-wide share (one-sided binomial test),
/// so that 2 mentions among 747 do not make a label.
inline constexpr double kLabelSignificance = 0.05;

/// A mean score this far below or above the shop's makes a user critical or positive.
inline constexpr double kTendencyMargin = 0.25;

/// Users with fewer items get the tendency "undetermined", because a review or two reveal
/// little about how a person judges.
inline constexpr std::int64_t kMinTendencyItems = 3;

/// Products with fewer stored items are not recommended: their sentiment is noise.
inline constexpr std::int64_t kMinProductItems = 3;

/// Weight of the similarity in the recommendation score; the rest weighs the
/// product's mean sentiment mapped to [0, 1].
inline constexpr double kSimilarityWeight = 0.7;

/// Keywords kept in a profile.
inline constexpr std::size_t kProfileKeywords = 10;

/// Aggregates of every stored item.
struct ShopTotals {
  std::int64_t volume = 0;
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  double score_sum = 0;
  std::map<std::string, std::int64_t> aspect_mentions;
  std::int64_t all_mentions = 0;
};

/// Aggregates of one product over the whole stored history.
struct ProductTotals {
  std::string product;
  std::string category;
  std::int64_t volume = 0;
  std::int64_t positive = 0;
  double score_sum = 0;
  std::map<std::string, double> aspects;    ///< praise by category: positive minus negative mentions, at least 0
  std::map<std::string, double> keywords;   ///< items by keyword
  std::map<std::string, double> vector;     ///< interest features, normalized once for every user's ranking
};

/// Interest features with weights; aspect keys are "aspect:CATEGORY" and
/// keyword keys "keyword:WORD", so the two never collide.
using FeatureVector = std::map<std::string, double>;

/// Unit-length feature vector of aspect mentions and keyword counts, each
/// half normalized on its own and weighted equally when both are present.
FeatureVector interest_vector(const std::map<std::string, double>& aspects,
                              const std::map<std::string, double>& keywords);

/// Reads the shop-wide totals over the day buckets of [from, to).
ShopTotals read_shop_totals(const store::Store& store, std::int64_t from, std::int64_t to);

/// Reads the totals of every product with items in [from, to).
std::vector<ProductTotals> read_product_totals(const store::Store& store, std::int64_t from, std::int64_t to);

/// Every stored item of `user`, newest first.
std::vector<store::StoredItem> read_user_items(const store::Store& store, const std::string& user);

/// State of a Profiler: the store and the aggregates read so far.
struct Profiler::Impl {
  explicit Impl(const store::Store& source) : store(source) {}

  const store::Store& store;
  std::int64_t from = 0;                   ///< first day bucket, Unix ms
  std::int64_t to = 0;                     ///< end of the last day bucket, Unix ms
  ShopTotals shop;
  mutable std::mutex products_mutex;       ///< guards `products`, read on the first recommend()
  mutable std::optional<std::vector<ProductTotals>> products;

  /// Every product's totals, read from the store on the first call.
  const std::vector<ProductTotals>& product_totals() const;
};

}  // namespace shopsight::profile

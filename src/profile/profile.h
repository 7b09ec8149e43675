#pragma once

// Profile: what a user reviews, how they judge and which aspects they care
// about, computed from the store's analyzed items (whose texts are already
// masked), and product recommendations that follow those interests.

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace shopsight::profile {

/// A name with the number of the user's items or mentions behind it.
struct Count {
  std::string name;
  std::int64_t count = 0;
};

/// Sentiment of the user's items next to the whole shop's.
struct SentimentTendency {
  double mean_score = 0;              ///< mean sentiment score of the user's items, in [-1, 1]
  double negative_share = 0;          ///< share of the user's items labelled negative
  double positive_share = 0;
  double shop_mean_score = 0;         ///< the same over every stored item
  double shop_negative_share = 0;
  std::string tendency;               ///< critical, typical, positive or undetermined; see docs/profiles.md
};

/// How much the user talks about one aspect category compared with the shop.
struct AspectInterest {
  std::string category;               ///< aspect category key
  std::int64_t mentions = 0;          ///< the user's mentions of the category
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  double share = 0;                   ///< the category's share of the user's aspect mentions
  double shop_share = 0;              ///< its share of every stored aspect mention
  double lift = 0;                    ///< share / shop_share
  double p_value = 1;                 ///< chance of this many mentions or more at the shop-wide share
  std::string label;                  ///< e.g. price-sensitive; empty when the interest is not marked
};

/// Everything known about one user from their stored items.
struct UserProfile {
  std::string user;
  std::int64_t items = 0;
  std::int64_t first_time = 0;        ///< Unix ms UTC of the earliest item
  std::int64_t last_time = 0;         ///< Unix ms UTC of the latest item
  std::int64_t active_days = 0;       ///< distinct UTC days with items
  std::vector<Count> channels;        ///< by items, largest first
  std::vector<Count> categories;
  std::vector<Count> products;
  SentimentTendency sentiment;
  std::vector<AspectInterest> aspects;  ///< every category the user mentions, by lift then mentions
  std::vector<std::string> labels;    ///< labels of the marked interests, strongest first
  std::vector<Count> keywords;        ///< most frequent keywords of the user's items
};

/// A product the user has not reviewed, ranked by fit and reputation.
struct Recommendation {
  std::string product;
  std::string category;               ///< category of the product's latest item
  double score = 0;                   ///< 0.7 * similarity + 0.3 * (mean_score + 1) / 2
  double similarity = 0;              ///< cosine between the user's interests and the product, in [0, 1]
  double mean_score = 0;              ///< mean sentiment score of the product's items
  double positive_share = 0;          ///< share of its items labelled positive
  std::int64_t volume = 0;            ///< its stored items
  std::vector<std::string> matched;   ///< features named in the explanation: of those that add most to the similarity, "keyword:WORD" and the "aspect:CATEGORY" with a lift above 1
  std::string explanation;            ///< one localized line
};

/// Builds user profiles and recommendations, reading the shop-wide and
/// per-product aggregates once for all users.
class Profiler {
 public:
  /// Reads the shop-wide totals; throws shopsight::Error when the store is empty.
  explicit Profiler(const store::Store& store);
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  /// Profile of `user`; throws shopsight::Error when the user has no items.
  UserProfile user_profile(const std::string& user) const;

  /// Up to `top` products for the profiled user, best first.
  std::vector<Recommendation> recommend(const UserProfile& profile, int top) const;

  /// Users with items, most items first.
  std::vector<std::string> users() const;

  /// Reads every product's totals now rather than in the first recommend(),
  /// so that a server can prepare a profiler before a request needs it.
  void load_products() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Profile of `user`; throws shopsight::Error when the user has no items.
UserProfile user_profile(const store::Store& store, const std::string& user);

/// Up to `top` products that `user` has not reviewed, best first; throws
/// shopsight::Error when the user has no items.
std::vector<Recommendation> recommend(const store::Store& store, const std::string& user, int top);

/// Writes the profile of every user as JSON Lines; returns the users written.
std::int64_t export_profiles(const store::Store& store, std::ostream& out);

/// JSON object of a profile, times in ISO 8601 UTC.
nlohmann::json to_json(const UserProfile& profile);

/// JSON array of recommendations.
nlohmann::json to_json(const std::vector<Recommendation>& recommendations);

/// Localized plain-text rendering of a profile.
std::string format_text(const UserProfile& profile);

/// Localized plain-text rendering of recommendations.
std::string format_text(const std::vector<Recommendation>& recommendations);

}  // namespace shopsight::profile

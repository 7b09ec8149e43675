// Ranks products the user has not reviewed by how well they match the
// user's interests and how well other reviewers rate them.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "common/i18n.h"
#include "profile/internal.h"

namespace shopsight::profile {
namespace {

/// Features named in an explanation at most.
constexpr std::size_t kExplainedFeatures = 2;

// "overall" and "other" are in nearly every product's mentions, so they
// would make every product look similar to every user.
bool is_interest_category(const std::string& category) { return category != "overall" && category != "other"; }

FeatureVector user_vector(const UserProfile& profile) {
  std::map<std::string, double> aspects;
  for (const auto& interest : profile.aspects) {
    if (is_interest_category(interest.category)) aspects[interest.category] = static_cast<double>(interest.mentions);
  }
  std::map<std::string, double> keywords;
  for (const auto& keyword : profile.keywords) keywords[keyword.name] = static_cast<double>(keyword.count);
  return interest_vector(aspects, keywords);
}

FeatureVector product_vector(const ProductTotals& product) {
  std::map<std::string, double> aspects;
  for (const auto& [category, mentions] : product.aspects) {
    if (is_interest_category(category)) aspects[category] = mentions;
  }
  return interest_vector(aspects, product.keywords);
}

/// A feature's part of the cosine similarity.
struct Contribution {
  std::string feature;
  double value = 0;
};

std::vector<Contribution> contributions(const FeatureVector& user, const FeatureVector& product) {
  std::vector<Contribution> parts;
  for (const auto& [feature, weight] : user) {
    const auto found = product.find(feature);
    if (found != product.end()) parts.push_back({feature, weight * found->second});
  }
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.value > b.value; });
  return parts;
}

constexpr std::string_view kAspect = "aspect:";
constexpr std::string_view kKeyword = "keyword:";

// The word a feature shows: the localized aspect category or the keyword.
std::string feature_word(const std::string& feature) {
  if (feature.starts_with(kAspect)) return aspect_category_name(feature.substr(kAspect.size()));
  if (feature.starts_with(kKeyword)) return feature.substr(kKeyword.size());
  return feature;
}

// Display name of a feature: the keyword in quotes, so that it reads apart
// from category names such as "size and fit".
std::string feature_name(const std::string& feature) {
  return feature.starts_with(kKeyword) ? "\"" + feature_word(feature) + "\"" : feature_word(feature);
}

std::string explanation(const Recommendation& recommendation) {
  const auto percent = static_cast<int>(std::lround(100 * recommendation.positive_share));
  const auto& matched = recommendation.matched;
  if (matched.empty()) return tr("rated well by other reviewers; {}% positive", percent);
  const std::string first = feature_name(matched[0]);
  const std::string interests = matched.size() == 1 ? first : tr("{} and {}", first, feature_name(matched[1]));
  return tr("matches your interest in {}; {}% positive", interests, percent);
}

// Features that an explanation may name: the user's keywords, and the aspect
// categories the user mentions more than the shop does (lift above 1). An
// interest below the shop average still adds to the similarity, but naming
// it would tell the user something that their reviews do not show.
std::set<std::string> explainable_features(const UserProfile& profile) {
  std::set<std::string> features;
  for (const auto& interest : profile.aspects) {
    if (interest.lift > 1) features.insert("aspect:" + interest.category);
  }
  for (const auto& keyword : profile.keywords) features.insert("keyword:" + keyword.name);
  return features;
}

// The aspect feature that a keyword names ("aspect:price" for the keyword
// "价格" or "price"), or the feature itself, so that one interest is named
// once whichever language its reviews used.
std::string named_interest(const std::string& feature) {
  if (!feature.starts_with(kKeyword)) return feature;
  const std::string category = aspect_category_named(feature_word(feature));
  return category.empty() ? feature : std::string(kAspect) + category;
}

// Checks whether a keyword is the name of an aspect category (质量, "price")
// that reviewers of the product do not praise. Keywords have no polarity in
// the store, so "质量" from "质量很差" would otherwise read as a match.
bool names_unpraised_aspect(const std::string& feature, const ProductTotals& product) {
  const std::string interest = named_interest(feature);
  return interest != feature && !product.vector.contains(interest);
}

Recommendation score_product(const FeatureVector& user, const std::set<std::string>& explainable,
                             const ProductTotals& product) {
  Recommendation result;
  result.product = product.product;
  result.category = product.category;
  result.volume = product.volume;
  result.mean_score = product.score_sum / static_cast<double>(product.volume);
  result.positive_share = static_cast<double>(product.positive) / static_cast<double>(product.volume);
  // A keyword that is also the name of a matched aspect (质量 and "质量",
  // 价格 and "price") would repeat it, so the explanation names the next
  // feature instead.
  std::set<std::string> named;
  for (const auto& part : contributions(user, product.vector)) {
    result.similarity += part.value;
    if (result.matched.size() < kExplainedFeatures && explainable.contains(part.feature) &&
        !names_unpraised_aspect(part.feature, product) && named.insert(named_interest(part.feature)).second) {
      result.matched.push_back(part.feature);
    }
  }
  result.similarity = std::clamp(result.similarity, 0.0, 1.0);
  const double reputation = (std::clamp(result.mean_score, -1.0, 1.0) + 1) / 2;
  result.score = kSimilarityWeight * result.similarity + (1 - kSimilarityWeight) * reputation;
  result.explanation = explanation(result);
  return result;
}

}  // namespace

const std::vector<ProductTotals>& Profiler::Impl::product_totals() const {
  const std::lock_guard lock(products_mutex);
  if (!products) {
    products = read_product_totals(store, from, to);
    for (ProductTotals& product : *products) product.vector = product_vector(product);
  }
  return *products;
}

void Profiler::load_products() const { impl_->product_totals(); }

std::vector<Recommendation> Profiler::recommend(const UserProfile& profile, int top) const {
  const std::vector<ProductTotals>& products = impl_->product_totals();

  std::set<std::string> reviewed;
  for (const auto& product : profile.products) reviewed.insert(product.name);
  const FeatureVector user = user_vector(profile);
  const std::set<std::string> explainable = explainable_features(profile);
  std::vector<Recommendation> ranked;
  for (const auto& product : products) {
    if (!reviewed.contains(product.product)) ranked.push_back(score_product(user, explainable, product));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.product < b.product;
  });
  if (top >= 0 && ranked.size() > static_cast<std::size_t>(top)) ranked.resize(static_cast<std::size_t>(top));
  return ranked;
}

}  // namespace shopsight::profile

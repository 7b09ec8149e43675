// Reads the shop, product and user aggregates that profiles compare.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "profile/internal.h"

namespace shopsight::profile {
namespace {

constexpr std::int64_t kItemPage = 1000;

store::Series read_days(const store::Store& store, const std::string& dimension, const std::string& value,
                        std::int64_t from, std::int64_t to, bool keywords) {
  store::SeriesQuery query;
  query.dimension = dimension;
  query.value = value;
  query.granularity = store::Granularity::day;
  query.from = from;
  query.to = to;
  query.keywords = keywords;
  return store.series(query);
}

// Scales `values` to unit length, times `weight`, into `out` under `prefix`.
void add_normalized(const std::map<std::string, double>& values, const std::string& prefix, double weight,
                    FeatureVector& out) {
  double norm = 0;
  for (const auto& [name, value] : values) norm += value * value;
  if (norm <= 0) return;
  norm = std::sqrt(norm);
  for (const auto& [name, value] : values) {
    if (value > 0) out[prefix + name] = weight * value / norm;
  }
}

bool has_positive(const std::map<std::string, double>& values) {
  for (const auto& entry : values) {
    if (entry.second > 0) return true;
  }
  return false;
}

std::string latest_category(const store::Store& store, const std::string& product) {
  store::ItemQuery query;
  query.dimension = "product";
  query.value = product;
  query.limit = 1;
  const auto items = store.items(query);
  return items.empty() ? std::string() : items.front().category;
}

}  // namespace

FeatureVector interest_vector(const std::map<std::string, double>& aspects,
                              const std::map<std::string, double>& keywords) {
  const bool both = has_positive(aspects) && has_positive(keywords);
  const double weight = both ? 1 / std::sqrt(2.0) : 1.0;
  FeatureVector vector;
  add_normalized(aspects, "aspect:", weight, vector);
  add_normalized(keywords, "keyword:", weight, vector);
  return vector;
}

ShopTotals read_shop_totals(const store::Store& store, std::int64_t from, std::int64_t to) {
  ShopTotals totals;
  for (const auto& bucket : read_days(store, "shop", "", from, to, false).buckets) {
    totals.volume += bucket.volume;
    totals.positive += bucket.positive;
    totals.negative += bucket.negative;
    totals.score_sum += bucket.score_sum;
    for (const auto& [category, counts] : bucket.aspects) {
      totals.aspect_mentions[category] += counts.mentions;
      totals.all_mentions += counts.mentions;
    }
  }
  return totals;
}

std::vector<ProductTotals> read_product_totals(const store::Store& store, std::int64_t from, std::int64_t to) {
  std::vector<ProductTotals> products;
  for (const auto& summary : store.values("product", store::Granularity::day, from, to)) {
    if (summary.value.empty() || summary.volume < kMinProductItems) continue;
    ProductTotals product;
    product.product = summary.value;
    product.volume = summary.volume;
    product.positive = summary.positive;
    product.score_sum = summary.score_sum;
    product.category = latest_category(store, summary.value);
    for (const auto& bucket : read_days(store, "product", summary.value, from, to, true).buckets) {
      for (const auto& [category, counts] : bucket.aspects) {
        product.aspects[category] += static_cast<double>(counts.positive - counts.negative);
      }
      for (const auto& [word, count] : bucket.keywords) product.keywords[word] += static_cast<double>(count);
    }
    // A product matches an interest in an aspect only where reviewers praise
    // it: complaints about the price must not send a price-minded user there.
    for (auto& entry : product.aspects) entry.second = std::max(0.0, entry.second);
    products.push_back(std::move(product));
  }
  return products;
}

std::vector<store::StoredItem> read_user_items(const store::Store& store, const std::string& user) {
  store::ItemQuery query;
  query.dimension = "user";
  query.value = user;
  query.limit = kItemPage;
  std::vector<store::StoredItem> items;
  for (;;) {
    std::vector<store::StoredItem> page = store.items(query);
    const bool last = static_cast<std::int64_t>(page.size()) < kItemPage;
    for (auto& item : page) items.push_back(std::move(item));
    if (last) break;
    query.offset += kItemPage;
  }
  return items;
}

}  // namespace shopsight::profile

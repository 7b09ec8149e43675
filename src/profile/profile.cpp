// User profiles from stored items.

#include "profile/profile.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "detect/statistics.h"
#include "profile/internal.h"

namespace shopsight::profile {
namespace {

constexpr std::int64_t kDayMilliseconds = 86'400'000;

/// Label of a marked interest in each standard aspect category. "overall"
/// and "other" carry no information about what a user cares for, so they get none.
struct AspectLabel {
  const char* category;
  const char* label;
};

constexpr AspectLabel kAspectLabels[] = {
    {"quality", "quality-focused"},         {"price", "price-sensitive"},
    {"logistics", "logistics-sensitive"},   {"service", "service-focused"},
    {"packaging", "packaging-conscious"},   {"appearance", "appearance-focused"},
    {"size_fit", "fit-conscious"},          {"function", "performance-focused"},
    {"authenticity", "authenticity-conscious"}, {"freshness_taste", "freshness-focused"},
    {"smell", "smell-sensitive"},           {"ingredients", "ingredient-conscious"},
    {"user_experience", "experience-focused"},
};

std::string label_of(const std::string& category) {
  for (const auto& entry : kAspectLabels) {
    if (category == entry.category) return entry.label;
  }
  return {};
}

std::vector<Count> sorted_counts(const std::map<std::string, std::int64_t>& counts, std::size_t limit = 0) {
  std::vector<Count> sorted;
  for (const auto& [name, count] : counts) {
    if (!name.empty()) sorted.push_back({name, count});
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const Count& a, const Count& b) { return a.count > b.count; });
  if (limit > 0 && sorted.size() > limit) sorted.resize(limit);
  return sorted;
}

// Active days are days of the store's day buckets, local days when it has a zone.
void fill_activity(const std::vector<store::StoredItem>& items, std::int64_t bucket_offset, UserProfile& profile) {
  std::map<std::string, std::int64_t> channels;
  std::map<std::string, std::int64_t> categories;
  std::map<std::string, std::int64_t> products;
  std::set<std::int64_t> days;
  profile.items = static_cast<std::int64_t>(items.size());
  profile.first_time = items.front().time;
  profile.last_time = items.front().time;
  for (const auto& item : items) {
    profile.first_time = std::min(profile.first_time, item.time);
    profile.last_time = std::max(profile.last_time, item.time);
    days.insert(store::bucket_start(item.time, store::Granularity::day, bucket_offset));
    ++channels[item.channel];
    ++categories[item.category];
    ++products[item.product];
  }
  profile.active_days = static_cast<std::int64_t>(days.size());
  profile.channels = sorted_counts(channels);
  profile.categories = sorted_counts(categories);
  profile.products = sorted_counts(products);
}

void fill_sentiment(const std::vector<store::StoredItem>& items, const ShopTotals& shop, UserProfile& profile) {
  double score_sum = 0;
  std::int64_t negative = 0;
  std::int64_t positive = 0;
  for (const auto& item : items) {
    score_sum += item.analysis.sentiment.score;
    negative += item.analysis.sentiment.label == "negative" ? 1 : 0;
    positive += item.analysis.sentiment.label == "positive" ? 1 : 0;
  }
  const auto n = static_cast<double>(items.size());
  SentimentTendency& s = profile.sentiment;
  s.mean_score = score_sum / n;
  s.negative_share = static_cast<double>(negative) / n;
  s.positive_share = static_cast<double>(positive) / n;
  if (shop.volume > 0) {
    s.shop_mean_score = shop.score_sum / static_cast<double>(shop.volume);
    s.shop_negative_share = static_cast<double>(shop.negative) / static_cast<double>(shop.volume);
  }
  const double difference = s.mean_score - s.shop_mean_score;
  s.tendency = "typical";
  if (difference <= -kTendencyMargin) s.tendency = "critical";
  if (difference >= kTendencyMargin) s.tendency = "positive";
  if (profile.items < kMinTendencyItems) s.tendency = "undetermined";
}

void fill_aspects(const std::vector<store::StoredItem>& items, const ShopTotals& shop, UserProfile& profile) {
  std::map<std::string, AspectInterest> by_category;
  std::int64_t total = 0;
  for (const auto& item : items) {
    for (const auto& mention : item.analysis.aspects) {
      AspectInterest& interest = by_category[mention.category];
      interest.category = mention.category;
      ++interest.mentions;
      interest.positive += mention.polarity == "positive" ? 1 : 0;
      interest.negative += mention.polarity == "negative" ? 1 : 0;
      ++total;
    }
  }
  for (auto& [category, interest] : by_category) {
    interest.share = static_cast<double>(interest.mentions) / static_cast<double>(total);
    const auto found = shop.aspect_mentions.find(category);
    if (found != shop.aspect_mentions.end() && shop.all_mentions > 0) {
      interest.shop_share = static_cast<double>(found->second) / static_cast<double>(shop.all_mentions);
    }
    interest.lift = interest.shop_share > 0 ? interest.share / interest.shop_share : 0.0;
    if (interest.shop_share > 0) {
      interest.p_value = detect::beta_binomial_upper_tail(interest.mentions, total, interest.shop_share, 0.0);
    }
    if (interest.mentions >= kMinLabelMentions && interest.lift >= kMinLabelLift &&
        interest.p_value <= kLabelSignificance) {
      interest.label = label_of(category);
    }
    profile.aspects.push_back(interest);
  }
  std::stable_sort(profile.aspects.begin(), profile.aspects.end(), [](const auto& a, const auto& b) {
    return a.mentions != b.mentions ? a.mentions > b.mentions : a.lift > b.lift;
  });

  std::vector<const AspectInterest*> marked;
  for (const auto& interest : profile.aspects) {
    if (!interest.label.empty()) marked.push_back(&interest);
  }
  std::stable_sort(marked.begin(), marked.end(), [](const auto* a, const auto* b) { return a->lift > b->lift; });
  for (const auto* interest : marked) profile.labels.push_back(interest->label);
}

void fill_keywords(const std::vector<store::StoredItem>& items, UserProfile& profile) {
  std::map<std::string, std::int64_t> counts;
  for (const auto& item : items) {
    for (const auto& keyword : item.analysis.keywords) ++counts[keyword.word];
  }
  profile.keywords = sorted_counts(counts, kProfileKeywords);
}

}  // namespace

Profiler::Profiler(const store::Store& store) : impl_(std::make_unique<Impl>(store)) {
  const auto earliest = store.earliest_time();
  const auto latest = store.latest_time();
  if (!earliest || !latest) throw Error(tr("the store has no items; add some with shopsight ingest"));
  impl_->from = store::bucket_start(*earliest, store::Granularity::day, store.bucket_offset());
  impl_->to = store::bucket_start(*latest, store::Granularity::day, store.bucket_offset()) + kDayMilliseconds;
  impl_->shop = read_shop_totals(store, impl_->from, impl_->to);
}

Profiler::~Profiler() = default;

UserProfile Profiler::user_profile(const std::string& user) const {
  const std::vector<store::StoredItem> items = read_user_items(impl_->store, user);
  if (user.empty() || items.empty()) throw Error(tr("user {} has no items in the store", user));
  UserProfile profile;
  profile.user = user;
  fill_activity(items, impl_->store.bucket_offset(), profile);
  fill_sentiment(items, impl_->shop, profile);
  fill_aspects(items, impl_->shop, profile);
  fill_keywords(items, profile);
  return profile;
}

std::vector<std::string> Profiler::users() const {
  std::vector<std::string> names;
  for (const auto& summary : impl_->store.values("user", store::Granularity::day, impl_->from, impl_->to)) {
    if (!summary.value.empty()) names.push_back(summary.value);
  }
  return names;
}

UserProfile user_profile(const store::Store& store, const std::string& user) {
  return Profiler(store).user_profile(user);
}

std::vector<Recommendation> recommend(const store::Store& store, const std::string& user, int top) {
  const Profiler profiler(store);
  return profiler.recommend(profiler.user_profile(user), top);
}

std::int64_t export_profiles(const store::Store& store, std::ostream& out) {
  const Profiler profiler(store);
  std::int64_t written = 0;
  for (const std::string& user : profiler.users()) {
    out << to_json(profiler.user_profile(user)).dump() << '\n';
    ++written;
  }
  if (!out) throw Error(tr("writing the profiles failed; the disk may be full"));
  return written;
}

}  // namespace shopsight::profile

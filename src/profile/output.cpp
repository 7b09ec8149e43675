// JSON and plain-text renderings of profiles and recommendations.

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <string>

#include "analyze/analyze.h"
#include "common/i18n.h"
#include "profile/profile.h"

namespace shopsight::profile {
namespace {

std::string utc_time(std::int64_t milliseconds, const char* format) {
  const auto seconds = static_cast<std::time_t>(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000);
  return fmt::format(fmt::runtime(format), fmt::gmtime(seconds));
}

nlohmann::json counts_json(const std::vector<Count>& counts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& count : counts) out.push_back({{"name", count.name}, {"count", count.count}});
  return out;
}

nlohmann::json aspect_json(const AspectInterest& interest) {
  return {{"category", interest.category}, {"mentions", interest.mentions}, {"positive", interest.positive},
          {"negative", interest.negative}, {"share", interest.share},       {"shop_share", interest.shop_share},
          {"lift", interest.lift},         {"label", interest.label}};
}

std::string counts_text(const std::vector<Count>& counts) {
  std::string out;
  for (const auto& count : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", count.name, count.count);
  }
  return out.empty() ? "-" : out;
}

int percent(double share) { return static_cast<int>(std::lround(100 * share)); }

std::string tendency_text(const std::string& tendency) {
  if (tendency == "critical") return tr("more critical than the shop average");
  if (tendency == "positive") return tr("more positive than the shop average");
  if (tendency == "undetermined") return tr("too few items to compare with the shop average");
  return tr("close to the shop average");
}

std::string aspects_text(const UserProfile& profile) {
  std::string out;
  for (const auto& interest : profile.aspects) {
    out += "  " + tr("{}: {} mentions ({}% positive, {}% negative), {}% of the user's mentions against {}% shop-wide, "
                     "lift {:.2f}",
                     aspect_category_name(interest.category), interest.mentions,
                     percent(static_cast<double>(interest.positive) / static_cast<double>(interest.mentions)),
                     percent(static_cast<double>(interest.negative) / static_cast<double>(interest.mentions)),
                     percent(interest.share), percent(interest.shop_share), interest.lift);
    if (!interest.label.empty()) out += fmt::format(" [{}]", translate(interest.label));
    out += "\n";
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const UserProfile& profile) {
  nlohmann::json aspects = nlohmann::json::array();
  for (const auto& interest : profile.aspects) aspects.push_back(aspect_json(interest));
  const SentimentTendency& s = profile.sentiment;
  return {{"user", profile.user},
          {"activity",
           {{"items", profile.items},
            {"first_time", utc_time(profile.first_time, "{:%Y-%m-%dT%H:%M:%SZ}")},
            {"last_time", utc_time(profile.last_time, "{:%Y-%m-%dT%H:%M:%SZ}")},
            {"active_days", profile.active_days},
            {"channels", counts_json(profile.channels)}}},
          {"categories", counts_json(profile.categories)},
          {"products", counts_json(profile.products)},
          {"sentiment",
           {{"mean_score", s.mean_score},
            {"negative_share", s.negative_share},
            {"positive_share", s.positive_share},
            {"shop_mean_score", s.shop_mean_score},
            {"shop_negative_share", s.shop_negative_share},
            {"tendency", s.tendency}}},
          {"aspects", aspects},
          {"labels", profile.labels},
          {"keywords", counts_json(profile.keywords)}};
}

nlohmann::json to_json(const std::vector<Recommendation>& recommendations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : recommendations) {
    out.push_back({{"product", r.product},
                   {"category", r.category},
                   {"score", r.score},
                   {"similarity", r.similarity},
                   {"mean_score", r.mean_score},
                   {"positive_share", r.positive_share},
                   {"volume", r.volume},
                   {"matched", r.matched},
                   {"explanation", r.explanation}});
  }
  return out;
}

std::string format_text(const UserProfile& profile) {
  const SentimentTendency& s = profile.sentiment;
  std::string out = tr("User {}: {} items from {} to {} on {} active days", profile.user, profile.items,
                       utc_time(profile.first_time, "{:%Y-%m-%d}"), utc_time(profile.last_time, "{:%Y-%m-%d}"),
                       profile.active_days) +
                    "\n";
  out += tr("channels: {}", counts_text(profile.channels)) + "\n";
  out += tr("categories: {}", counts_text(profile.categories)) + "\n";
  out += tr("products: {}", counts_text(profile.products)) + "\n";
  out += tr("sentiment: mean score {:.2f} (shop {:.2f}), {}% negative (shop {}%): {}", s.mean_score,
            s.shop_mean_score, percent(s.negative_share), percent(s.shop_negative_share), tendency_text(s.tendency)) +
         "\n";
  out += tr("aspects:") + "\n" + aspects_text(profile);
  std::string labels;
  for (const auto& label : profile.labels) labels += (labels.empty() ? "" : ", ") + std::string(translate(label));
  out += tr("labels: {}", labels.empty() ? "-" : labels) + "\n";
  out += tr("keywords: {}", counts_text(profile.keywords)) + "\n";
  return out;
}

std::string format_text(const std::vector<Recommendation>& recommendations) {
  if (recommendations.empty()) return tr("no products to recommend: every product is reviewed or has too few items") + "\n";
  std::string out;
  int rank = 0;
  for (const auto& r : recommendations) {
    out += fmt::format("{}. {} ({}) {:.3f}: {}\n", ++rank, r.product, r.category.empty() ? "-" : r.category, r.score,
                       r.explanation);
  }
  return out;
}

}  // namespace shopsight::profile

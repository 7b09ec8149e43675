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
          {"lift", interest.lift},         {"p_value", interest.p_value}, {"label", interest.label}};
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

// A share in percent with two significant digits below 10 %, so that small
// shares such as 0.27 % and 0.17 % still show the difference a lift rests on.
std::string precise_percent(double share) {
  const double value = 100 * share;
  if (value == 0 || value >= 10) return fmt::format("{:.0f}", value);
  return fmt::format("{:.2g}", value);
}

// Channel names are data keys; the standard ones read in the user's language.
std::string channel_name(const std::string& channel) {
  if (channel == "review" || channel == "query" || channel == "chat") return std::string(translate(channel));
  return channel;
}

std::string channels_text(const std::vector<Count>& channels) {
  std::vector<Count> named = channels;
  for (auto& count : named) count.name = channel_name(count.name);
  return counts_text(named);
}

std::string tendency_text(const std::string& tendency) {
  if (tendency == "critical") return tr("more critical than the shop average");
  if (tendency == "positive") return tr("more positive than the shop average");
  if (tendency == "undetermined") return tr("too few items to compare with the shop average");
  return tr("close to the shop average");
}

std::string aspects_text(const UserProfile& profile) {
  std::string out;
  for (const auto& interest : profile.aspects) {
    const auto mentions = static_cast<double>(interest.mentions);
    const int positive = percent(static_cast<double>(interest.positive) / mentions);
    const int negative = percent(static_cast<double>(interest.negative) / mentions);
    const std::string share = precise_percent(interest.share);
    const std::string shop_share = precise_percent(interest.shop_share);
    const std::string name = aspect_category_name(interest.category);
    out += "  " + (interest.mentions == 1
                       ? tr("{}: 1 mention ({}% positive, {}% negative), {}% of the user's mentions against {}% "
                            "shop-wide, lift {:.2f}",
                            name, positive, negative, share, shop_share, interest.lift)
                       : tr("{}: {} mentions ({}% positive, {}% negative), {}% of the user's mentions against {}% "
                            "shop-wide, lift {:.2f}",
                            name, interest.mentions, positive, negative, share, shop_share, interest.lift));
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
  const std::string items = profile.items == 1 ? tr("1 item") : tr("{} items", profile.items);
  const std::string days = profile.active_days == 1 ? tr("1 active day") : tr("{} active days", profile.active_days);
  std::string out = tr("User {}: {} from {} to {} on {}", profile.user, items,
                       utc_time(profile.first_time, "{:%Y-%m-%d}"), utc_time(profile.last_time, "{:%Y-%m-%d}"), days) +
                    "\n";
  out += tr("channels: {}", channels_text(profile.channels)) + "\n";
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

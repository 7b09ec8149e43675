// The topic result as a terminal table and as JSON.

#include <fmt/format.h>

#include "common/i18n.h"
#include "topics/topics.h"

namespace shopsight {
namespace {

// Noise ids listed in the table before it ends with "and N more"; JSON lists all.
constexpr std::size_t kNoiseIdsShown = 20;

std::string join_keywords(const std::vector<TopicKeyword>& keywords) {
  std::string out;
  for (const TopicKeyword& keyword : keywords) {
    if (!out.empty()) out += language() == Language::zh ? "、" : ", ";
    out += keyword.word;
  }
  return out;
}

void append_timeline(const TopicResult& result, std::string& out) {
  out += '\n';
  out += result.period == "week" ? tr("Topic counts per week (weeks start on Monday, {})", result.timezone)
                                 : tr("Topic counts per day ({})", result.timezone);
  out += '\n';
  out += fmt::format("  {:<10}", tr("period"));
  for (const Topic& topic : result.topics) out += fmt::format(" {:>5}", fmt::format("#{}", topic.id));
  out += fmt::format(" {:>6}\n", tr("noise"));
  for (std::size_t p = 0; p < result.periods.size(); ++p) {
    out += fmt::format("  {:<10}", result.periods[p]);
    for (const Topic& topic : result.topics) out += fmt::format(" {:>5}", topic.timeline[p]);
    out += fmt::format(" {:>6}\n", result.noise_timeline[p]);
  }
  if (result.items_without_time > 0) {
    out += (result.items_without_time == 1
                ? tr("1 review has no time and is not counted above")
                : tr("{} reviews have no time and are not counted above", result.items_without_time)) +
           '\n';
  }
}

}  // namespace

std::string format_topics(const TopicResult& result, const std::vector<TopicItem>& items) {
  // English counts take a singular for one; each count is its own phrase so
  // that the sentence can order them as each language needs.
  const std::size_t topics = result.topics.size();
  const std::string topic_count = topics == 1 ? tr("{} topic", topics) : tr("{} topics", topics);
  const std::string review_count = result.items == 1 ? tr("{} review", result.items) : tr("{} reviews", result.items);
  const std::size_t noise = result.noise.size();
  const std::string noise_count =
      noise == 1 ? tr("{} review is noise", noise) : tr("{} reviews are noise", noise);
  std::string out = tr("{} in {} ({} vectors); {}", topic_count, review_count, result.vectors, noise_count);
  out += "\n\n";
  out += fmt::format("  {:>4} {:>7}  {}\n", "#", tr("reviews"), tr("keywords"));
  for (const Topic& topic : result.topics) {
    out += fmt::format("  {:>4} {:>7}  {}\n", topic.id, topic.members.size(), join_keywords(topic.keywords));
    for (const std::string& snippet : topic.snippets) out += fmt::format("  {:>4} {:>7}  - {}\n", "", "", snippet);
  }

  if (!result.noise.empty()) {
    std::string ids;
    for (std::size_t k = 0; k < std::min(result.noise.size(), kNoiseIdsShown); ++k) {
      if (!ids.empty()) ids += ", ";
      ids += items[result.noise[k]].id;
    }
    out += '\n' + (noise == 1 ? tr("Noise (1 review in no topic), id: {}", ids)
                              : tr("Noise ({} reviews in no topic), ids: {}", noise, ids));
    if (result.noise.size() > kNoiseIdsShown) out += tr(" and {} more", result.noise.size() - kNoiseIdsShown);
    out += '\n';
  }
  if (!result.period.empty()) append_timeline(result, out);
  return out;
}

nlohmann::json topics_to_json(const TopicResult& result, const std::vector<TopicItem>& items) {
  nlohmann::json topics = nlohmann::json::array();
  for (const Topic& topic : result.topics) {
    nlohmann::json keywords = nlohmann::json::array();
    for (const TopicKeyword& keyword : topic.keywords) {
      keywords.push_back({{"word", keyword.word}, {"weight", keyword.weight}});
    }
    nlohmann::json entry = {{"id", topic.id},
                            {"size", topic.members.size()},
                            {"keywords", std::move(keywords)},
                            {"snippets", topic.snippets}};
    if (!result.period.empty()) entry["timeline"] = topic.timeline;
    topics.push_back(std::move(entry));
  }

  nlohmann::json noise_ids = nlohmann::json::array();
  for (std::size_t index : result.noise) noise_ids.push_back(items[index].id);
  nlohmann::json out = {{"items", result.items},
                        {"vectors", result.vectors},
                        {"neighbours", result.neighbours},
                        {"min_similarity", result.min_similarity},
                        {"topics", std::move(topics)},
                        {"noise", {{"count", result.noise.size()}, {"ids", std::move(noise_ids)}}}};
  if (!result.period.empty()) {
    out["timeline"] = {{"period", result.period},
                       {"timezone", result.timezone},
                       {"periods", result.periods},
                       {"noise", result.noise_timeline},
                       {"items_without_time", result.items_without_time}};
  }
  return out;
}

}  // namespace shopsight

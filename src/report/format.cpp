// Number, name and time formatting shared by the Markdown and HTML writers.

#include <fmt/format.h>

#include "common/i18n.h"
#include "report/report_data.h"

namespace shopsight::report {

std::string format_percent(std::int64_t part, std::int64_t total) {
  if (total <= 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(total));
}

std::string format_count_share(std::int64_t part, std::int64_t total) {
  return fmt::format("{} ({})", part, format_percent(part, total));
}

std::string format_score(double score) { return fmt::format("{:+.2f}", score); }

std::string format_rating(const std::optional<double>& rating) {
  return rating ? fmt::format("{:.2f}", *rating) : "-";
}

std::string category_display_name(const std::string& category) {
  return category.empty() ? tr("(no category)") : category;
}

std::string channel_display_name(const std::string& channel) {
  if (channel == "review") return tr("reviews");
  if (channel == "query") return tr("search queries");
  if (channel == "chat") return tr("chat messages");
  return channel;
}

std::string format_time_range(const ReportView& view) {
  if (view.first_time_local.empty()) return {};
  return tr("{} to {} ({})", view.first_time_local, view.last_time_local, view.timezone);
}

std::string channel_summary(const GroupView& group) {
  std::string channels;
  for (const auto& [channel, count] : group.channels) {
    if (!channels.empty()) channels += tr(", ");
    channels += fmt::format("{} {}", channel_display_name(channel), count);
  }
  return tr("Items by channel: {}. Items with a rating: {}.", channels, group.rated);
}

std::string no_keywords_message(const GroupView& group) {
  if (group.sentiment.negative == 0 || group.sentiment.positive == 0) {
    return tr("Too few negative or positive items to compare keywords.");
  }
  return tr("No keyword is clearly more common in negative or in positive items.");
}

std::string partial_bucket_note(const std::string& bucket, const TimeBucket& point) {
  if (bucket == "week") {
    return tr("The data covers only {} of the {} days of the week of {} ({} to {}), so its count is not comparable "
              "with whole weeks.",
              point.covered_days, point.days, point.label, point.covered_from, point.covered_to);
  }
  return tr("The data covers only {} of the {} days of {} ({} to {}), so its count is not comparable with whole "
            "months.",
            point.covered_days, point.days, point.label, point.covered_from, point.covered_to);
}

std::string bucket_display_name(const std::string& bucket) {
  if (bucket == "week") return tr("Week of");
  if (bucket == "month") return tr("Month");
  return tr("Day");
}

}  // namespace shopsight::report

// Alerts as readable text and as JSON with their example items.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/i18n.h"
#include "common/utc_time.h"
#include "common/utf8.h"
#include "detect/detect.h"

namespace shopsight::detect {
namespace {

// Code points of an example's text shown in the text format.
constexpr std::int32_t kExampleLength = 80;

std::string utc_time(std::int64_t milliseconds) { return utc_time_text(milliseconds, "%Y-%m-%d %H:%M"); }

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

std::string shortened(const std::string& text) {
  const std::string line = one_line(text);
  if (!utf8::is_valid(line) || utf8::length(line) <= kExampleLength) return line;
  return utf8::substr(line, 0, kExampleLength) + "…";
}

// Returns the name of a severity, detector, dimension, granularity or
// sentiment label in the message language. The names are message keys,
// and English output keeps them as the JSON and the rules file spell them.
std::string term(std::string_view name) { return std::string(translate(name)); }

}  // namespace

nlohmann::json alert_to_json(const store::Alert& alert, std::span<const store::StoredItem> examples) {
  nlohmann::json json = alert_to_json(alert);
  nlohmann::json items = nlohmann::json::array();
  for (const store::StoredItem& item : examples) {
    items.push_back({{"row", item.row},
                     {"id", item.id},
                     {"time", item.time},
                     {"time_text", utc_time_text(item.time, "%Y-%m-%dT%H:%M:%SZ")},
                     {"product", item.product},
                     {"sentiment", item.analysis.sentiment.label},
                     {"text", item.analysis.masked_text}});
  }
  json["example_items"] = std::move(items);
  return json;
}

nlohmann::json alert_to_json(const store::Alert& alert, std::span<const store::StoredItem> examples,
                             std::span<const store::Delivery> deliveries) {
  nlohmann::json json = alert_to_json(alert, examples);
  nlohmann::json states = nlohmann::json::array();
  for (const store::Delivery& delivery : deliveries) {
    states.push_back({{"sink", delivery.sink},
                      {"status", delivery.status},
                      {"attempts", delivery.attempts},
                      {"error", delivery.error},
                      {"updated_at", delivery.updated_at}});
  }
  json["deliveries"] = std::move(states);
  return json;
}

std::string format_alert(const store::Alert& alert, std::span<const store::StoredItem> examples,
                         std::span<const store::Delivery> deliveries) {
  const std::string where = alert.dimension == "shop" ? tr("whole shop") : term(alert.dimension) + " " + alert.value;
  // Keywords are the reviews' own words; spike, drop and aspect categories are names to translate.
  const std::string subject = alert.detector == "emerging_keyword" ? alert.subject : term(alert.subject);
  const std::string about = alert.subject.empty() ? std::string() : " [" + subject + "]";
  std::string text = tr("{} {}{} on {}, {} to {} UTC ({})", term(alert.severity), term(alert.detector), about, where,
                        utc_time(alert.window_start), utc_time(alert.window_end),
                        term(store::to_string(alert.granularity)));
  text += "\n  ";
  text += tr("observed {:.4g}, baseline {:.4g}, {} {:.3g}, {} items", alert.observed, alert.baseline,
             alert.statistic_name, alert.statistic, alert.count);
  text += "\n";
  for (const store::Delivery& delivery : deliveries) {
    const std::string status = term(delivery.status);
    if (delivery.attempts == 0) {
      text += "  " + tr("sink {}: {}", delivery.sink, status);
    } else if (delivery.attempts == 1) {
      text += "  " + tr("sink {}: {} after 1 attempt", delivery.sink, status);
    } else {
      text += "  " + tr("sink {}: {} after {} attempts", delivery.sink, status, delivery.attempts);
    }
    if (!delivery.error.empty()) text += " (" + delivery.error + ")";
    text += "\n";
  }
  for (const store::StoredItem& item : examples) {
    // Items read without an id column have none; their row is what `items` shows.
    const std::string id = item.id.empty() ? "#" + std::to_string(item.row) : item.id;
    text += fmt::format("    {} ({}) {}\n", id, term(item.analysis.sentiment.label), shortened(item.analysis.masked_text));
  }
  return text;
}

}  // namespace shopsight::detect

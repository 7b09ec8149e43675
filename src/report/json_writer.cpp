// JSON writer: the report's figures for programs. Keys keep a fixed order
// so that two reports diff cleanly; docs/reports.md documents each one.

#include <cmath>

#include <nlohmann/json.hpp>

#include "report/report_data.h"

namespace shopsight::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;

// Four decimals are more than any share or mean needs, and keep the file
// free of float noise such as 0.30000000000000004.
double rounded(double value) { return std::round(value * 10000.0) / 10000.0; }

double share(std::int64_t part, std::int64_t total) {
  return total > 0 ? rounded(static_cast<double>(part) / static_cast<double>(total)) : 0.0;
}

Json sentiment_json(const SentimentCounts& counts) {
  const std::int64_t total = counts.total();
  Json out = Json::object();
  out["positive"] = {{"count", counts.positive}, {"share", share(counts.positive, total)}};
  out["negative"] = {{"count", counts.negative}, {"share", share(counts.negative, total)}};
  out["neutral"] = {{"count", counts.neutral}, {"share", share(counts.neutral, total)}};
  return out;
}

Json span_json(std::int32_t begin, std::int32_t end) {
  if (begin < 0) return nullptr;
  return Json::array({begin, end});
}

Json time_json(const std::optional<std::int64_t>& time) {
  if (!time) return nullptr;
  return format_iso_utc(*time);
}

Json keywords_json(const std::vector<KeywordContrast>& keywords) {
  Json out = Json::array();
  for (const auto& keyword : keywords) {
    out.push_back({{"word", keyword.word},
                   {"z", rounded(keyword.z)},
                   {"negative_items", keyword.negative_items},
                   {"positive_items", keyword.positive_items}});
  }
  return out;
}

Json aspect_json(const AspectView& aspect) {
  Json examples = Json::array();
  for (const auto& example : aspect.examples) {
    examples.push_back({{"item_id", example.item_id},
                        {"text", example.text},
                        {"aspect", span_json(example.aspect_begin, example.aspect_end)},
                        {"opinion", span_json(example.opinion_begin, example.opinion_end)}});
  }
  Json out;
  out["category"] = aspect.key;
  out["name"] = aspect.name;
  out["mentions"] = aspect.mentions;
  out["positive"] = aspect.polarity.positive;
  out["negative"] = aspect.polarity.negative;
  out["neutral"] = aspect.polarity.neutral;
  out["negative_share"] = rounded(aspect.negative_share);
  out["examples"] = std::move(examples);
  return out;
}

Json group_json(const GroupView& group, bool is_product) {
  Json out;
  out["name"] = group.name;
  if (is_product) out["category"] = group.category;
  out["items"] = group.items;
  out["sentiment"] = sentiment_json(group.sentiment);
  out["mean_score"] = rounded(group.mean_score);
  out["rated_items"] = group.rated;
  out["mean_rating"] = group.mean_rating ? Json(rounded(*group.mean_rating)) : Json(nullptr);
  out["first_time"] = time_json(group.first_time);
  out["last_time"] = time_json(group.last_time);
  out["channels"] = group.channels;
  out["aspect_mentions"] = group.aspect_mentions;

  Json aspects = Json::array();
  for (const auto& aspect : group.negative_aspects) aspects.push_back(aspect_json(aspect));
  out["negative_aspects"] = std::move(aspects);

  if (!is_product) {
    out["keywords"] = {{"approximate", group.keywords_approximate},
                       {"negative", keywords_json(group.negative_keywords)},
                       {"positive", keywords_json(group.positive_keywords)}};
  }
  return out;
}

}  // namespace

std::string render_json(const ReportView& view) {
  Json out;
  out["format"] = "shopsight-report";
  out["version"] = kFormatVersion;
  out["title"] = view.title;
  out["language"] = view.language;
  out["timezone"] = view.timezone;
  out["options"] = {{"top_aspects", view.options.top_aspects},
                    {"examples_per_aspect", view.options.examples_per_aspect},
                    {"snippet_chars", view.options.snippet_chars},
                    {"top_keywords", view.options.top_keywords},
                    {"top_products", view.options.top_products},
                    {"top_categories", view.options.top_categories}};
  out["totals"] = group_json(view.totals, false);

  Json categories = Json::array();
  for (const auto& category : view.categories) categories.push_back(group_json(category, false));
  out["categories"] = std::move(categories);

  out["product_count"] = view.product_count;
  Json products = Json::array();
  for (const auto& product : view.products) products.push_back(group_json(product, true));
  out["products"] = std::move(products);

  Json points = Json::array();
  for (const auto& point : view.timeline) {
    points.push_back({{"start", point.label},
                      {"items", point.counts.total()},
                      {"positive", point.counts.positive},
                      {"negative", point.counts.negative},
                      {"neutral", point.counts.neutral},
                      {"days", point.days},
                      {"covered_days", point.covered_days}});
  }
  out["timeline"] = {{"bucket", view.bucket.empty() ? Json(nullptr) : Json(view.bucket)},
                     {"points", std::move(points)}};

  // Invalid UTF-8 in a name is replaced rather than thrown on, because the
  // figures are still worth writing; ingest normally rejects such text.
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace shopsight::report

// JSON in and out of the API. Output field names follow the JSON Lines of
// `shopsight analyze`, so one client can read both.

#include <ctime>

#include "common/utc_time.h"
#include "serve/api.h"
#include "text/text.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

// Most items a request may carry; the body size limit caps them too.
constexpr std::size_t kMaxItems = 10000;

std::string string_field(const json& object, const char* name, std::size_t index) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return {};
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number_integer()) return std::to_string(found->get<std::int64_t>());
  throw ApiError(400, fmt::format("invalid item items[{}]: {} must be a string", index, name));
}

std::optional<std::int64_t> time_field(const json& object, std::size_t index) {
  const auto found = object.find("time");
  if (found == object.end() || found->is_null()) return std::nullopt;
  std::optional<std::int64_t> time;
  if (found->is_number_integer()) time = found->get<std::int64_t>();
  if (found->is_string()) time = parse_api_time(found->get<std::string>());
  if (!time) {
    throw ApiError(400, fmt::format("invalid item items[{}]: time must be ISO 8601 or Unix milliseconds", index));
  }
  if (!is_plausible_time(*time)) {
    throw ApiError(400, fmt::format("invalid item items[{}]: time must be in the years 1970 to 2099", index));
  }
  return time;
}

std::optional<double> rating_field(const json& object, std::size_t index) {
  const auto found = object.find("rating");
  if (found == object.end() || found->is_null()) return std::nullopt;
  if (!found->is_number()) throw ApiError(400, fmt::format("invalid item items[{}]: rating must be a number", index));
  return found->get<double>();
}

Item parse_item(const json& object, std::size_t index, std::int64_t now) {
  if (!object.is_object()) throw ApiError(400, fmt::format("invalid item items[{}]: expected an object", index));
  Item item;
  item.text = string_field(object, "text", index);
  if (item.text.empty()) throw ApiError(400, fmt::format("invalid item items[{}]: text is missing", index));
  item.id = string_field(object, "id", index);
  item.time = time_field(object, index).value_or(now);
  item.product = string_field(object, "product", index);
  item.category = string_field(object, "category", index);
  item.user = string_field(object, "user", index);
  item.label = string_field(object, "label", index);
  const std::string channel = string_field(object, "channel", index);
  if (!channel.empty()) item.channel = channel;
  if (item.channel != "review" && item.channel != "query" && item.channel != "chat") {
    throw ApiError(400, fmt::format("invalid item items[{}]: channel must be review, query or chat", index));
  }
  item.rating = rating_field(object, index);
  item.source = "api";
  item.line = static_cast<std::int64_t>(index) + 1;
  return item;
}

json aspect_json(const AspectMention& mention) {
  const auto offset = [](std::int32_t value) { return value >= 0 ? json(value) : json(nullptr); };
  // An LLM may name a term that is not in the text: it is kept, with null offsets.
  const bool has_aspect = mention.aspect_begin >= 0 || !mention.aspect.empty();
  const bool has_opinion = mention.opinion_begin >= 0 || !mention.opinion.empty();
  return json{{"category", mention.category},
              {"polarity", mention.polarity},
              {"aspect", has_aspect ? json(mention.aspect) : json(nullptr)},
              {"aspect_begin", offset(mention.aspect_begin)},
              {"aspect_end", mention.aspect_begin >= 0 ? offset(mention.aspect_end) : json(nullptr)},
              {"opinion", has_opinion ? json(mention.opinion) : json(nullptr)},
              {"opinion_begin", offset(mention.opinion_begin)},
              {"opinion_end", mention.opinion_begin >= 0 ? offset(mention.opinion_end) : json(nullptr)}};
}

// Fields of the analysis itself, shared by analyzed and stored items.
void add_analysis_fields(json& out, const Analysis& analysis) {
  out["language"] = analysis.language;
  out["text"] = analysis.masked_text;
  out["sentiment"] = {{"label", analysis.sentiment.label},
                      {"probability", analysis.sentiment.probability},
                      {"score", analysis.sentiment.score}};
  json aspects = json::array();
  for (const AspectMention& mention : analysis.aspects) aspects.push_back(aspect_json(mention));
  out["aspects"] = std::move(aspects);
  if (analysis.summary) out["summary"] = *analysis.summary;
  json keywords = json::array();
  for (const Keyword& keyword : analysis.keywords) keywords.push_back({{"word", keyword.word}, {"score", keyword.score}});
  out["keywords"] = std::move(keywords);
}

void add_if_set(json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

}  // namespace

double share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string format_time(std::int64_t unix_ms) { return format_time(unix_ms, 0); }

std::string format_time(std::int64_t unix_ms, std::int64_t offset) {
  const std::int64_t wall_ms = unix_ms + offset;
  std::int64_t seconds = wall_ms / 1000;
  std::int64_t milliseconds = wall_ms % 1000;
  if (milliseconds < 0) {
    milliseconds += 1000;
    seconds -= 1;
  }
  const auto time = static_cast<std::time_t>(seconds);
  std::tm wall{};
  gmtime_r(&time, &wall);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", wall.tm_year + 1900, wall.tm_mon + 1,
                     wall.tm_mday, wall.tm_hour, wall.tm_min, wall.tm_sec, milliseconds, utc_offset_suffix(offset));
}

json bucket_zone_json(const store::Store& store) {
  const std::int64_t offset = store.bucket_offset();
  return json{{"timezone", store.bucket_timezone()}, {"utc_offset", offset == 0 ? "+00:00" : utc_offset_suffix(offset)}};
}

std::vector<Item> parse_items(const std::string& body, std::int64_t now, Metrics& metrics) {
  const json document = json::parse(body, nullptr, false);
  if (document.is_discarded()) throw ApiError(400, "invalid request body: not valid JSON");
  const json* list = &document;
  if (document.is_object() && document.contains("items")) list = &document["items"];
  if (!list->is_array()) {
    throw ApiError(400, "invalid request body: expected an array of items or an object with an items array");
  }
  if (list->size() > kMaxItems) {
    throw ApiError(400, fmt::format("invalid request body: {} items, at most {} per request", list->size(), kMaxItems));
  }
  std::vector<Item> items;
  items.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    try {
      items.push_back(parse_item((*list)[i], i, now));
    } catch (const ApiError&) {
      // The request is refused whole, so every item in it counts as rejected.
      metrics.count_rejected(static_cast<std::int64_t>(list->size()));
      throw;
    }
  }
  return items;
}

json analysis_json(const Item& item, const Analysis& analysis) {
  json out = {{"id", item.id}, {"line", item.line}};
  if (item.time) {
    out["time"] = format_time(*item.time);
    out["time_ms"] = *item.time;
  }
  add_if_set(out, "product", item.product);
  add_if_set(out, "category", item.category);
  // handle_analyze passes the user's pseudonym, so masking only guards other callers.
  add_if_set(out, "user", mask_personal_data(item.user));
  out["channel"] = item.channel;
  if (item.rating) out["rating"] = *item.rating;
  add_if_set(out, "label", item.label);
  add_analysis_fields(out, analysis);
  return out;
}

json stored_item_json(const store::StoredItem& item) {
  json out = {{"row", item.row}, {"id", item.id}, {"time", format_time(item.time)}, {"time_ms", item.time}};
  add_if_set(out, "product", item.product);
  add_if_set(out, "category", item.category);
  add_if_set(out, "user", mask_personal_data(item.user));
  out["channel"] = item.channel;
  if (item.rating) out["rating"] = *item.rating;
  add_analysis_fields(out, item.analysis);
  return out;
}

}  // namespace shopsight::serve

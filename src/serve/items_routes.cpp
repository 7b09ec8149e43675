// Routes that take items in (analyze, store), the item search and the
// keyword counts of stored items.

#include <chrono>

#include "serve/api.h"
#include "text/text.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

std::vector<Analysis> analyze_all(Context& context, const std::vector<Item>& items) {
  std::vector<Analysis> analyses;
  analyses.reserve(items.size());
  for (const Item& item : items) {
    const auto started = std::chrono::steady_clock::now();
    analyses.push_back(context.engine.analyze(item));
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    context.metrics.count_analysis(elapsed.count());
  }
  return analyses;
}

// Adds the items whose `id` presence equals `has_id`. The store keys items
// with an id by that id and others by their time and text, so the two kinds
// go in separate calls.
store::AddResult add_group(Context& context, const std::vector<Item>& items, const std::vector<Analysis>& analyses,
                           bool has_id) {
  std::vector<Item> group_items;
  std::vector<Analysis> group_analyses;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].id.empty() == has_id) continue;
    group_items.push_back(items[i]);
    group_analyses.push_back(analyses[i]);
  }
  if (group_items.empty()) return {};
  return context.store.add(group_items, group_analyses, has_id);
}

std::string sentiment_parameter(const httplib::Request& request) {
  const std::string sentiment = text_parameter(request, "sentiment");
  if (!sentiment.empty() && sentiment != "positive" && sentiment != "negative" && sentiment != "neutral") {
    throw ApiError(400, "invalid parameter sentiment: expected positive, negative or neutral");
  }
  return sentiment;
}

}  // namespace

json handle_analyze(Context& context, const httplib::Request& request) {
  std::vector<Item> items = parse_items(request.body, now_ms(), context.metrics);
  // The user as the store and the other routes show it: the pseudonym under
  // this store's key for an id that is personal data.
  for (Item& item : items) item.user = context.store.stored_user(item.user);
  const std::vector<Analysis> analyses = analyze_all(context, items);
  json out = json::array();
  for (std::size_t i = 0; i < items.size(); ++i) out.push_back(analysis_json(items[i], analyses[i]));
  return json{{"analyses", std::move(out)}};
}

json handle_add_items(Context& context, const httplib::Request& request) {
  const std::vector<Item> items = parse_items(request.body, now_ms(), context.metrics);
  const std::vector<Analysis> analyses = analyze_all(context, items);

  // Store::add commits before it returns, so a 200 means the items are on disk.
  const store::AddResult with_id = add_group(context, items, analyses, true);
  const store::AddResult without_id = add_group(context, items, analyses, false);
  const std::int64_t added = with_id.added + without_id.added;
  const std::int64_t duplicates = with_id.duplicates + without_id.duplicates;
  context.metrics.count_stored(added, duplicates);
  return json{{"received", items.size()}, {"added", added}, {"duplicates", duplicates}};
}

json handle_search_items(Context& context, const httplib::Request& request) {
  store::ItemQuery query;
  int filters = 0;
  for (const char* dimension : {"product", "category", "channel", "user"}) {
    const std::string value = text_parameter(request, dimension);
    if (value.empty()) continue;
    query.dimension = dimension;
    // A raw user id finds the items stored under its pseudonym.
    query.value = context.store.stored_value(dimension, value);
    ++filters;
  }
  if (filters > 1) {
    throw ApiError(400, "invalid parameters product, category, channel, user: give at most one of them");
  }
  const OpenTimeRange range = open_time_range_parameters(request);
  query.from = range.from;
  query.to = range.to;
  query.sentiment = sentiment_parameter(request);
  query.aspect = text_parameter(request, "aspect");
  query.aspect_polarity = text_parameter(request, "aspect_polarity");
  query.keyword = text_parameter(request, "keyword");
  query.language = text_parameter(request, "language");
  query.text = text_parameter(request, "text");
  query.limit = integer_parameter(request, "limit", 20, 1, 500);
  query.offset = integer_parameter(request, "offset", 0, 0, std::numeric_limits<std::int32_t>::max());
  const std::string search = text_parameter(request, "q");
  if (!search.empty()) query.words = search_words(make_document(context.engine.normalizer(), search));

  std::vector<store::StoredItem> found;
  // A search without a single word (only punctuation, say) matches nothing,
  // rather than every item as no search at all would.
  if (search.empty() || !query.words.empty()) {
    found = context.readers.acquire()->items(query);
  }
  json items = json::array();
  for (const auto& item : found) items.push_back(stored_item_json(item));
  json out = {{"items", std::move(items)}, {"limit", query.limit}, {"offset", query.offset}};
  // A full page may have a next one; a short page is the last.
  if (static_cast<std::int64_t>(found.size()) == query.limit) {
    out["next_offset"] = query.offset + query.limit;
  }
  return out;
}

json handle_keywords(Context& context, const httplib::Request& request) {
  store::ItemQuery query;
  query.dimension = dimension_parameter(request, "dimension");
  if (!query.dimension.empty() && query.dimension != "shop") {
    query.value = context.store.stored_value(query.dimension, text_parameter(request, "value"));
    if (query.value.empty()) throw ApiError(400, "missing parameter value: every dimension but shop needs one");
  }
  query.sentiment = sentiment_parameter(request);
  const OpenTimeRange range = open_time_range_parameters(request);
  query.from = range.from;
  query.to = range.to;
  const std::int64_t limit = integer_parameter(request, "limit", 20, 1, 500);
  // Counting the newest 5,000 items keeps the response for a large category
  // quick. A script that needs every item requests more.
  const std::int64_t max_items = integer_parameter(request, "max_items", 5000, 1, 10'000'000);

  const store::KeywordCounts counts = context.readers.acquire()->keyword_counts(query, limit, max_items);
  json keywords = json::array();
  for (const auto& keyword : counts.keywords) keywords.push_back({{"word", keyword.word}, {"count", keyword.count}});
  return json{{"keywords", std::move(keywords)}, {"items", counts.items}, {"scanned", counts.scanned}};
}

}  // namespace shopsight::serve

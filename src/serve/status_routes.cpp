// Routes about the store as a whole: its status, which the dashboard polls,
// and the latest saved topic discovery.

#include "serve/api.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

json optional_time(const std::optional<std::int64_t>& time) { return time ? json(format_time(*time)) : json(nullptr); }

json optional_milliseconds(const std::optional<std::int64_t>& time) { return time ? json(*time) : json(nullptr); }

}  // namespace

json handle_status(Context& context, const httplib::Request&) {
  const store::StoreSummary summary = context.readers.acquire()->summary();
  json body = {{"items", summary.items},
               {"alerts", summary.alerts},
               {"earliest", optional_time(summary.earliest)},
               {"earliest_ms", optional_milliseconds(summary.earliest)},
               {"latest", optional_time(summary.latest)},
               {"latest_ms", optional_milliseconds(summary.latest)},
               {"topics", summary.topics},
               {"version", SHOPSIGHT_VERSION}};
  body.update(bucket_zone_json(context.store));
  return body;
}

json handle_topics(Context& context, const httplib::Request&) {
  const std::optional<store::TopicRun> run = context.readers.acquire()->latest_topics();
  if (!run) throw ApiError(404, "no topics saved; run shopsight topics --db");
  json document = json::parse(run->document, nullptr, false);
  // Only `shopsight topics --db` writes runs, so a bad one means a damaged store.
  if (!document.is_object()) throw std::runtime_error(fmt::format("topic run {} is not a JSON object", run->row));
  return document;
}

}  // namespace shopsight::serve

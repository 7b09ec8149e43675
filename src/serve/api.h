#pragma once

// Internal to the serve stage: request parameters, JSON conversions and the
// route handlers, which the server wires to cpp-httplib.

#include <fmt/format.h>
#include <httplib.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "profile/profile.h"
#include "serve/metrics.h"
#include "serve/serve.h"

namespace shopsight::serve {

/// Failure of one request, with the HTTP status of its response. The
/// message goes to the client as {"error": message} and stays English,
/// because scripts read it.
class ApiError : public std::runtime_error {
 public:
  /// An error whose response has HTTP status `status`.
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}

  /// HTTP status code of the response.
  int status() const { return status_; }

 private:
  int status_;
};

/// Read-only connections to the store's file, lent to one request at a
/// time. WAL lets them read side by side while the server's own connection
/// writes, so the calls behind a dashboard page do not wait for each other.
class StoreReaders {
 public:
  /// A connection lent to the caller; goes back to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    const store::Store& operator*() const { return *store_; }
    const store::Store* operator->() const { return store_; }

   private:
    friend class StoreReaders;
    Lease(StoreReaders* pool, std::unique_ptr<store::Store> owned, const store::Store& store)
        : pool_(pool), owned_(std::move(owned)), store_(&store) {}

    StoreReaders* pool_;
    std::unique_ptr<store::Store> owned_;  ///< null when lending the server's own connection
    const store::Store* store_;
  };

  /// Readers of the file that `store` has open. A private in-memory store
  /// cannot be opened twice, so then every lease is `store` itself, whose
  /// calls take turns.
  explicit StoreReaders(const store::Store& store);

  /// A connection to read from: an idle one, or a new one when all are lent.
  Lease acquire();

  /// A new read-only connection for the caller to keep; null for an in-memory store.
  std::unique_ptr<store::Store> open() const;

 private:
  void release(std::unique_ptr<store::Store> reader);

  const store::Store& store_;
  bool shared_file_ = false;
  std::mutex mutex_;                                   ///< guards `idle_`
  std::vector<std::unique_ptr<store::Store>> idle_;
};

/// A profiler and the connection it reads through, which must outlive it.
struct CachedProfiler {
  std::unique_ptr<store::Store> connection;            ///< null when reading the server's own connection
  std::unique_ptr<profile::Profiler> profiler;
  std::int64_t items = -1;                             ///< item count it was built at
  std::int64_t latest = 0;                             ///< latest item time it was built at
};

/// State shared by the handlers.
struct Context {
  const ServerOptions& options;
  const Engine& engine;
  store::Store& store;                                 ///< the server's connection, the only one that writes
  StoreReaders& readers;                               ///< connections for the queries
  Metrics& metrics;

  /// Profiler of the user routes. Reading every product's keyword totals
  /// takes most of a recommendation, so after the store changes the routes
  /// keep using this one while `profiler_builder` builds the next.
  std::shared_ptr<const CachedProfiler> profiler;
  bool profiler_building = false;                      ///< `profiler_builder` is running
  std::mutex profiler_mutex;                           ///< guards the two above
  std::jthread profiler_builder;                       ///< declared last, so it stops first
};

/// Starts building a profiler of the store in the background, so that the
/// first user request finds one. Does nothing while a build runs.
void prepare_profiler(Context& context);

/// A route handler: returns the JSON body of a 200 response or throws ApiError.
using Handler = nlohmann::json (*)(Context& context, const httplib::Request& request);

// Parameters. Each throws ApiError 400 naming the parameter when its value is invalid.

/// Query parameter `name`, or an empty string when absent.
std::string text_parameter(const httplib::Request& request, const std::string& name);

/// Integer parameter in [minimum, maximum], or `fallback` when absent.
std::int64_t integer_parameter(const httplib::Request& request, const std::string& name, std::int64_t fallback,
                               std::int64_t minimum, std::int64_t maximum);

/// Time parameter: ISO 8601 (with Z or an offset; UTC without one) or Unix milliseconds.
std::optional<std::int64_t> time_parameter(const httplib::Request& request, const std::string& name);

/// Granularity parameter: minute, hour or day.
store::Granularity granularity_parameter(const httplib::Request& request, const std::string& name,
                                         store::Granularity fallback);

/// Dimension parameter, checked against store::kDimensions; empty when absent.
std::string dimension_parameter(const httplib::Request& request, const std::string& name);

/// Number parameter in [minimum, maximum], or `fallback` when absent.
double number_parameter(const httplib::Request& request, const std::string& name, double fallback, double minimum,
                        double maximum);

/// Parses a time given as Unix milliseconds or ISO 8601; nullopt when it is neither.
std::optional<std::int64_t> parse_api_time(const std::string& text);

/// Time range [from, to) in Unix ms.
struct TimeRange {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

/// The from and to parameters, either of them absent, for filters that need
/// no default range; when both are given, from must be before to.
struct OpenTimeRange {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
};

/// Parses from and to as time_parameter does; throws ApiError 400 when from is not before to.
OpenTimeRange open_time_range_parameters(const httplib::Request& request);

/// Range of the from and to parameters. A missing `to` is just after the
/// latest stored item (now for an empty store) and a missing `from` is
/// `span_ms` before `to`.
TimeRange time_range_parameters(Context& context, const httplib::Request& request, std::int64_t span_ms);

/// Wall-clock time, Unix ms.
std::int64_t now_ms();

// JSON.

/// Unix milliseconds as ISO 8601 UTC with milliseconds, e.g. 2026-12-05T01:02:03.004Z.
std::string format_time(std::int64_t unix_ms);

/// Formats Unix milliseconds as ISO 8601 with milliseconds on the clock of a
/// zone `offset` milliseconds east of UTC, e.g. 2026-11-24T00:00:00.000+08:00.
/// An offset of 0 gives the UTC form of format_time(unix_ms).
std::string format_time(std::int64_t unix_ms, std::int64_t offset);

/// Returns the bucket time zone of `store` as the fields that responses with
/// buckets carry: {"timezone": "Asia/Shanghai", "utc_offset": "+08:00"}.
nlohmann::json bucket_zone_json(const store::Store& store);

/// Items of a POST body: a JSON array of item objects, or {"items": [...]}.
/// Items without a time get `now`.
std::vector<Item> parse_items(const std::string& body, std::int64_t now, Metrics& metrics);

/// An item and its analysis, with the field names of `shopsight analyze` output.
nlohmann::json analysis_json(const Item& item, const Analysis& analysis);

/// A stored item, with the field names of `shopsight analyze` output plus its row.
nlohmann::json stored_item_json(const store::StoredItem& item);

/// Share of `part` in `whole`, 0 when `whole` is 0.
double share(std::int64_t part, std::int64_t whole);

// Handlers, one per route.

nlohmann::json handle_analyze(Context& context, const httplib::Request& request);
nlohmann::json handle_add_items(Context& context, const httplib::Request& request);
nlohmann::json handle_series(Context& context, const httplib::Request& request);
nlohmann::json handle_values(Context& context, const httplib::Request& request);
nlohmann::json handle_alerts(Context& context, const httplib::Request& request);
nlohmann::json handle_product(Context& context, const httplib::Request& request);
nlohmann::json handle_search_items(Context& context, const httplib::Request& request);
nlohmann::json handle_user_profile(Context& context, const httplib::Request& request);
nlohmann::json handle_recommendations(Context& context, const httplib::Request& request);
nlohmann::json handle_status(Context& context, const httplib::Request& request);
nlohmann::json handle_forecast(Context& context, const httplib::Request& request);
nlohmann::json handle_keywords(Context& context, const httplib::Request& request);
nlohmann::json handle_alert(Context& context, const httplib::Request& request);
nlohmann::json handle_topics(Context& context, const httplib::Request& request);

// Dashboard: the static files of the web front end, served without a token.

/// True for the paths that the dashboard handler serves: every path but
/// /healthz, /metrics, /openapi.json and those under /api/. Requests for
/// them need no bearer token, so none of them may reach data.
bool is_dashboard_path(const std::string& path);

/// Serves DIR/index.html at / and DIR's other files at their paths, with the
/// dashboard's security and caching headers. `root` is the canonical DIR, or
/// empty when no dashboard is installed; then / gets a 404 with a hint.
void serve_dashboard_file(const std::string& root, const httplib::Request& request, httplib::Response& response);

}  // namespace shopsight::serve

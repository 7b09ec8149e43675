// Routes of one user: profile and recommendations, computed by the profile
// stage from the stored items.

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/i18n.h"
#include "profile/profile.h"
#include "serve/api.h"

namespace shopsight::serve {

namespace {

struct StoreState {
  std::int64_t items = 0;
  std::int64_t latest = 0;
};

StoreState store_state(Context& context) {
  const StoreReaders::Lease reader = context.readers.acquire();
  return {reader->item_count(), reader->latest_time().value_or(0)};
}

std::shared_ptr<const CachedProfiler> build_profiler(Context& context, StoreState state) {
  auto built = std::make_shared<CachedProfiler>();
  built->connection = context.readers.open();
  built->profiler = std::make_unique<profile::Profiler>(built->connection ? *built->connection : context.store);
  built->profiler->load_products();
  built->items = state.items;
  built->latest = state.latest;
  return built;
}

// Starts a background build of a profiler at `state`. The caller has locked
// `profiler_mutex` and checked that no build runs. The previous builder
// has then left its last locked section, so joining it cannot deadlock.
void start_build(Context& context, StoreState state) {
  context.profiler_building = true;
  if (context.profiler_builder.joinable()) context.profiler_builder.join();
  context.profiler_builder = std::jthread([&context, state] {
    std::shared_ptr<const CachedProfiler> built;
    try {
      built = build_profiler(context, state);
    } catch (const Error& error) {
      // An empty store has nothing to profile yet; the next request retries.
      spdlog::debug("{}", tr("no user profiler was built: {}", error.what()));
    } catch (const std::exception& error) {
      spdlog::error("{}", tr("building the user profiler failed: {}", error.what()));
    }
    const std::lock_guard lock(context.profiler_mutex);
    if (built) context.profiler = std::move(built);
    context.profiler_building = false;
  });
}

// Returns the cached profiler, and starts a background build of the next
// when the store has changed since the cached one was built. Shop and product
// totals may therefore lag new items by one build. A user's own items are
// read for each request. Only a request that finds nothing cached waits for a build.
std::shared_ptr<const CachedProfiler> current_profiler(Context& context) {
  const StoreState state = store_state(context);
  const std::lock_guard lock(context.profiler_mutex);
  const std::shared_ptr<const CachedProfiler> cached = context.profiler;
  if (cached && cached->items == state.items && cached->latest == state.latest) return cached;
  if (cached) {
    if (!context.profiler_building) start_build(context, state);
    return cached;
  }
  context.profiler = build_profiler(context, state);
  return context.profiler;
}

}  // namespace

void prepare_profiler(Context& context) {
  const StoreState state = store_state(context);
  const std::lock_guard lock(context.profiler_mutex);
  if (!context.profiler_building) start_build(context, state);
}

// The profile stage throws shopsight::Error for a user without items (and for
// an empty store); both mean there is nothing to show for this user.
nlohmann::json handle_user_profile(Context& context, const httplib::Request& request) {
  const std::string user = context.store.stored_user(request.matches[1].str());
  try {
    return profile::to_json(current_profiler(context)->profiler->user_profile(user));
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

nlohmann::json handle_recommendations(Context& context, const httplib::Request& request) {
  const std::string user = context.store.stored_user(request.matches[1].str());
  const auto top = static_cast<int>(integer_parameter(request, "top", 10, 1, 100));
  try {
    const std::shared_ptr<const CachedProfiler> cached = current_profiler(context);
    const profile::Profiler& profiler = *cached->profiler;
    return nlohmann::json{{"user", user}, {"recommendations", profile::to_json(profiler.recommend(profiler.user_profile(user), top))}};
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

}  // namespace shopsight::serve

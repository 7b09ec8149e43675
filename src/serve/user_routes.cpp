// Routes of one user: profile and recommendations, computed by the profile
// stage from the stored items.

#include "common/error.h"
#include "profile/profile.h"
#include "serve/api.h"

namespace shopsight::serve {

namespace {

// Returns the cached profiler, or builds a new one when items were added or
// removed since the last build. The caller holds the store mutex.
const profile::Profiler& current_profiler(Context& context) {
  const std::int64_t items = context.store.item_count();
  const std::int64_t latest = context.store.latest_time().value_or(0);
  if (!context.profiler || items != context.profiler_items || latest != context.profiler_latest) {
    context.profiler = std::make_shared<const profile::Profiler>(context.store);
    context.profiler_items = items;
    context.profiler_latest = latest;
  }
  return *context.profiler;
}

}  // namespace

// The profile stage throws shopsight::Error for a user without items (and for
// an empty store); both mean there is nothing to show for this user.
nlohmann::json handle_user_profile(Context& context, const httplib::Request& request) {
  const std::string user = request.matches[1].str();
  try {
    const std::lock_guard lock(context.store_mutex);
    return profile::to_json(current_profiler(context).user_profile(user));
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

nlohmann::json handle_recommendations(Context& context, const httplib::Request& request) {
  const std::string user = request.matches[1].str();
  const auto top = static_cast<int>(integer_parameter(request, "top", 10, 1, 100));
  try {
    const std::lock_guard lock(context.store_mutex);
    const profile::Profiler& profiler = current_profiler(context);
    return nlohmann::json{{"user", user}, {"recommendations", profile::to_json(profiler.recommend(profiler.user_profile(user), top))}};
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

}  // namespace shopsight::serve

// Routes of one user: profile and recommendations, computed by the profile
// stage from the stored items.

#include "common/error.h"
#include "profile/profile.h"
#include "serve/api.h"

namespace shopsight::serve {

// The profile stage throws shopsight::Error for a user without items (and for
// an empty store); both mean there is nothing to show for this user.
nlohmann::json handle_user_profile(Context& context, const httplib::Request& request) {
  const std::string user = request.matches[1].str();
  try {
    const std::lock_guard lock(context.store_mutex);
    return profile::to_json(profile::user_profile(context.store, user));
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

nlohmann::json handle_recommendations(Context& context, const httplib::Request& request) {
  const std::string user = request.matches[1].str();
  const auto top = static_cast<int>(integer_parameter(request, "top", 10, 1, 100));
  try {
    const std::lock_guard lock(context.store_mutex);
    return nlohmann::json{{"user", user}, {"recommendations", profile::to_json(profile::recommend(context.store, user, top))}};
  } catch (const Error&) {
    throw ApiError(404, "user not found: no stored items for this user");
  }
}

}  // namespace shopsight::serve

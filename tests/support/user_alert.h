#pragma once

// An alert about one user, for tests of the lookups by user.

#include <cstdint>
#include <string>

#include "store/store.h"

namespace shopsight::testing {

/// Returns a volume alert of the user dimension about `pseudonym`, over [start, end).
inline store::Alert user_alert(const std::string& pseudonym, std::int64_t start, std::int64_t end) {
  store::Alert alert;
  alert.fingerprint = "volume|user|" + pseudonym;
  alert.detector = "volume";
  alert.dimension = "user";
  alert.value = pseudonym;
  alert.window_start = start;
  alert.window_end = end;
  alert.severity = "warning";
  return alert;
}

}  // namespace shopsight::testing

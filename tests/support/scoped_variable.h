#pragma once

// Environment variables changed for one test scope.

#include <cstdlib>
#include <optional>
#include <string>

namespace shopsight::testing {

/// Sets the environment variable `name` to `value`, or unsets it when `value`
/// is null, and restores its earlier value, or its absence, at scope exit.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedVariable() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace shopsight::testing

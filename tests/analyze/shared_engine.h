#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <string>

#include "analyze/analyze.h"

namespace shopsight {

/// Fixture that loads the shipped default model once per test suite.
class SharedEngineTest : public ::testing::Test {
 protected:
  // A failure to load is reported by every test instead of skipping them.
  static void SetUpTestSuite() {
    try {
      engine_ = std::make_unique<Engine>(EngineOptions{});
    } catch (const std::exception& error) {
      load_error_ = error.what();
    }
  }
  static void TearDownTestSuite() { engine_.reset(); }
  void SetUp() override { ASSERT_NE(engine_, nullptr) << load_error_; }

  static inline std::unique_ptr<Engine> engine_;
  static inline std::string load_error_;
};

}  // namespace shopsight

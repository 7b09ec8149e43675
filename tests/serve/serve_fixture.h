#pragma once

// A real server on 127.0.0.1 with a kernel-picked port, over a store in a
// temporary folder, and a real cpp-httplib client pointed at it.

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "analyze/analyze.h"
#include "serve/serve.h"
#include "store/store.h"

namespace shopsight::serve {

/// A temporary folder, removed with its contents on destruction.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shopsight-serve-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  /// Path of `name` inside the folder.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Unix milliseconds of now.
inline std::int64_t now_milliseconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

/// Fixture with the shipped model loaded once per suite and a fresh store
/// and server per test. Tests change `options_` and call restart() for
/// other server settings.
class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (engine_) return;
    try {
      engine_ = std::make_unique<Engine>(EngineOptions{});
    } catch (const std::exception& error) {
      load_error_ = error.what();
    }
  }

  void SetUp() override {
    ASSERT_NE(engine_, nullptr) << load_error_;
    options_.port = 0;
    store::StoreOptions store_options;
    store_options.path = folder_.file("store.db");
    store_ = std::make_unique<store::Store>(store_options);
    restart();
  }

  // The client goes first: the server's stop waits for open keep-alive
  // connections to close or time out.
  void TearDown() override {
    client_.reset();
    server_.reset();
    store_.reset();
  }

  /// Starts a new server with `options_` over the same store.
  void restart() {
    client_.reset();
    server_.reset();
    server_ = std::make_unique<Server>(options_, *engine_, *store_);
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60, 0);
    // One connection for all requests, because the server counts a request
    // after sending its response. On one connection that happens before the
    // server reads the next request, so a scrape includes every earlier one.
    // cpp-httplib closes a connection after 5 requests, so a test scrapes
    // within its first 5 requests.
    client_->set_keep_alive(true);
    if (!options_.token.empty()) client_->set_bearer_token_auth(options_.token.c_str());
  }

  /// POSTs a JSON body and returns the response, failing the test when none came.
  httplib::Result post(const std::string& path, const nlohmann::json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }

  /// Parses a response body as JSON; a parse failure gives a discarded value.
  static nlohmann::json body_json(const httplib::Result& result) {
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  /// GETs `path` and checks that the response has `status` with an error naming `word`.
  void expect_error(const std::string& path, int status, const std::string& word) {
    const auto result = client_->Get(path.c_str());
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, status) << path << ": " << result->body;
    const nlohmann::json body = body_json(result);
    ASSERT_TRUE(body.contains("error")) << path << ": " << result->body;
    EXPECT_NE(body["error"].get<std::string>().find(word), std::string::npos) << path << ": " << result->body;
  }

  static inline std::unique_ptr<Engine> engine_;
  static inline std::string load_error_;
  TempFolder folder_;
  ServerOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

/// A review item as POST bodies carry it.
inline nlohmann::json review(const std::string& id, const std::string& product, const std::string& category,
                             const std::string& text, std::int64_t time) {
  return nlohmann::json{{"id", id}, {"product", product}, {"category", category}, {"text", text}, {"time", time}};
}

}  // namespace shopsight::serve

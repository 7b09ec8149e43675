// Server behavior around the routes: bearer-token auth, the body size limit,
// the OpenAPI document and graceful shutdown.

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "common/error.h"
#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

TEST_F(ServeTest, AuthRejectsMissingToken) {
  options_.token = "s3cret-token";
  restart();
  httplib::Client anonymous("127.0.0.1", server_->port());
  const auto result = anonymous.Get("/api/v1/items");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
  EXPECT_TRUE(body_json(result).contains("error"));
  EXPECT_EQ(result->get_header_value("WWW-Authenticate"), "Bearer");

  const auto metrics = anonymous.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);
}

TEST_F(ServeTest, AuthRejectsWrongToken) {
  options_.token = "s3cret-token";
  restart();
  for (const char* wrong : {"s3cret-toke", "s3cret-token2", "S3CRET-TOKEN", ""}) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_bearer_token_auth(wrong);
    const auto result = client.Get("/api/v1/items");
    ASSERT_TRUE(result) << wrong;
    EXPECT_EQ(result->status, 401) << wrong;
  }
  httplib::Client basic("127.0.0.1", server_->port());
  basic.set_basic_auth("user", "s3cret-token");
  const auto result = basic.Get("/api/v1/items");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
}

TEST_F(ServeTest, AuthAcceptsRightToken) {
  options_.token = "s3cret-token";
  restart();
  const auto items = client_->Get("/api/v1/items");
  ASSERT_TRUE(items);
  EXPECT_EQ(items->status, 200) << items->body;
  const auto posted = post("/api/v1/analyze", json::array({{{"text", "很好"}}}));
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 200) << posted->body;

  httplib::Client anonymous("127.0.0.1", server_->port());
  const auto health = anonymous.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "/healthz needs no token";
}

TEST_F(ServeTest, LargeBodyGets413) {
  options_.max_body_bytes = 1024;
  restart();
  const std::string text(4000, 'a');
  const auto result = post("/api/v1/analyze", json::array({{{"text", text}}}));
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 413);
  const json body = body_json(result);
  ASSERT_TRUE(body.contains("error")) << result->body;
  EXPECT_NE(body["error"].get<std::string>().find("1024"), std::string::npos) << result->body;

  const auto small = post("/api/v1/analyze", json::array({{{"text", "很好"}}}));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << "a body under the limit still passes";
}

TEST_F(ServeTest, LargeChunkedBodyGets413) {
  options_.max_body_bytes = 1024;
  restart();
  const std::string body = json::array({{{"text", std::string(4000, 'a')}}}).dump();
  // A content provider without a length makes cpp-httplib send the body chunked.
  const auto chunked = [&](const std::string& content) {
    return client_->Post(
        "/api/v1/analyze",
        [content](std::size_t offset, httplib::DataSink& sink) {
          const std::size_t length = std::min<std::size_t>(100, content.size() - offset);
          sink.write(content.data() + offset, length);
          if (offset + length == content.size()) sink.done();
          return true;
        },
        "application/json");
  };
  // The server sends 413 and closes the connection as soon as the body
  // passes the limit, so a client that is still sending gets a write error
  // instead of the response. Both mean the body was rejected; only a 2xx
  // status would be wrong.
  const auto large = chunked(body);
  if (large) {
    EXPECT_EQ(large->status, 413) << large->body;
    EXPECT_NE(large->body.find("1024"), std::string::npos) << large->body;
  } else {
    EXPECT_EQ(large.error(), httplib::Error::Write) << httplib::to_string(large.error());
  }

  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  const auto small = chunked(json::array({{{"text", "很好"}}}).dump());
  ASSERT_TRUE(small) << httplib::to_string(small.error());
  EXPECT_EQ(small->status, 200) << "a chunked body under the limit still passes: " << small->body;
}

TEST_F(ServeTest, OpenApiListsEveryRoute) {
  const auto result = client_->Get("/openapi.json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  const json document = body_json(result);
  ASSERT_FALSE(document.is_discarded()) << "openapi.json is not valid JSON";
  ASSERT_TRUE(document.contains("openapi"));
  EXPECT_TRUE(document["openapi"].get<std::string>().starts_with("3."));
  ASSERT_TRUE(document.contains("paths"));

  std::set<std::string> registered;
  for (const Route& route : routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert(method + " " + route.path);
    ASSERT_TRUE(document["paths"].contains(route.path)) << route.path;
    const json& operations = document["paths"][route.path];
    ASSERT_TRUE(operations.contains(method)) << method << " " << route.path;
    EXPECT_TRUE(operations[method].contains("responses")) << method << " " << route.path;
  }
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") continue;
      EXPECT_TRUE(registered.count(method + " " + path)) << "documented but not served: " << method << " " << path;
    }
  }
}

TEST_F(ServeTest, OpenApiRoutesAnswer) {
  // Every registered GET route responds with something other than the 404 for "no route".
  for (const Route& route : routes()) {
    if (route.method != "GET") continue;
    std::string path = route.path;
    const auto brace = path.find('{');
    if (brace != std::string::npos) path.replace(brace, path.find('}') - brace + 1, "P1");
    const auto result = client_->Get(path.c_str());
    ASSERT_TRUE(result) << path;
    if (result->status == 404) {
      EXPECT_EQ(body_json(result)["error"].get<std::string>().find("no route"), std::string::npos) << path;
    }
  }
}

TEST_F(ServeTest, StopKeepsAcknowledgedItems) {
  // Clients post until the server goes away; every item of a 200 response must
  // be in the store afterwards.
  std::atomic<std::int64_t> acknowledged{0};
  std::atomic<bool> stopping{false};
  std::vector<std::thread> clients;
  const int port = server_->port();
  for (int client_index = 0; client_index < 3; ++client_index) {
    clients.emplace_back([&, client_index] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60, 0);
      for (int batch = 0; batch < 1000; ++batch) {
        json items = json::array();
        for (int i = 0; i < 5; ++i) {
          const std::string id = std::to_string(client_index) + "-" + std::to_string(batch) + "-" + std::to_string(i);
          items.push_back(review(id, "P" + std::to_string(i), "phones", "质量很好，发货很快", now_milliseconds()));
        }
        const auto result = client.Post("/api/v1/items", items.dump(), "application/json");
        if (!result) {
          if (stopping) return;
          continue;
        }
        if (result->status == 200) acknowledged += json::parse(result->body)["added"].get<std::int64_t>();
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (acknowledged < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stopping = true;
  server_->stop();
  for (auto& client : clients) client.join();

  store::StoreOptions options;
  options.path = folder_.file("store.db");
  options.read_only = true;
  const store::Store reopened(options);
  EXPECT_GE(reopened.item_count(), acknowledged.load());
  EXPECT_GE(acknowledged.load(), 30);
}

// Brotli at the library's quality takes seconds for the dashboard's script,
// so a client that accepts both gets gzip.
TEST_F(ServeTest, GzipPreferredOverBrotli) {
  client_->set_decompress(false);
  const httplib::Headers both = {{"Accept-Encoding", "gzip, deflate, br"}};
  const auto compressed = client_->Get("/openapi.json", both);
  ASSERT_TRUE(compressed);
  ASSERT_EQ(compressed->status, 200);
  EXPECT_EQ(compressed->get_header_value("Content-Encoding"), "gzip");

  const httplib::Headers brotli_only = {{"Accept-Encoding", "br"}};
  const auto plain = client_->Get("/openapi.json", brotli_only);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(nlohmann::json::parse(plain->body, nullptr, false).is_object(), true);
}

TEST_F(ServeTest, StartFailsOnBusyPort) {
  ServerOptions busy = options_;
  busy.port = server_->port();
  Server second(busy, *engine_, *store_);
  EXPECT_THROW(second.start(), Error);
}

}  // namespace
}  // namespace shopsight::serve

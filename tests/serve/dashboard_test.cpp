// The dashboard's static files: served without a token and with their
// security and caching headers, while every API route still needs the token,
// and no request path reaches a file outside the dashboard folder.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>

#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "dashboard-test-token";
constexpr const char* kSecret = "secret-outside-the-dashboard";

void write_text(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

/// Status and body of one raw HTTP/1.1 exchange.
struct RawResponse {
  int status = 0;
  std::string text;  ///< whole response, headers included
};

// Sends `target` byte for byte, so that no client library normalizes it.
RawResponse raw_get(int port, const std::string& target) {
  RawResponse response;
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(socket_fd);
    return response;
  }
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(socket_fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    close(socket_fd);
    return response;
  }
  char buffer[4096];
  ssize_t received = 0;
  while ((received = recv(socket_fd, buffer, sizeof buffer, 0)) > 0) {
    response.text.append(buffer, static_cast<std::size_t>(received));
  }
  close(socket_fd);
  // "HTTP/1.1 200 OK"
  if (response.text.size() > 12) response.status = std::atoi(response.text.c_str() + 9);
  return response;
}

class ServeDashboard : public ServeTest {
 protected:
  void SetUp() override {
    dashboard_ = folder_.file("site/dashboard");
    write_text(dashboard_ + "/index.html", "<!doctype html><title>shopsight</title>");
    write_text(dashboard_ + "/assets/index-abc.js", "console.log('dashboard');");
    write_text(dashboard_ + "/assets/index-abc.css", "body { margin: 0; }");
    write_text(dashboard_ + "/favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write_text(folder_.file("site/secret.txt"), kSecret);
    write_text(folder_.file("secret.txt"), kSecret);
    fs::create_symlink(folder_.file("secret.txt"), dashboard_ + "/assets/link.txt");
    options_.token = kToken;
    options_.dashboard_directory = dashboard_;
    ServeTest::SetUp();
  }

  /// GETs `path` without a token.
  httplib::Result anonymous_get(const std::string& path) {
    httplib::Client anonymous("127.0.0.1", server_->port());
    return anonymous.Get(path.c_str());
  }

  static void expect_dashboard_headers(const httplib::Result& result, const std::string& path) {
    EXPECT_EQ(result->get_header_value("Content-Security-Policy"),
              "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
        << path;
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(result->get_header_value("Referrer-Policy"), "no-referrer") << path;
  }

  std::string dashboard_;
};

TEST_F(ServeDashboard, IndexNeedsNoToken) {
  const auto result = anonymous_get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->body, "<!doctype html><title>shopsight</title>");
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-cache");
  expect_dashboard_headers(result, "/");

  const auto by_name = anonymous_get("/index.html");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->status, 200);
  EXPECT_EQ(by_name->get_header_value("Cache-Control"), "no-cache");
}

TEST_F(ServeDashboard, AssetsHaveTypesAndCaching) {
  struct Case {
    const char* path;
    const char* type;
    const char* cache;
  };
  for (const Case& expected : {Case{"/assets/index-abc.js", "text/javascript; charset=utf-8",
                                    "max-age=31536000, immutable"},
                               Case{"/assets/index-abc.css", "text/css; charset=utf-8", "max-age=31536000, immutable"},
                               Case{"/favicon.svg", "image/svg+xml", "no-cache"}}) {
    const auto result = anonymous_get(expected.path);
    ASSERT_TRUE(result) << expected.path;
    EXPECT_EQ(result->status, 200) << expected.path << ": " << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), expected.type) << expected.path;
    EXPECT_EQ(result->get_header_value("Cache-Control"), expected.cache) << expected.path;
    expect_dashboard_headers(result, expected.path);
  }
  const auto script = anonymous_get("/assets/index-abc.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, "console.log('dashboard');");
}

TEST_F(ServeDashboard, ApiStillNeedsToken) {
  for (const char* path : {"/api/v1/status", "/api/v1/items", "/api/v1/topics", "/api/v1/alerts/x", "/metrics",
                           "/openapi.json", "/api/v1/nothing", "/api"}) {
    const auto result = anonymous_get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 401) << path << ": " << result->body;
  }
  const auto with_token = client_->Get("/api/v1/status");
  ASSERT_TRUE(with_token);
  EXPECT_EQ(with_token->status, 200) << with_token->body;
  const auto unknown = client_->Get("/api/v1/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_TRUE(body_json(unknown).contains("error")) << "unknown API paths keep their JSON 404: " << unknown->body;
}

TEST_F(ServeDashboard, MissingFileIs404) {
  for (const char* path : {"/missing.js", "/assets/", "/assets/missing.js", "/assets"}) {
    const auto result = anonymous_get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 404) << path;
    expect_dashboard_headers(result, path);
  }
}

TEST_F(ServeDashboard, PathTraversalStaysInside) {
  const int port = server_->port();
  for (const char* target :
       {"/../secret.txt", "/../../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..%2F..%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt", "/assets/..%5c..%5csecret.txt", "/..\\secret.txt", "/%252e%252e/secret.txt",
        "/.%2e/secret.txt", "/assets/link.txt", "//etc/passwd", "/./index.html", "/assets/./index-abc.js",
        "/%00/secret.txt"}) {
    const RawResponse response = raw_get(port, target);
    EXPECT_NE(response.status, 200) << target << "\n" << response.text;
    EXPECT_EQ(response.text.find(kSecret), std::string::npos) << target << "\n" << response.text;
    EXPECT_EQ(response.text.find("root:"), std::string::npos) << target << "\n" << response.text;
  }
  EXPECT_EQ(raw_get(port, "/assets/index-abc.js").status, 200) << "the raw client itself works";
}

TEST_F(ServeDashboard, NoFolderGivesHint) {
  options_.dashboard_directory.clear();
  restart();
  const auto result = anonymous_get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(result->body.starts_with("dashboard not built: ")) << result->body;
  expect_dashboard_headers(result, "/");
}

TEST(ServeDashboardSearch, PathsAndIndexCheck) {
  const std::vector<std::string> paths = dashboard_search_paths();
  ASSERT_EQ(paths.size(), 2U);
  EXPECT_TRUE(paths[0].ends_with("/share/shopsight/dashboard")) << paths[0];
  EXPECT_TRUE(paths[1].ends_with("/dashboard")) << paths[1];

  TempFolder folder;
  EXPECT_FALSE(is_dashboard_directory(folder.file("nothing")));
  EXPECT_FALSE(is_dashboard_directory(""));
  write_text(folder.file("built/index.html"), "<!doctype html>");
  EXPECT_TRUE(is_dashboard_directory(folder.file("built")));
}

}  // namespace
}  // namespace shopsight::serve

// End to end with a real Prometheus: `shopsight serve` runs as a process,
// Debian's prometheus scrapes it every second with the bearer token, and its
// query API must return the shopsight series with the stored values.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

/// A child process with its standard output and error in a log file;
/// terminated and reaped on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& arguments, const std::string& log_path) : log_path_(log_path) {
    // Everything the child needs is prepared before fork, because only
    // async-signal-safe calls are allowed between fork and exec.
    std::vector<char*> argv;
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(log, 1);
      dup2(log, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(log);
  }
  ~ChildProcess() {
    if (pid_ > 0) stop();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Sends SIGTERM and returns the exit status, or -1 when a signal ended it.
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  /// Everything the process has written so far.
  std::string log() const {
    std::ifstream input(log_path_);
    std::stringstream text;
    text << input.rdbuf();
    return text.str();
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
};

// A port that was free a moment ago, because Prometheus has no option to pick one.
int free_port() {
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(socket_fd);
  return ntohs(address.sin_port);
}

// Waits up to `seconds` for `ready` to return true, checking twice a second.
template <typename Ready>
bool wait_for(int seconds, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// Result vector of an instant query; empty when the query failed or found nothing.
json query(httplib::Client& prometheus, const std::string& expression) {
  const auto result = prometheus.Get("/api/v1/query", httplib::Params{{"query", expression}}, httplib::Headers{});
  if (!result || result->status != 200) return json::array();
  const json body = json::parse(result->body, nullptr, false);
  if (body.is_discarded() || body.value("status", "") != "success") return json::array();
  return body["data"]["result"];
}

// Sample value of the first series of a query result.
double first_value(const json& result) { return std::stod(result[0]["value"][1].get<std::string>()); }

TEST(ServePrometheus, ScrapesShopsightServe) {
  if (access(kPrometheus, X_OK) != 0) GTEST_SKIP() << kPrometheus << " is not installed";
  TempFolder folder;
  const std::string token = "prometheus-test-token";
  std::ofstream(folder.file("token")) << token << "\n";

  ChildProcess serve({SHOPSIGHT_BINARY, "--lang", "en", "serve", "--db", folder.file("store.db"), "--port", "0",
                      "--token-file", folder.file("token")},
                     folder.file("serve.log"));
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  std::smatch match;
  std::string serve_log;
  ASSERT_TRUE(wait_for(120, [&] {
    serve_log = serve.log();
    return std::regex_search(serve_log, match, listening);
  })) << serve_log;
  const int serve_port = std::stoi(match[1].str());

  httplib::Client client("127.0.0.1", serve_port);
  client.set_bearer_token_auth(token.c_str());
  client.set_read_timeout(60, 0);
  const std::int64_t now = now_milliseconds();
  const json items = json::array({review("p1", "P\"1", "phones", "质量太差了，非常失望", now),
                                  review("p2", "P\"1", "phones", "质量很好，非常满意", now),
                                  review("p3", "P2", "shoes", "质量很好，非常满意", now)});
  const auto posted = client.Post("/api/v1/items", items.dump(), "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;

  const int prometheus_port = free_port();
  std::ofstream(folder.file("prometheus.yml"))
      << "global:\n"
      << "  scrape_interval: 1s\n"
      << "scrape_configs:\n"
      << "  - job_name: shopsight\n"
      << "    scrape_interval: 1s\n"
      << "    authorization:\n"
      << "      credentials_file: " << folder.file("token") << "\n"
      << "    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << serve_port << "']\n";
  ChildProcess prometheus({kPrometheus, "--config.file=" + folder.file("prometheus.yml"),
                           "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port),
                           "--storage.tsdb.path=" + folder.file("tsdb")},
                          folder.file("prometheus.log"));

  httplib::Client prometheus_client("127.0.0.1", prometheus_port);
  json stored;
  ASSERT_TRUE(wait_for(60, [&] {
    stored = query(prometheus_client, "shopsight_store_items");
    return !stored.empty();
  })) << prometheus.log();
  EXPECT_EQ(first_value(stored), 3);

  const json up = query(prometheus_client, "up{job=\"shopsight\"}");
  ASSERT_FALSE(up.empty());
  EXPECT_EQ(first_value(up), 1) << "the scrape with the token failed";

  const json phones = query(prometheus_client, "shopsight_category_items{category=\"phones\"}");
  ASSERT_FALSE(phones.empty());
  EXPECT_EQ(first_value(phones), 2);

  // A product id with a double quote survives escaping and Prometheus's parser.
  const json product = query(prometheus_client, "shopsight_product_negative_ratio{product=\"P\\\"1\"}");
  ASSERT_FALSE(product.empty()) << query(prometheus_client, "shopsight_product_negative_ratio").dump();
  EXPECT_DOUBLE_EQ(first_value(product), 0.5);

  const json ingested = query(prometheus_client, "shopsight_items_ingested_total");
  ASSERT_FALSE(ingested.empty());
  EXPECT_EQ(first_value(ingested), 3);

  prometheus.stop();
  EXPECT_EQ(serve.stop(), 0) << "shopsight serve did not exit cleanly on SIGTERM:\n" << serve.log();
}

}  // namespace
}  // namespace shopsight::serve

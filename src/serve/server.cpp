// The cpp-httplib server: route table, bearer-token check, error bodies,
// per-request metrics and logs, the dashboard's files, start and graceful stop.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <string_view>
#include <thread>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "serve/api.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

/// One API route and its handler.
struct RouteEntry {
  const char* method;
  const char* path;     ///< OpenAPI path template
  const char* pattern;  ///< cpp-httplib regular expression
  Handler handler;      ///< nullptr for the routes the server handles itself
};

const RouteEntry kRoutes[] = {
    {"GET", "/healthz", "/healthz", nullptr},
    {"GET", "/metrics", "/metrics", nullptr},
    {"GET", "/openapi.json", "/openapi.json", nullptr},
    {"POST", "/api/v1/analyze", "/api/v1/analyze", handle_analyze},
    {"POST", "/api/v1/items", "/api/v1/items", handle_add_items},
    {"GET", "/api/v1/items", "/api/v1/items", handle_search_items},
    {"GET", "/api/v1/series", "/api/v1/series", handle_series},
    {"GET", "/api/v1/values", "/api/v1/values", handle_values},
    {"GET", "/api/v1/alerts", "/api/v1/alerts", handle_alerts},
    // cpp-httplib decodes the path before matching, so a fingerprint's
    // encoded slashes arrive as slashes.
    {"GET", "/api/v1/alerts/{fingerprint}", "/api/v1/alerts/(.+)", handle_alert},
    {"GET", "/api/v1/status", "/api/v1/status", handle_status},
    {"GET", "/api/v1/forecast", "/api/v1/forecast", handle_forecast},
    {"GET", "/api/v1/keywords", "/api/v1/keywords", handle_keywords},
    {"GET", "/api/v1/topics", "/api/v1/topics", handle_topics},
    {"GET", "/api/v1/products/{id}", "/api/v1/products/([^/]+)", handle_product},
    {"GET", "/api/v1/users/{id}/profile", "/api/v1/users/([^/]+)/profile", handle_user_profile},
    {"GET", "/api/v1/users/{id}/recommendations", "/api/v1/users/([^/]+)/recommendations", handle_recommendations},
};

// Set when routing starts and read by the logger on the same worker thread.
thread_local std::chrono::steady_clock::time_point t_request_start;

std::string error_body(const std::string& message) {
  return json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

void send_error(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(error_body(message), "application/json");
}

// Compares every byte whatever the first difference, so the response time
// does not reveal how much of a guessed token was right.
bool equal_in_constant_time(std::string_view given, std::string_view expected) {
  unsigned difference = given.size() == expected.size() ? 0U : 1U;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char other = expected.empty() ? '\0' : expected[i % expected.size()];
    difference |= static_cast<unsigned>(static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(other));
  }
  return difference == 0;
}

// Debian's cpp-httplib 0.11 compresses for a client that accepts "br" with
// Brotli at quality 11. On this project's 2-core test machine that took 0.3 s
// for a 50 KB JSON response and 4 s for the dashboard's script, and gzip a few
// milliseconds. Without "br" in Accept-Encoding the library chooses gzip. The library
// hands the request to the pre-routing handler as const, but the request
// object itself is not const, so changing its header is defined behaviour.
void drop_brotli(const httplib::Request& request) {
  auto& headers = const_cast<httplib::Request&>(request).headers;
  const auto found = headers.find("Accept-Encoding");
  if (found == headers.end()) return;

  std::string kept;
  std::string_view codings = found->second;
  while (!codings.empty()) {
    const std::size_t comma = codings.find(',');
    std::string_view coding = codings.substr(0, comma);
    codings = comma == std::string_view::npos ? std::string_view() : codings.substr(comma + 1);
    const std::size_t begin = coding.find_first_not_of(' ');
    coding = begin == std::string_view::npos ? std::string_view() : coding.substr(begin);
    const std::string_view name = coding.substr(0, coding.find_first_of(" ;"));
    if (name.empty() || name == "br") continue;
    kept += (kept.empty() ? "" : ", ") + std::string(coding);
  }
  found->second = kept.empty() ? "identity" : kept;
}

bool authorized(const httplib::Request& request, const std::string& token) {
  const std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  return equal_in_constant_time(std::string_view(header).substr(kScheme.size()), token);
}

}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> list = [] {
    std::vector<Route> result;
    for (const RouteEntry& entry : kRoutes) result.push_back({entry.method, entry.path});
    return result;
  }();
  return list;
}

struct Server::Impl {
  ServerOptions options;
  const Engine& engine;
  store::Store& store;
  StoreReaders readers{store};
  Metrics metrics;
  Context context{options, engine, store, readers, metrics};
  httplib::Server http;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  int bound_port = 0;
  std::vector<std::regex> patterns;  ///< of kRoutes, in order, to name the route of a request
  std::string dashboard_root;        ///< canonical dashboard folder; empty when none is served

  Impl(const ServerOptions& server_options, const Engine& analysis_engine, store::Store& item_store)
      : options(server_options), engine(analysis_engine), store(item_store) {}

  void configure();
  void register_routes();
  httplib::Server::HandlerResponse check_auth(const httplib::Request& request, httplib::Response& response);
  void respond(Handler handler, const httplib::Request& request, httplib::Response& response);
  void respond_with_body(Handler handler, const httplib::Request& request, httplib::Response& response,
                         const httplib::ContentReader& content_reader);
  std::string allowed_methods(const httplib::Request& request) const;
  void respond_metrics(httplib::Response& response);
  void add_error_body(const httplib::Request& request, httplib::Response& response);
  void log_request(const httplib::Request& request, const httplib::Response& response);
  std::string route_of(const httplib::Request& request) const;
};

void Server::Impl::configure() {
  const auto threads = static_cast<std::size_t>(std::max(1, options.threads));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second server bind
  // the same port and silently take half the connections. SO_REUSEADDR
  // alone still allows a restart while old connections sit in TIME_WAIT.
  http.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_payload_max_length(options.max_body_bytes);
  http.set_read_timeout(options.read_timeout_seconds, 0);
  http.set_write_timeout(options.write_timeout_seconds, 0);
  http.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    drop_brotli(request);
    if (check_auth(request, response) == httplib::Server::HandlerResponse::Handled) {
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string allowed = allowed_methods(request);
    if (allowed.empty()) return httplib::Server::HandlerResponse::Unhandled;
    response.set_header("Allow", allowed);
    response.set_header("Connection", "close");  // the body was not read
    send_error(response, 405, "method " + request.method + " not allowed; use " + allowed);
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    add_error_body(request, response);
  });
  http.set_logger(
      [this](const httplib::Request& request, const httplib::Response& response) { log_request(request, response); });
  register_routes();
  std::error_code error;
  if (!options.dashboard_directory.empty()) {
    dashboard_root = std::filesystem::canonical(options.dashboard_directory, error).string();
    if (error) dashboard_root.clear();
  }
  // Registered after the API routes, because cpp-httplib tries handlers in
  // registration order and this pattern matches every path.
  http.Get("/.*", [this](const httplib::Request& request, httplib::Response& response) {
    serve_dashboard_file(dashboard_root, request, response);
  });
}

void Server::Impl::register_routes() {
  for (const RouteEntry& entry : kRoutes) {
    patterns.emplace_back(entry.pattern);
    const std::string method = entry.method;
    httplib::Server::Handler handler;
    const std::string path = entry.path;
    if (path == "/healthz") {
      handler = [](const httplib::Request&, httplib::Response& response) {
        response.set_content("{\"status\":\"ok\"}", "application/json");
      };
    } else if (path == "/metrics") {
      handler = [this](const httplib::Request&, httplib::Response& response) { respond_metrics(response); };
    } else if (path == "/openapi.json") {
      handler = [](const httplib::Request&, httplib::Response& response) {
        response.set_content(std::string(openapi_document()), "application/json");
      };
    } else {
      const Handler route_handler = entry.handler;
      handler = [this, route_handler](const httplib::Request& request, httplib::Response& response) {
        respond(route_handler, request, response);
      };
    }
    if (method == "GET") {
      http.Get(entry.pattern, handler);
    } else {
      // cpp-httplib limits only bodies with a Content-Length, so POST bodies
      // are read here, where a chunked one stops at the limit too.
      const Handler route_handler = entry.handler;
      http.Post(entry.pattern, [this, route_handler](const httplib::Request& request, httplib::Response& response,
                                                     const httplib::ContentReader& content_reader) {
        respond_with_body(route_handler, request, response, content_reader);
      });
    }
  }
}

httplib::Server::HandlerResponse Server::Impl::check_auth(const httplib::Request& request,
                                                          httplib::Response& response) {
  t_request_start = std::chrono::steady_clock::now();
  // The dashboard's files contain no data, and the browser that loads them
  // has no token yet. The dashboard sends the token with its /api requests.
  if (options.token.empty() || request.path == "/healthz" || is_dashboard_path(request.path) ||
      authorized(request, options.token)) {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  response.set_header("WWW-Authenticate", "Bearer");
  // The body was not read, so the connection cannot carry another request.
  response.set_header("Connection", "close");
  send_error(response, 401, "missing or invalid bearer token in the Authorization header");
  return httplib::Server::HandlerResponse::Handled;
}

void Server::Impl::respond(Handler handler, const httplib::Request& request, httplib::Response& response) {
  try {
    const json body = handler(context, request);
    response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  } catch (const ApiError& error) {
    send_error(response, error.status(), error.what());
  } catch (const std::exception& error) {
    spdlog::error("{}", tr("request {} {} failed: {}", request.method, route_of(request), error.what()));
    send_error(response, 500, "internal error; the server log has the details");
  }
}

void Server::Impl::respond_with_body(Handler handler, const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& content_reader) {
  httplib::Request with_body = request;
  bool too_large = false;
  const bool read = content_reader([&](const char* data, std::size_t length) {
    too_large = with_body.body.size() + length > options.max_body_bytes;
    if (!too_large) with_body.body.append(data, length);
    return !too_large;
  });
  if (!read) {
    // The rest of the body is unread, so the connection cannot carry another request.
    response.set_header("Connection", "close");
    if (too_large || response.status == 413) {
      send_error(response, 413, fmt::format("request body too large: at most {} bytes", options.max_body_bytes));
    } else {
      send_error(response, 400, "the request body could not be read");
    }
    return;
  }
  respond(handler, with_body, response);
}

// The methods of the routes that match the request's path, for the Allow
// header of a 405; empty when the method is allowed or no route matches.
std::string Server::Impl::allowed_methods(const httplib::Request& request) const {
  bool get = false;
  bool post = false;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (!std::regex_match(request.path, patterns[i])) continue;
    if (std::string_view(kRoutes[i].method) == "GET") {
      get = true;
    } else {
      post = true;
    }
  }
  const bool allowed =
      (get && (request.method == "GET" || request.method == "HEAD")) || (post && request.method == "POST");
  if (allowed || (!get && !post)) return {};
  if (get && post) return "GET, HEAD, POST";
  return get ? "GET, HEAD" : "POST";
}

void Server::Impl::respond_metrics(httplib::Response& response) {
  Exposition out;
  metrics.write(out);
  try {
    write_store_metrics(out, *readers.acquire(), options, now_ms());
  } catch (const std::exception& error) {
    spdlog::error("{}", tr("reading the store for /metrics failed: {}", error.what()));
    send_error(response, 500, "reading the store failed; the server log has the details");
    return;
  }
  response.set_content(out.text(), "text/plain; version=0.0.4; charset=utf-8");
}

void Server::Impl::add_error_body(const httplib::Request& request, httplib::Response& response) {
  // Handlers write their own error bodies. cpp-httplib's own error
  // responses come without one, so this adds it.
  if (!response.body.empty()) return;
  switch (response.status) {
    case 404:
      send_error(response, 404, "not found: no route " + request.method + " " + request.path);
      break;
    case 413:
      send_error(response, 413,
                 fmt::format("request body too large: at most {} bytes", options.max_body_bytes));
      break;
    default:
      send_error(response, response.status, fmt::format("request failed with HTTP status {}", response.status));
  }
}

std::string Server::Impl::route_of(const httplib::Request& request) const {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (request.method == kRoutes[i].method && std::regex_match(request.path, patterns[i])) return kRoutes[i].path;
  }
  // One label for every dashboard file, so that paths never become labels.
  if ((request.method == "GET" || request.method == "HEAD") && is_dashboard_path(request.path)) return "dashboard";
  return "unmatched";
}

void Server::Impl::log_request(const httplib::Request& request, const httplib::Response& response) {
  // A request that cpp-httplib rejected before routing (a malformed request
  // line, say) never set the start, and counts with a duration of 0.
  std::chrono::duration<double> elapsed{0};
  if (t_request_start != std::chrono::steady_clock::time_point{}) elapsed = std::chrono::steady_clock::now() - t_request_start;
  t_request_start = {};
  const std::string route = route_of(request);
  metrics.count_request(request.method, route, response.status, elapsed.count());
  // The route template, never the path: paths carry product and user ids.
  spdlog::debug("{} {} {} {:.1f} ms", request.method, route, response.status, elapsed.count() * 1000);
}

Server::Server(const ServerOptions& options, const Engine& engine, store::Store& store)
    : impl_(std::make_unique<Impl>(options, engine, store)) {
  impl_->configure();
}

Server::~Server() { stop(); }

void Server::start() {
  const ServerOptions& options = impl_->options;
  int port = options.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(options.host);
  } else if (!impl_->http.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) throw Error(tr("cannot listen on {}:{}; is the port in use?", options.host, options.port));
  impl_->bound_port = port;
  impl_->listener_done = false;
  impl_->listener = std::thread([this] {
    if (!impl_->http.listen_after_bind()) spdlog::error("{}", tr("the HTTP server stopped accepting connections"));
    impl_->listener_done = true;
  });
  // stop() does nothing until the accept loop runs, so wait for it here.
  while (!impl_->http.is_running() && !impl_->listener_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("{}", tr("listening on http://{}:{}", options.host, port));
  prepare_profiler(impl_->context);
}

int Server::port() const { return impl_->bound_port; }

void Server::stop() {
  if (!impl_->listener.joinable()) return;
  // cpp-httplib closes the listening socket, then its thread pool finishes
  // the connections it has before listen_after_bind returns.
  impl_->http.stop();
  impl_->listener.join();
  spdlog::info("{}", tr("server stopped"));
}

}  // namespace shopsight::serve

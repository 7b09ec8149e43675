#pragma once

// Serve: the HTTP JSON API over the analysis engine and the store, the
// OpenAPI document that describes it, the Prometheus /metrics exposition and
// the static files of the web dashboard.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyze.h"
#include "store/store.h"

namespace shopsight::serve {

/// Settings of the HTTP server.
struct ServerOptions {
  std::string host = "127.0.0.1";                  ///< address to listen on
  int port = 8080;                                 ///< TCP port; 0 lets the kernel pick a free one
  std::string token;                               ///< bearer token required on every route but /healthz; empty disables auth
  std::size_t max_body_bytes = 8 << 20;            ///< larger request bodies get 413
  int read_timeout_seconds = 10;                   ///< per read of a request from the socket
  int write_timeout_seconds = 10;                  ///< per write of a response to the socket
  int threads = 8;                                 ///< connections handled at the same time
  int metrics_window_hours = 24;                   ///< time range of the business series in /metrics
  bool metrics_window_at_latest_item = false;      ///< end that range at the latest stored item instead of now
  int metrics_products = 100;                      ///< products with their own series in /metrics, by volume
  std::string dashboard_directory;                 ///< folder of the web dashboard served at /; empty serves none
};

/// Folders where `shopsight serve` looks for the dashboard when --dashboard
/// is not given, in order: EXE_DIR/../share/shopsight/dashboard, where an
/// installed build keeps it, then the dashboard folder of the build tree.
std::vector<std::string> dashboard_search_paths();

/// True when `directory` contains the dashboard's index.html.
bool is_dashboard_directory(const std::string& directory);

/// One route of the API: an HTTP method and an OpenAPI path template such as
/// /api/v1/products/{id}.
struct Route {
  std::string method;
  std::string path;
};

/// Every route the server registers, in registration order.
const std::vector<Route>& routes();

/// The OpenAPI 3 document served at /openapi.json.
std::string_view openapi_document();

/// HTTP server that handles requests on a pool of threads until stopped. The engine and
/// the store must outlive it.
class Server {
 public:
  /// Prepares the routes; nothing listens until start().
  Server(const ServerOptions& options, const Engine& engine, store::Store& store);

  /// Stops the server if it still runs.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the socket and serves on a background thread. Throws
  /// shopsight::Error when the address cannot be bound.
  void start();

  /// Bound TCP port, which is the picked one when ServerOptions::port is 0.
  int port() const;

  /// Stops accepting connections and returns after the requests in flight
  /// have their responses.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight::serve

// `shopsight serve`: the HTTP API, /metrics and the web dashboard over a
// store, until SIGINT or SIGTERM.

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "cli/store_options.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "serve/serve.h"

namespace shopsight::cli {
namespace {

struct ServeArguments {
  std::string db;
  std::string bucket_timezone;
  std::string token_file;
  std::string dashboard;
  serve::ServerOptions server;
  EngineOptions engine;
};

// Picks the dashboard folder: --dashboard when given, which must contain
// index.html, else the first search path that has one, else none.
std::string choose_dashboard(const std::string& dashboard_option) {
  if (!dashboard_option.empty()) {
    if (!serve::is_dashboard_directory(dashboard_option)) {
      throw Error(tr("--dashboard {} has no index.html; name the folder of the built dashboard", dashboard_option));
    }
    spdlog::info("{}", tr("serving the dashboard from {}", dashboard_option));
    return dashboard_option;
  }
  const std::vector<std::string> candidates = serve::dashboard_search_paths();
  for (const std::string& candidate : candidates) {
    if (!serve::is_dashboard_directory(candidate)) continue;
    spdlog::info("{}", tr("serving the dashboard from {}", candidate));
    return candidate;
  }
  std::string searched;
  for (const std::string& candidate : candidates) searched += (searched.empty() ? "" : ", ") + candidate;
  spdlog::warn("{}", tr("no dashboard found in {}; / returns 404 until the dashboard is built or --dashboard "
                        "names its folder",
                        searched));
  return {};
}

// Blocks until SIGINT or SIGTERM arrives. The signals must already be blocked
// in every thread, so none of the server's threads takes them.
int wait_for_stop_signal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

void run_serve(ServeArguments& args) {
  // Tokens never come from the command line, where `ps` shows them.
  args.server.token = read_secret(args.token_file, "SHOPSIGHT_TOKEN", tr("token"));
  args.server.dashboard_directory = choose_dashboard(args.dashboard);
  if (args.server.token.empty() && args.server.host != "127.0.0.1" && args.server.host != "localhost" &&
      args.server.host != "::1") {
    spdlog::warn("{}", tr("listening on {} without a token: anyone who can reach it can read and add items; "
                          "pass --token-file or set SHOPSIGHT_TOKEN",
                          args.server.host));
  }

  // Blocked before any thread starts, so that every thread inherits the mask
  // and only sigwait below receives the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  store::StoreOptions store_options;
  store_options.path = args.db;
  store_options.bucket_timezone = args.bucket_timezone;
  store::Store store(store_options);
  spdlog::info("{}", tr("loading the model"));
  args.engine.normalize.mask_personal_data = true;
  const Engine engine(args.engine);

  serve::Server server(args.server, engine, store);
  server.start();
  const int received = wait_for_stop_signal(signals);
  spdlog::info("{}", tr("received signal {}; finishing the requests in flight", received));
  server.stop();
}

void add_server_options(CLI::App& command, ServeArguments& args) {
  serve::ServerOptions& server = args.server;
  command.add_option("--host", server.host, tr("address to listen on"))->capture_default_str();
  command.add_option("--port", server.port, tr("TCP port to listen on; 0 picks a free port"))
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command.add_option("--token-file", args.token_file,
                     tr("file with the bearer token that every route but /healthz requires (default: the "
                        "SHOPSIGHT_TOKEN environment variable; neither means no authentication)"));
  command.add_option("--threads", server.threads, tr("requests handled at the same time"))
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command.add_option("--max-body-bytes", server.max_body_bytes, tr("larger request bodies are rejected with 413 (bytes)"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32))
      ->capture_default_str();
  command.add_option("--read-timeout", server.read_timeout_seconds, tr("timeout of each read from a client (seconds)"))
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command.add_option("--write-timeout", server.write_timeout_seconds, tr("timeout of each write to a client (seconds)"))
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command.add_option("--metrics-window", server.metrics_window_hours,
                     tr("time range of the per-category, per-aspect and per-product series in /metrics (hours)"))
      ->check(CLI::Range(1, 24 * 366))
      ->capture_default_str();
  command.add_flag("--metrics-at-latest-item", server.metrics_window_at_latest_item,
                   tr("end the /metrics time range at the latest stored item instead of now, for replayed history "
                      "(default: off)"));
  command.add_option("--dashboard", args.dashboard,
                     tr("folder of the built web dashboard, served at / without a token (default: "
                        "share/shopsight/dashboard beside the executable's folder, then the build tree's)"));
  command.add_option("--metrics-products", server.metrics_products,
                     tr("products with their own series in /metrics, largest volume first"))
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArguments>();
  CLI::App* command = app.add_subcommand(
      "serve", tr("serve the HTTP JSON API and Prometheus /metrics over a store until SIGINT or SIGTERM"));
  command->add_option("--db", args->db, tr("SQLite store file; created when missing"))->required();
  add_bucket_timezone_option(*command, args->bucket_timezone);
  add_server_options(*command, *args);
  add_engine_options(*command, args->engine);
  command->callback([args] { run_serve(*args); });
}

}  // namespace shopsight::cli

// `shopsight alerts`: lists the alerts kept in a store.

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "detect/detect.h"

namespace shopsight::cli {
namespace {

struct AlertsArguments {
  std::string db;
  store::AlertQuery query;
  std::string since;
  std::string format = "text";
  bool redeliver = false;
  std::string rules;
};

// Sends the undelivered recent alerts to the sinks of the rules and waits
// for them, up to the rules' sink_shutdown_ms, so that the list below shows
// the outcome.
void redeliver(const AlertsArguments& args) {
  store::Store store({.path = args.db});
  const detect::Rules rules = args.rules.empty() ? detect::default_rules() : detect::load_rules(args.rules);
  detect::Monitor monitor(store, rules);
  const std::size_t queued = monitor.redeliver();
  spdlog::info("{}", tr("sending {} undelivered alerts again", queued));
}

void run_alerts(AlertsArguments& args) {
  args.query.from = parse_time_option("--since", args.since);
  if (args.redeliver) redeliver(args);
  store::StoreOptions options;
  options.path = args.db;
  options.read_only = true;
  const store::Store store(options);
  // A raw user id finds the alerts of its pseudonym.
  args.query.value = store.stored_value(args.query.dimension, args.query.value);
  const std::vector<store::Alert> alerts = store.alerts(args.query);

  if (args.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const store::Alert& alert : alerts) {
      list.push_back(
          detect::alert_to_json(alert, store.items_by_row(alert.examples), store.deliveries(alert.fingerprint)));
    }
    std::cout << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  for (const store::Alert& alert : alerts) {
    std::cout << detect::format_alert(alert, store.items_by_row(alert.examples), store.deliveries(alert.fingerprint))
              << "\n";
  }
  std::cout << tr("{} alerts", alerts.size()) << "\n";
}

}  // namespace

void add_alerts_command(CLI::App& app) {
  auto args = std::make_shared<AlertsArguments>();
  CLI::App* command =
      app.add_subcommand("alerts", tr("list the alerts kept in a store, newest window first, with example items"));
  command->add_option("--db", args->db, tr("SQLite store file to read"))->required()->check(CLI::ExistingFile);
  command->add_option("--detector", args->query.detector,
                      tr("only this detector: negative_share, sentiment_score, volume, aspect_negative or "
                         "emerging_keyword (default: all)"))
      ->check(CLI::IsMember({"negative_share", "sentiment_score", "volume", "aspect_negative", "emerging_keyword"}));
  command->add_option("--dimension", args->query.dimension,
                      tr("only this dimension: shop, product, category, channel, aspect or user (default: all)"))
      ->check(CLI::IsMember(std::vector<std::string>(store::kDimensions.begin(), store::kDimensions.end())));
  command->add_option("--value", args->query.value, tr("only this dimension value, e.g. a product id (default: all)"));
  command->add_option("--severity", args->query.severity, tr("only this severity: info, warning or critical (default: all)"))
      ->check(CLI::IsMember({"info", "warning", "critical"}));
  command->add_option("--since", args->since,
                      tr("only alerts whose window starts at or after this UTC date or time (default: all)"));
  command->add_option("--limit", args->query.limit, tr("alerts listed at most"))
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("--format", args->format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  CLI::Option* redeliver_flag = command->add_flag("--redeliver", args->redeliver,
                    tr("first send the recent alerts that a sink has not received again, and wait for them up to "
                       "sink_shutdown_ms"));
  command->add_option("--rules", args->rules,
                      tr("rules file, TOML, whose sinks --redeliver sends to (default: the built-in rules)"))
      ->check(CLI::ExistingFile)
      ->needs(redeliver_flag);
  command->callback([args] { run_alerts(*args); });
}

}  // namespace shopsight::cli

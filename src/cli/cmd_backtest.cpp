// `shopsight backtest`: replays a file through an in-memory store and the
// detectors, and prints every alert the rules would have raised.

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/store_options.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "detect/detect.h"

namespace shopsight::cli {
namespace {

struct BacktestArguments {
  std::string input;
  std::string rules;
  std::string format = "text";
  std::string granularity;
  std::string bucket_timezone;
  FeedArguments feed;
};

detect::Rules backtest_rules(const BacktestArguments& args) {
  detect::Rules rules = args.rules.empty() ? detect::default_rules() : detect::load_rules(args.rules);
  // The alerts are printed; sending them to the rules' sinks would announce
  // past incidents as new ones.
  rules.sinks.clear();
  if (!args.granularity.empty()) {
    const auto granularity = store::parse_granularity(args.granularity);
    for (detect::DetectorRule& rule : rules.detectors) rule.granularity = *granularity;
  }
  return rules;
}

store::IngestStats ingest_file(BacktestArguments& args, store::Store& store) {
  const std::unique_ptr<Engine> engine = load_engine(args.feed);
  RejectsWriter rejects(args.feed.rejects);
  InputFailures failures(1);  // the only input, so its errors stop the backtest
  return *ingest_path(args.input, *engine, store, args.feed, rejects, failures);
}

void print_alerts(const BacktestArguments& args, const store::Store& store, const store::IngestStats& stats,
                  const std::vector<store::Alert>& alerts) {
  if (args.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const store::Alert& alert : alerts) {
      list.push_back(detect::alert_to_json(alert, store.items_by_row(alert.examples)));
    }
    const nlohmann::json output = {{"items", stats.added},
                                   {"rejected", stats.rejected},
                                   {"first_time", store.earliest_time().value_or(0)},
                                   {"last_time", store.latest_time().value_or(0)},
                                   {"alerts", std::move(list)}};
    std::cout << output.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  for (const store::Alert& alert : alerts) {
    std::cout << detect::format_alert(alert, store.items_by_row(alert.examples)) << "\n";
  }
  std::cout << tr("{} alerts over {} items", alerts.size(), stats.added) << "\n";
}

void run_backtest(BacktestArguments& args) {
  check_outputs_differ_from_inputs({args.input}, {{"--rejects", args.feed.rejects}});
  const detect::Rules rules = backtest_rules(args);
  args.feed.require_time = true;
  store::StoreOptions options;
  options.path = ":memory:";
  options.bucket_timezone = args.bucket_timezone;
  store::Store store(options);

  const store::IngestStats stats = ingest_file(args, store);
  if (!store.latest_time()) {
    throw Error(tr("no items with a time in {}; name the time column with --time", args.input));
  }
  const std::vector<store::Alert> alerts = detect::Monitor(store, rules).run();
  print_alerts(args, store, stats, alerts);
  finish_ingest(stats, args.feed.rejects);
}

}  // namespace

void add_backtest_command(CLI::App& app) {
  auto args = std::make_shared<BacktestArguments>();
  CLI::App* command = app.add_subcommand(
      "backtest", tr("replay a file of timed reviews through the detectors and print every alert they would have raised"));
  command->add_option("input", args->input, tr("input file (CSV, TSV or JSON Lines) with a time column"))->required();
  command->add_option("--rules", args->rules,
                      tr("TOML rules file (default: the built-in rules, the same as examples/rules.toml)"))
      ->check(CLI::ExistingFile);
  command->add_option("--granularity", args->granularity,
                      tr("bucket length for every detector: minute, hour or day (default: each rule's own)"))
      ->check(CLI::IsMember({"minute", "hour", "day"}));
  add_bucket_timezone_option(*command, args->bucket_timezone);
  command->add_option("--format", args->format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_feed_options(*command, args->feed);
  command->callback([args] { run_backtest(*args); });
}

}  // namespace shopsight::cli

// `shopsight forecast`: forecasts stored series with Holt-Winters and
// backtests each forecast on the last part of its history.

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "forecast/forecast.h"
#include "store/store.h"

namespace shopsight::cli {
namespace {

struct ForecastArguments {
  std::string db;
  std::string measure = "volume";
  std::string granularity = "day";
  std::string format = "text";
  forecast::Query query;
};

void run_forecast(ForecastArguments& args) {
  // Both are mistakes in the command line, so they exit with the usage status.
  const auto measure = forecast::parse_measure(args.measure);
  if (!measure) {
    throw CLI::ValidationError(tr("--measure {} is invalid; use volume, negative_share, mean_score, "
                                  "aspect:CATEGORY or aspect_negative:CATEGORY",
                                  args.measure));
  }
  args.query.measure = *measure;
  args.query.granularity = *store::parse_granularity(args.granularity);

  store::StoreOptions options;
  options.path = args.db;
  options.read_only = true;
  const store::Store store(options);
  // A raw user id forecasts the series of its pseudonym.
  args.query.value = store.stored_value(args.query.dimension, args.query.value);
  std::vector<forecast::ValueForecast> forecasts;
  try {
    forecasts = forecast::forecast(store, args.query);
  } catch (const forecast::UnknownAspectError& error) {
    throw CLI::ValidationError("--measure", error.what());
  }

  if (args.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& value : forecasts) out.push_back(forecast::to_json(value));
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (std::size_t i = 0; i < forecasts.size(); ++i) {
    if (i > 0) std::cout << "\n";
    std::cout << forecast::format_text(forecasts[i]);
  }
}

}  // namespace

void add_forecast_command(CLI::App& app) {
  auto args = std::make_shared<ForecastArguments>();
  CLI::App* command = app.add_subcommand(
      "forecast",
      tr("forecast volume, negative share, mean score or aspect mentions for the next buckets, with a backtest"));
  command->add_option("--db", args->db, tr("store file written by shopsight ingest"))->required();
  command->add_option("--dimension", args->query.dimension, tr("dimension to forecast"))
      ->check(CLI::IsMember({"shop", "product", "category", "channel", "aspect", "user"}))
      ->capture_default_str();
  command->add_option("--value", args->query.value,
                      tr("dimension value to forecast (default: the largest values by volume, see --top)"));
  command->add_option("--measure", args->measure,
                      tr("what to forecast: volume, negative_share, mean_score, aspect:CATEGORY (mentions) or "
                         "aspect_negative:CATEGORY (negative mentions)"))
      ->capture_default_str();
  command->add_option("--granularity", args->granularity,
                      tr("bucket length: hour (season of 24 buckets) or day (season of 7 buckets)"))
      ->check(CLI::IsMember({"hour", "day"}))
      ->capture_default_str();
  command->add_option("--horizon", args->query.horizon, tr("buckets to forecast"))
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->add_option("--top", args->query.top, tr("values forecast when --value is not given"))
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->add_option("--history", args->query.max_history,
                      tr("most recent buckets of history to fit on (0: all of them)"))
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--format", args->format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([args] { run_forecast(*args); });
}

}  // namespace shopsight::cli

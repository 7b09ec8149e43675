// Options and steps shared by the commands that fill the store.

#include "cli/store_options.h"

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "detect/detect.h"

namespace shopsight::cli {

void add_bucket_timezone_option(CLI::App& command, std::string& timezone) {
  command.add_option("--bucket-timezone", timezone,
                     tr("IANA time zone whose midnight starts the day buckets, e.g. Asia/Shanghai; kept in the store "
                        "when it is created (default: the store's zone, UTC for a new store)"));
}

void add_store_options(CLI::App& command, store::StoreOptions& options) {
  command.add_option("--db", options.path, tr("SQLite store file; created when missing"))->required();
  add_bucket_timezone_option(command, options.bucket_timezone);
  const std::string group = tr("Retention");
  const auto days_option = [&](const char* flag, auto& days, const std::string& description) {
    command.add_option(flag, days, description)->check(CLI::NonNegativeNumber)->capture_default_str()->group(group);
  };
  days_option("--keep-minutes-days", options.retention.minute_days,
              tr("days of minute buckets kept; 0 keeps them forever"));
  days_option("--keep-hours-days", options.retention.hour_days, tr("days of hour buckets kept; 0 keeps them forever"));
  days_option("--keep-days-days", options.retention.day_days, tr("days of day buckets kept; 0 keeps them forever"));
  days_option("--keep-items-days", options.retention.item_days,
              tr("days of items kept; older items are deleted whole (text, aspects, keywords), so "
                 "/api/v1/items, alert examples and the parts of profiles and recommendations read from "
                 "items lose them, while their bucket counts stay; 0 keeps them forever"));
}

void add_feed_options(CLI::App& command, FeedArguments& args) {
  command.add_option("--rejects", args.rejects,
                     tr("CSV file that receives skipped rows with file, line and reason (default: none)"));
  command.add_option("--batch-items", args.ingest.batch_items, tr("items per store transaction"))
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command.add_option("--threads", args.ingest.pipeline.threads, tr("analyzer threads; 0 uses every core, or 1 with --llm"))
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  command.add_option("--analyzer-nice", args.ingest.pipeline.analyzer_nice,
                     tr("added to the analyzer threads' nice value, so that the store writer gets a core first; "
                        "0 when other programs need the cores as much"))
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  add_input_options(command, args.reader);
  add_engine_options(command, args.engine);
}

std::unique_ptr<Engine> load_engine(FeedArguments& args) {
  spdlog::info("{}", tr("loading the model"));
  // A llama.cpp context already uses every core.
  if (!args.engine.llm_model.empty() && args.ingest.pipeline.threads == 0) args.ingest.pipeline.threads = 1;
  return std::make_unique<Engine>(args.engine);
}

void warn_without_time_column(const Reader& reader, const std::string& source) {
  if (!reader.resolved_columns().time.empty()) return;
  spdlog::warn("{}", tr("{}: no time column found, so every item gets the time it is stored; name the column "
                        "with --time",
                        source));
}

void warn_rows_without_id(const Reader& reader, const std::string& source, const store::IngestStats& stats) {
  if (stats.without_id == 0) return;
  spdlog::warn("{}", tr("{}: {} rows have an empty id in the column '{}', so each is keyed by its time, product, "
                        "user and text instead",
                        source, stats.without_id, reader.resolved_columns().id));
}

std::optional<store::IngestStats> ingest_path(const std::string& path, const Engine& engine, store::Store& store,
                                              const FeedArguments& args, RejectsWriter& rejects,
                                              InputFailures& failures) {
  std::unique_ptr<Reader> reader;
  try {
    reader = open_input(args.reader, path);
  } catch (const Error& error) {
    failures.add(error);
    return std::nullopt;
  }
  if (args.require_time && reader->resolved_columns().time.empty()) {
    throw Error(tr("{}: no time column found, and a replay needs the time of each item; name the column with --time",
                   path));
  }
  warn_without_time_column(*reader, path);
  Progress progress(tr("ingesting {}", path), 0);
  const store::IngestStats stats = store::ingest(
      *reader, engine, store, args.ingest, nullptr, [&](const Reject& reject) { report_reject(rejects, reject); },
      [&](std::int64_t done) { progress.update(done); });
  progress.finish();
  warn_rows_without_id(*reader, path, stats);
  return stats;
}

void add_stats(store::IngestStats& total, const store::IngestStats& stats) {
  total.read += stats.read;
  total.added += stats.added;
  total.duplicates += stats.duplicates;
  total.rejected += stats.rejected;
  total.seconds += stats.seconds;
}

void add_detect_options(CLI::App& command, DetectArguments& args) {
  const std::string group = tr("Detection");
  command.add_option("--rules", args.rules, tr("detector rules file, TOML (default: the built-in rules, as in examples/rules.toml)"))
      ->check(CLI::ExistingFile)
      ->group(group);
  command.add_flag("--no-detect", args.off, tr("store items without running the detectors"))->group(group);
}

std::unique_ptr<detect::Monitor> make_monitor(store::Store& store, const DetectArguments& args) {
  if (args.off) return nullptr;
  const detect::Rules rules = args.rules.empty() ? detect::default_rules() : detect::load_rules(args.rules);
  auto monitor = std::make_unique<detect::Monitor>(store, rules);
  // What an earlier run failed to deliver goes out now, even if no bucket closes.
  monitor->redeliver();
  return monitor;
}

void run_detectors(detect::Monitor* monitor) {
  if (monitor == nullptr) return;
  const std::vector<store::Alert> alerts = monitor->run();
  if (!alerts.empty()) spdlog::info("{}", tr("{} new alerts; list them with `shopsight alerts`", alerts.size()));
}

void finish_ingest(const store::IngestStats& total, const std::string& rejects_path) {
  const double rate = total.seconds > 0 ? static_cast<double>(total.read) / total.seconds : 0.0;
  spdlog::info("{}", tr("{} items read in {:.2f} s ({:.0f} items/s): {} stored, {} already stored, {} rows rejected",
                        total.read, total.seconds, rate, total.added, total.duplicates, total.rejected));
  if (total.rejected == 0) return;
  if (rejects_path.empty()) {
    spdlog::warn("{}", tr("{} rows were rejected; pass --rejects FILE to keep them", total.rejected));
  } else {
    spdlog::warn("{}", tr("{} rows were rejected; see {}", total.rejected, rejects_path));
  }
  set_exit_status(kExitRowsRejected);
}

}  // namespace shopsight::cli

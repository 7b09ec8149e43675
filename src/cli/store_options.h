#pragma once

// Options and steps shared by the commands that fill the store (ingest,
// watch): the store's file and retention, and how skipped rows are reported.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "detect/detect.h"
#include "ingest/ingest.h"
#include "store/store.h"

namespace shopsight::cli {

/// What decides whether and how detectors run after new items are stored.
struct DetectArguments {
  std::string rules;                               ///< rules file; empty for the default rules
  bool off = false;                                ///< --no-detect
};

/// Adds --rules and --no-detect.
void add_detect_options(CLI::App& command, DetectArguments& args);

/// Loads the rules and makes the monitor, whose sinks keep sending in the
/// background until it is destroyed. Returns nullptr with --no-detect.
std::unique_ptr<detect::Monitor> make_monitor(store::Store& store, const DetectArguments& args);

/// Runs the detectors on the buckets closed since their last run, unless
/// `monitor` is null, and logs how many new alerts they raised.
void run_detectors(detect::Monitor* monitor);

/// Settings shared by the commands that analyze items into a store.
struct FeedArguments {
  ReaderOptions reader;
  EngineOptions engine;
  store::IngestOptions ingest;
  std::string rejects;                             ///< rejects file; empty for none
  bool require_time = false;                       ///< a missing time column is an error, not a warning
};

/// Adds --rejects, --batch-items, --threads, the input options and the model options.
void add_feed_options(CLI::App& command, FeedArguments& args);

/// Loads the analyzers. With an LLM, one analyzer thread runs unless --threads is set.
std::unique_ptr<Engine> load_engine(FeedArguments& args);

/// Warns that the store gives the items of `source` the time they are stored
/// when `reader` found no time column: their history would land in one day.
void warn_without_time_column(const Reader& reader, const std::string& source);

/// Warns about the items of `source` that had an empty id although `reader`
/// found an id column. The store keys them by content, so a copy of such a
/// row with any of those fields changed is stored as a second item.
void warn_rows_without_id(const Reader& reader, const std::string& source, const store::IngestStats& stats);

/// Reads, analyzes and stores one file with a progress display. Returns
/// nothing when the file cannot be opened and `failures` lets the other inputs go on.
std::optional<store::IngestStats> ingest_path(const std::string& path, const Engine& engine, store::Store& store,
                                              const FeedArguments& args, RejectsWriter& rejects,
                                              InputFailures& failures);

/// Adds `stats` to `total`.
void add_stats(store::IngestStats& total, const store::IngestStats& stats);

/// Adds --bucket-timezone, which sets the time zone of a new store's day buckets.
void add_bucket_timezone_option(CLI::App& command, std::string& timezone);

/// Adds --db, --bucket-timezone and the retention options.
void add_store_options(CLI::App& command, store::StoreOptions& options);

/// Logs the totals of an ingest run and sets exit status 3 when rows were rejected.
void finish_ingest(const store::IngestStats& total, const std::string& rejects_path);

}  // namespace shopsight::cli

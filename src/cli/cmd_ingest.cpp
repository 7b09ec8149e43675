// `shopsight ingest`: analyzes files and adds the results to the store.

#include "cli/commands.h"
#include "cli/store_options.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::cli {
namespace {

struct IngestArguments {
  std::vector<std::string> inputs;
  store::StoreOptions store;
  FeedArguments feed;
  DetectArguments detect;
};

void run_ingest(IngestArguments& args) {
  check_outputs_differ_from_inputs(args.inputs, {{"--rejects", args.feed.rejects}});
  store::Store store(args.store);
  const std::unique_ptr<Engine> engine = load_engine(args.feed);
  RejectsWriter rejects(args.feed.rejects);
  // Made first, so that an invalid rules file stops the command before any
  // work, and destroyed last, so that the summary is not kept waiting for the sinks.
  const std::unique_ptr<detect::Monitor> monitor = make_monitor(store, args.detect);

  store::IngestStats total;
  InputFailures failures(args.inputs.size());
  for (const std::string& input : args.inputs) {
    const std::optional<store::IngestStats> stats = ingest_path(input, *engine, store, args.feed, rejects, failures);
    if (stats) add_stats(total, *stats);
  }
  failures.finish();
  store.apply_retention();
  run_detectors(monitor.get());
  finish_ingest(total, args.feed.rejects);
}

}  // namespace

void add_ingest_command(CLI::App& app) {
  auto args = std::make_shared<IngestArguments>();
  CLI::App* command = app.add_subcommand(
      "ingest", tr("analyze CSV, TSV or JSON Lines files and add the items to the store; items already stored are skipped"));
  command->add_option("inputs", args->inputs, tr("input files; - reads standard input"))->required();
  add_store_options(*command, args->store);
  add_detect_options(*command, args->detect);
  add_feed_options(*command, args->feed);
  command->callback([args] { run_ingest(*args); });
}

}  // namespace shopsight::cli

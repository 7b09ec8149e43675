#include <memory>

#include "analyze/keywords.h"
#include "cli/commands.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::cli {
namespace {

struct IdfArguments {
  std::vector<std::string> inputs;
  ReaderOptions reader;
  std::string output;
  std::int64_t min_count = 3;
};

void run_idf(const IdfArguments& args) {
  check_outputs_differ_from_inputs(args.inputs, {{"--output", args.output}});
  const Normalizer normalizer;
  DocumentFrequencies frequencies;
  for (const std::string& input : args.inputs) {
    auto reader = open_input(args.reader, input);
    Progress progress(tr("counting words in {}", input), 0);
    Item item;
    Reject reject;
    std::int64_t rows = 0;
    for (ReadStatus status; (status = reader->next(item, reject)) != ReadStatus::end;) {
      if (status == ReadStatus::item) frequencies.add(make_document(normalizer, item.text));
      progress.update(++rows);
    }
  }
  frequencies.save(args.output, args.min_count);
  spdlog::info("{}", tr("document frequencies of {} documents written to {}", frequencies.documents, args.output));
}

}  // namespace

void add_idf_command(CLI::App& app) {
  auto args = std::make_shared<IdfArguments>();
  CLI::App* command = app.add_subcommand(
      "idf", tr("count document frequencies of words for keyword extraction (the model folder's idf.tsv)"));
  command->add_option("inputs", args->inputs, tr("input files; - reads standard input"))->required();
  command->add_option("-o,--output", args->output, tr("output file, e.g. models/default/idf.tsv"))->required();
  command->add_option("--min-count", args->min_count, tr("keep words found in at least this many documents"))
      ->capture_default_str();
  add_input_options(*command, args->reader);
  command->callback([args] { run_idf(*args); });
}

}  // namespace shopsight::cli

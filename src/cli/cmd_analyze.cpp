#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "analyze/analyze.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "report/report.h"

namespace shopsight::cli {
namespace {

struct AnalyzeArguments {
  std::vector<std::string> inputs;
  ReaderOptions reader;
  std::string output = "-";
  std::string rejects;
  std::vector<std::string> reports;
  EngineOptions engine;
  bool keep_personal_data = false;
  PipelineOptions pipeline;
};

std::string format_time(std::int64_t milliseconds) {
  const std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

nlohmann::ordered_json to_json(const Item& item, const Analysis& analysis, bool mask) {
  nlohmann::ordered_json out;
  out["id"] = item.id;
  out["source"] = item.source;
  out["line"] = item.line;
  if (item.time) out["time"] = format_time(*item.time);
  if (!item.product.empty()) out["product"] = item.product;
  if (!item.category.empty()) out["category"] = item.category;
  if (!item.user.empty()) out["user"] = mask ? mask_personal_data(item.user) : item.user;
  out["channel"] = item.channel;
  if (item.rating) out["rating"] = *item.rating;
  if (!item.label.empty()) out["label"] = item.label;
  out["language"] = analysis.language;
  out["text"] = analysis.masked_text;
  out["normalized_text"] = analysis.normalized_text;
  out["sentiment"] = {{"label", analysis.sentiment.label},
                      {"probability", analysis.sentiment.probability},
                      {"score", analysis.sentiment.score}};

  nlohmann::ordered_json aspects = nlohmann::ordered_json::array();
  for (const AspectMention& mention : analysis.aspects) {
    nlohmann::ordered_json aspect = {{"category", mention.category}, {"polarity", mention.polarity}};
    aspect["aspect"] = mention.aspect_begin >= 0 ? nlohmann::ordered_json(mention.aspect) : nlohmann::ordered_json(nullptr);
    aspect["aspect_begin"] = mention.aspect_begin >= 0 ? nlohmann::ordered_json(mention.aspect_begin) : nlohmann::ordered_json(nullptr);
    aspect["aspect_end"] = mention.aspect_begin >= 0 ? nlohmann::ordered_json(mention.aspect_end) : nlohmann::ordered_json(nullptr);
    aspect["opinion"] = mention.opinion_begin >= 0 ? nlohmann::ordered_json(mention.opinion) : nlohmann::ordered_json(nullptr);
    aspect["opinion_begin"] = mention.opinion_begin >= 0 ? nlohmann::ordered_json(mention.opinion_begin) : nlohmann::ordered_json(nullptr);
    aspect["opinion_end"] = mention.opinion_begin >= 0 ? nlohmann::ordered_json(mention.opinion_end) : nlohmann::ordered_json(nullptr);
    aspects.push_back(std::move(aspect));
  }
  out["aspects"] = std::move(aspects);

  nlohmann::ordered_json keywords = nlohmann::ordered_json::array();
  for (const Keyword& keyword : analysis.keywords) {
    keywords.push_back({{"word", keyword.word}, {"score", keyword.score}});
  }
  out["keywords"] = std::move(keywords);

  // Other columns are written as they came, masked like the text, because
  // any free-text column can carry a phone number or an address.
  nlohmann::ordered_json columns = nlohmann::ordered_json::object();
  for (const auto& [name, value] : item.columns) columns[name] = mask ? mask_personal_data(value) : value;
  out["columns"] = std::move(columns);
  return out;
}

void run_analyze(AnalyzeArguments& args) {
  args.engine.normalize.mask_personal_data = !args.keep_personal_data;
  const bool mask = !args.keep_personal_data;
  spdlog::info("{}", tr("loading the model"));
  const Engine engine(args.engine);

  std::ofstream output_file;
  std::ostream* output = &std::cout;
  if (args.output != "-") {
    output_file.open(args.output, std::ios::binary);
    if (!output_file) throw Error(tr("cannot write output file {}", args.output));
    output = &output_file;
  }
  RejectsWriter rejects(args.rejects);
  std::unique_ptr<ReportBuilder> report;
  if (!args.reports.empty()) {
    // Days in the report follow the shop's time zone, not UTC.
    ReportOptions report_options;
    report_options.timezone = args.reader.timezone;
    report = std::make_unique<ReportBuilder>(report_options);
  }

  PipelineStats total;
  for (const std::string& input : args.inputs) {
    ReaderOptions reader_options = args.reader;
    reader_options.path = input;
    auto reader = Reader::open(reader_options);

    Progress progress(tr("analyzing {}", input), 0);
    const PipelineStats stats = run_pipeline(
        *reader, engine, args.pipeline,
        [&](const Item& item, const Analysis& analysis) {
          *output << to_json(item, analysis, mask).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << '\n';
          if (report) report->add(item, analysis);
        },
        [&](const Reject& reject) {
          if (mask) {
            // The raw row is written too, so it is masked like every other output.
            Reject masked = reject;
            masked.raw = mask_personal_data(reject.raw);
            rejects.write(masked);
          } else {
            rejects.write(reject);
          }
          spdlog::warn("{}", tr("{}:{}: row skipped: {}", reject.source, reject.line, reject.reason));
        },
        [&](std::int64_t done) { progress.update(done); });
    progress.finish();
    total.items += stats.items;
    total.rejected += stats.rejected;
    total.seconds += stats.seconds;
  }
  output->flush();
  if (!*output) throw Error(tr("cannot write output file {}", args.output));

  for (const std::string& path : args.reports) {
    report->write(path);
  }

  const double rate = total.seconds > 0 ? static_cast<double>(total.items) / total.seconds : 0.0;
  spdlog::info("{}", tr("{} items analyzed in {:.2f} s ({:.0f} items/s), {} rows rejected", total.items,
                        total.seconds, rate, total.rejected));
  if (total.rejected > 0) {
    if (args.rejects.empty()) {
      spdlog::warn("{}", tr("{} rows were rejected; pass --rejects FILE to keep them", total.rejected));
    } else {
      spdlog::warn("{}", tr("{} rows were rejected; see {}", total.rejected, args.rejects));
    }
    set_exit_status(kExitRowsRejected);
  }
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArguments>();
  CLI::App* command = app.add_subcommand(
      "analyze", tr("analyze each item of CSV, TSV or JSON Lines files: sentiment, aspects, keywords"));
  command->add_option("inputs", args->inputs, tr("input files; - reads standard input"))->required();
  command->add_option("-o,--output", args->output, tr("JSON Lines output file; - writes standard output"))
      ->capture_default_str();
  command->add_option("--rejects", args->rejects,
                      tr("CSV file that receives skipped rows with file, line and reason (default: none)"));
  command->add_option("--report", args->reports,
                      tr("aggregate report per category and product: FILE.md, FILE.html or FILE.json; repeatable"));
  add_input_options(*command, args->reader);

  const std::string model_group = tr("Model");
  command->add_option("--model", args->engine.model_dir, tr("model folder (default: the shipped default model)"))
      ->group(model_group);
  command->add_option("--sentiment-model", args->engine.sentiment_model,
                      tr("sentiment classifier file that replaces the folder's (default: none)"))
      ->group(model_group);
  command->add_option("--aspect-lexicon", args->engine.aspect_lexicon,
                      tr("aspect lexicon file with the shop's own categories and terms (default: the folder's)"))
      ->group(model_group);
  command->add_option("--neutral-threshold", args->engine.neutral_threshold,
                      tr("sentiment below this probability is neutral (0.5 to 1)"))
      ->check(CLI::Range(0.5f, 1.0f))
      ->capture_default_str()
      ->group(model_group);
  command->add_option("--keywords", args->engine.max_keywords, tr("keywords per item"))
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group(model_group);
  command->add_flag("--keep-personal-data", args->keep_personal_data,
                    tr("write phone numbers, e-mail addresses, ID and card numbers unmasked"));
  command->add_option("--threads", args->pipeline.threads, tr("analyzer threads; 0 uses every core"))
      ->check(CLI::Range(0, 256))
      ->capture_default_str();

  command->callback([args] { run_analyze(*args); });
}

}  // namespace shopsight::cli

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "analyze/analyze.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/utc_time.h"
#include "report/report.h"

namespace shopsight::cli {
namespace {

struct AnalyzeArguments {
  std::vector<std::string> inputs;
  ReaderOptions reader;
  std::string output = "-";
  std::string rejects;
  std::vector<std::string> reports;
  ReportOptions report;  // timezone comes from --timezone
  EngineOptions engine;
  bool keep_personal_data = false;
  std::string pseudonym_key_file;
  std::string pseudonym_key;  // never logged
  PipelineOptions pipeline;
};

std::string format_time(std::int64_t milliseconds) { return utc_time_text(milliseconds, "%Y-%m-%dT%H:%M:%SZ"); }


// Appends one item's JSON object and a newline to `line`.
void write_json_line(JsonWriter& line, const Item& item, const Analysis& analysis, const AnalyzeArguments& args) {
  const bool mask = !args.keep_personal_data;
  line.begin_object();
  line.key("id");
  line.value(item.id);
  line.key("source");
  line.value(item.source);
  line.key("line");
  line.value(item.line);
  if (item.time) {
    line.key("time");
    line.value(format_time(*item.time));
  }
  if (!item.product.empty()) {
    line.key("product");
    line.value(item.product);
  }
  if (!item.category.empty()) {
    line.key("category");
    line.value(item.category);
  }
  if (!item.user.empty()) {
    line.key("user");
    line.value(mask ? pseudonymous_user(item.user, args.pseudonym_key) : item.user);
  }
  line.key("channel");
  line.value(item.channel);
  if (item.rating) {
    line.key("rating");
    line.value(*item.rating);
  }
  if (!item.label.empty()) {
    line.key("label");
    line.value(item.label);
  }
  line.key("language");
  line.value(analysis.language);
  line.key("text");
  // The text column usually repeats this value below, so its escaped bytes are kept for reuse.
  const std::size_t text_begin = line.text().size();
  line.value(analysis.masked_text);
  const std::size_t text_end = line.text().size();
  line.key("normalized_text");
  line.value(analysis.normalized_text);
  line.key("sentiment");
  line.begin_object();
  line.key("label");
  line.value(analysis.sentiment.label);
  line.key("probability");
  line.value(static_cast<double>(analysis.sentiment.probability));
  line.key("score");
  line.value(static_cast<double>(analysis.sentiment.score));
  line.end_object();

  line.key("aspects");
  line.begin_array();
  for (const AspectMention& mention : analysis.aspects) {
    // An LLM may name a term that is not in the text: it is kept, with null offsets.
    const bool has_aspect = mention.aspect_begin >= 0 || !mention.aspect.empty();
    const bool has_opinion = mention.opinion_begin >= 0 || !mention.opinion.empty();
    const auto term = [&](const char* name, bool present, const std::string& text) {
      line.key(name);
      if (present) {
        line.value(text);
      } else {
        line.null();
      }
    };
    const auto offset = [&](const char* name, bool present, std::int32_t value) {
      line.key(name);
      if (present) {
        line.value(static_cast<std::int64_t>(value));
      } else {
        line.null();
      }
    };
    line.begin_object();
    line.key("category");
    line.value(mention.category);
    line.key("polarity");
    line.value(mention.polarity);
    term("aspect", has_aspect, mention.aspect);
    offset("aspect_begin", mention.aspect_begin >= 0, mention.aspect_begin);
    offset("aspect_end", mention.aspect_begin >= 0, mention.aspect_end);
    term("opinion", has_opinion, mention.opinion);
    offset("opinion_begin", mention.opinion_begin >= 0, mention.opinion_begin);
    offset("opinion_end", mention.opinion_begin >= 0, mention.opinion_end);
    line.end_object();
  }
  line.end_array();
  if (analysis.summary) {
    line.key("summary");
    line.value(*analysis.summary);
  }

  line.key("keywords");
  line.begin_array();
  for (const Keyword& keyword : analysis.keywords) {
    line.begin_object();
    line.key("word");
    line.value(keyword.word);
    line.key("score");
    line.value(static_cast<double>(keyword.score));
    line.end_object();
  }
  line.end_array();

  // Other columns are written as they came, masked like the text, because
  // any free-text column can carry a phone number or an address. A repeated
  // column name keeps its first place and its last value, as a JSON object
  // assignment would. The text column is masked already in the analysis,
  // where it also lost its markup; without '&' and '<' it had none.
  const bool text_had_markup = item.text.find_first_of("&<") != std::string::npos;
  line.key("columns");
  line.begin_object();
  for (std::size_t i = 0; i < item.columns.size(); ++i) {
    const std::string& name = item.columns[i].first;
    const auto same_name = [&](const auto& column) { return column.first == name; };
    if (std::any_of(item.columns.begin(), item.columns.begin() + static_cast<std::ptrdiff_t>(i), same_name)) continue;
    const std::string& value = std::find_if(item.columns.rbegin(), item.columns.rend(), same_name)->second;
    line.key(name);
    if (!mask) {
      line.value(value);
    } else if (value == item.text && !text_had_markup) {
      line.repeat(text_begin, text_end);
    } else {
      line.value(mask_personal_data(value));
    }
  }
  line.end_object();
  line.end_object();
  line.text() += '\n';
}

void run_analyze(AnalyzeArguments& args) {
  std::vector<OutputPath> outputs = {{"--output", args.output}, {"--rejects", args.rejects}};
  for (const std::string& report : args.reports) outputs.push_back({"--report", report});
  check_outputs_differ_from_inputs(args.inputs, outputs);
  args.engine.normalize.mask_personal_data = !args.keep_personal_data;
  const bool mask = !args.keep_personal_data;
  // Without a given key, pseudonyms differ from run to run.
  args.pseudonym_key = read_secret(args.pseudonym_key_file, "SHOPSIGHT_PSEUDONYM_KEY", tr("pseudonym key"));
  if (args.pseudonym_key.empty()) args.pseudonym_key = new_pseudonym_key();
  spdlog::info("{}", tr("loading the model"));

  // A llama.cpp context already uses every core, so with an LLM one analyzer
  // thread is the default and --llm-threads sets llama.cpp's threads.
  if (!args.engine.llm_model.empty() && args.pipeline.threads == 0) args.pipeline.threads = 1;
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
    ReportOptions report_options = args.report;
    report_options.timezone = args.reader.timezone;
    report = std::make_unique<ReportBuilder>(report_options);
  }

  PipelineStats total;
  InputFailures failures(args.inputs.size());
  for (const std::string& input : args.inputs) {
    std::unique_ptr<Reader> reader;
    try {
      reader = open_input(args.reader, input);
    } catch (const Error& error) {
      failures.add(error);
      continue;
    }

    Progress progress(tr("analyzing {}", input), 0);
    JsonWriter json_line;
    const PipelineStats stats = run_pipeline(
        *reader, engine, args.pipeline,
        [&](const Item& item, const Analysis& analysis) {
          json_line.clear();
          write_json_line(json_line, item, analysis, args);
          output->write(json_line.text().data(), static_cast<std::streamsize>(json_line.text().size()));
          if (report) report->add(item, analysis);
        },
        [&](const Reject& reject) { report_reject(rejects, reject, mask); },
        [&](std::int64_t done) { progress.update(done); });
    progress.finish();
    total.items += stats.items;
    total.rejected += stats.rejected;
    total.seconds += stats.seconds;
  }
  failures.finish();
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

// Report settings; the defaults come from ReportOptions.
void add_report_options(CLI::App& command, ReportOptions& report) {
  const std::string group = tr("Report");
  const auto count = [&](const char* flag, int& target, const char* english) {
    command.add_option(flag, target, tr(english))->check(CLI::Range(0, 1000))->group(group)->capture_default_str();
  };
  command.add_option("--report-title", report.title,
                     tr("title of the report (default: \"Customer feedback report\" in the message language)"))
      ->group(group);
  count("--report-aspects", report.top_aspects,
        "aspect categories listed per group, those with the most negative mentions first");
  count("--report-examples", report.examples_per_aspect,
        "example snippets per listed aspect category and group; 0 shows none");
  command
      .add_option("--report-snippet-chars", report.snippet_chars,
                  tr("maximum length of an example snippet in characters (Unicode code points), ellipses excluded"))
      ->check(CLI::Range(1, 10000))
      ->group(group)
      ->capture_default_str();
  count("--report-keywords", report.top_keywords,
        "distinguishing keywords listed for each side, negative and positive");
  count("--report-products", report.top_products, "products listed in the report, those with the most items first");
  count("--report-categories", report.top_categories,
        "categories that get a section of their own in Markdown and HTML, those with the most items first; "
        "JSON lists every category");
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
  add_report_options(*command, args->report);

  add_engine_options(*command, args->engine);

  command->add_flag("--keep-personal-data", args->keep_personal_data,
                    tr("write phone numbers, e-mail addresses, ID and card numbers unmasked"));
  command->add_option("--pseudonym-key-file", args->pseudonym_key_file,
                      tr("file with the secret key of the user pseudonyms (default: the SHOPSIGHT_PSEUDONYM_KEY "
                         "environment variable, else a random key, so pseudonyms differ between runs)"))
      ->check(CLI::ExistingFile);
  command->add_option("--threads", args->pipeline.threads, tr("analyzer threads; 0 uses every core, or 1 with --llm"))
      ->check(CLI::Range(0, 256))
      ->capture_default_str();

  command->callback([args, command] {
    if (args->reports.empty()) {
      for (const char* flag : {"--report-title", "--report-aspects", "--report-examples", "--report-snippet-chars",
                               "--report-keywords", "--report-products", "--report-categories"}) {
        if (command->count(flag) > 0) spdlog::warn("{}", tr("{} has no effect without --report", flag));
      }
    }
    run_analyze(*args);
  });
}

}  // namespace shopsight::cli

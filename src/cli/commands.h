#pragma once

// Subcommands of the `shopsight` tool. Each file cmd_*.cpp adds one
// subcommand to the application; its callback stores the exit status with
// set_exit_status(). Parsing and messages only: the work is in the stages.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "common/error.h"
#include "ingest/ingest.h"

namespace shopsight::cli {

void add_analyze_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_eval_aspects_command(CLI::App& app);
void add_train_aspects_command(CLI::App& app);
void add_idf_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_topics_command(CLI::App& app);
void add_ingest_command(CLI::App& app);
void add_watch_command(CLI::App& app);
void add_alerts_command(CLI::App& app);
void add_backtest_command(CLI::App& app);
void add_forecast_command(CLI::App& app);
void add_profile_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_serve_command(CLI::App& app);

/// Exit status of the subcommand that ran.
int exit_status();

/// Records the exit status of the subcommand that ran.
void set_exit_status(int status);

/// Reads a secret from the file `path`, trailing white space dropped, or
/// without a path from the environment variable `variable`. Returns an empty
/// string when the variable is unset. An empty file or variable is an error,
/// because it would silently turn the protection off. `secret_name` names the
/// secret in messages ("token").
std::string read_secret(const std::string& path, const char* variable, const std::string& secret_name);

/// Logs a skipped row, with personal data in its reason masked unless `mask` is off.
void warn_skipped(const Reject& reject, bool mask = true);

/// Writes a skipped row to `rejects`, masked unless `mask` is off, and logs it.
void report_reject(RejectsWriter& rejects, const Reject& reject, bool mask = true);

/// Adds --text, --id, --time, --product, --category, --user, --rating,
/// --label, --channel, --input-format, --encoding, --timezone and --max-field-bytes,
/// which every command that reads items shares.
void add_input_options(CLI::App& command, ReaderOptions& options);

/// Opens the input file `path` with the input options of the command line.
std::unique_ptr<Reader> open_input(const ReaderOptions& options, const std::string& path);

/// An output option and the path given to it.
struct OutputPath {
  std::string option;  ///< e.g. "--rejects"
  std::string path;
};

/// Throws CLI::ValidationError (exit status 2) when an output names one of
/// `inputs`, lies in an input folder, which watch reads, or names the same
/// file as another output. Opening the output would truncate the input
/// before it is read, so this runs first.
/// Standard input and output ("-") and empty paths are skipped.
void check_outputs_differ_from_inputs(const std::vector<std::string>& inputs, const std::vector<OutputPath>& outputs);

/// Parses the time of a command line option: ISO 8601, a date (UTC), or Unix
/// seconds or milliseconds. Empty text is no time; unparseable text throws
/// shopsight::Error naming `option`.
std::optional<std::int64_t> parse_time_option(const std::string& option, const std::string& text);

/// A time range from --from (inclusive) and --to (exclusive); an end not given is open.
struct TimeRangeOptions {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
};

/// Parses --from and --to; throws CLI::ValidationError (exit status 2) when
/// both are given and --from is not before --to.
TimeRangeOptions parse_time_range(const std::string& from, const std::string& to);

/// Counter of the inputs that failed to open in a command that reads several
/// files (a requested column missing, a file not found), so that such an
/// error costs that file only.
class InputFailures {
 public:
  explicit InputFailures(std::size_t inputs) : inputs_(inputs) {}

  /// Logs `error` about one input; rethrows it when it is the only input.
  void add(const Error& error);

  /// Sets exit status 3 when some inputs were skipped; throws when all were.
  void finish() const;

 private:
  std::size_t inputs_;
  std::size_t failed_ = 0;
};

/// Adds the model options (--model, --sentiment-model, --aspect-lexicon,
/// --neutral-threshold, --keywords) and the LLM options (--llm and its
/// settings), which every command that analyzes items shares.
void add_engine_options(CLI::App& command, EngineOptions& engine);

/// Adds --zh-reviews and --zh-labels, the annotated Chinese aspect data that
/// eval-aspects scores against and train-aspects learns from.
void add_aspect_data_options(CLI::App& command, std::string& zh_reviews, std::string& zh_labels);

/// Parses --label-names: "0=negative,1=positive" to {0: negative, 1: positive};
/// throws shopsight::Error on a malformed pair.
std::map<std::string, std::string> parse_label_names(const std::string& text);

/// Makes `app` pad the columns of its help by terminal display width, so that
/// they line up with Chinese labels. Subcommands copy this setting when they
/// are added, so it is called first.
void pad_help_by_display_width(CLI::App& app);

/// Makes `app` print CLI11's command line errors in the message language.
/// Subcommands copy this setting when they are added, so it is called first.
void localize_parse_errors(CLI::App& app);

/// Whether standard error is a terminal, so that a progress bar can redraw in place.
bool stderr_is_terminal();

/// Draws progress on standard error: a bar on a terminal, a log line every
/// few seconds otherwise.
class Progress {
 public:
  /// `total` <= 0 means unknown, which shows a count instead of a bar.
  Progress(std::string label, long long total);
  ~Progress();
  void update(long long done);
  void finish();

 private:
  std::string label_;
  long long total_;
  long long last_done_ = 0;
  double started_;
  double last_draw_ = 0;
  bool finished_ = false;
};

}  // namespace shopsight::cli

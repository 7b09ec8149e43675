#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "text/text.h"

namespace shopsight::cli {
namespace {

namespace fs = std::filesystem;

// Seconds a step runs before its progress shows a rate.
constexpr double kMinRateSeconds = 1.0;

int g_exit_status = kExitOk;

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// Whether two paths name one file. Existing files compare by device and
// inode, so links and other spellings of a path compare equal.
bool same_file(const fs::path& left, const fs::path& right) {
  std::error_code error;
  if (fs::exists(left, error) && fs::exists(right, error)) return fs::equivalent(left, right, error);
  const fs::path left_canonical = fs::weakly_canonical(left, error);
  if (error) return false;
  const fs::path right_canonical = fs::weakly_canonical(right, error);
  return !error && left_canonical == right_canonical;
}

// Two outputs naming one file would each truncate it when opened and then
// interleave their writes, so one of them would be lost.
void check_outputs_differ(const std::vector<OutputPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputPath& first = outputs[i];
    if (first.path.empty() || first.path == "-") continue;
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      const OutputPath& second = outputs[j];
      if (second.path.empty() || second.path == "-" || !same_file(first.path, second.path)) continue;
      throw CLI::ValidationError(tr("{} {} and {} {} name the same file, so one would overwrite the other; "
                                    "choose different paths",
                                    first.option, first.path, second.option, second.path));
    }
  }
}

}  // namespace

void check_outputs_differ_from_inputs(const std::vector<std::string>& inputs, const std::vector<OutputPath>& outputs) {
  check_outputs_differ(outputs);
  for (const OutputPath& output : outputs) {
    if (output.path.empty() || output.path == "-") continue;
    for (const std::string& input : inputs) {
      if (input.empty() || input == "-") continue;
      std::error_code error;
      if (fs::is_directory(input, error)) {
        const fs::path folder = fs::absolute(output.path, error).parent_path();
        if (!error && same_file(folder, input)) {
          throw CLI::ValidationError(tr("{} {} is in the watched folder {}, so it would be read as input; "
                                        "choose a path outside the folder",
                                        output.option, output.path, input));
        }
      } else if (same_file(output.path, input)) {
        throw CLI::ValidationError(tr("{} {} is also an input file, and writing it would destroy the input; "
                                      "choose another path",
                                      output.option, output.path));
      }
    }
  }
}

std::optional<std::int64_t> parse_time_option(const std::string& option, const std::string& text) {
  if (text.empty()) return std::nullopt;
  const std::optional<std::int64_t> time = parse_time(text, "UTC");
  if (!time) {
    // A usage error (exit status 2), as for every other invalid option value.
    throw CLI::ValidationError(
        tr("invalid {} '{}'; give a date such as 2026-12-01 or a time such as 2026-12-01T08:00:00Z", option, text));
  }
  return time;
}

TimeRangeOptions parse_time_range(const std::string& from, const std::string& to) {
  const TimeRangeOptions range{parse_time_option("--from", from), parse_time_option("--to", to)};
  // An empty range would only be reported later as a range without items.
  if (range.from && range.to && *range.from >= *range.to) {
    throw CLI::ValidationError(
        tr("--from {} is not before --to {}; the range would be empty, so swap them or widen it", from, to));
  }
  return range;
}

void InputFailures::add(const Error& error) {
  if (inputs_ <= 1) throw error;
  ++failed_;
  spdlog::error("{}", tr("{}; skipping this file and reading the other input files", error.what()));
}

void InputFailures::finish() const {
  if (failed_ == 0) return;
  if (failed_ == inputs_) throw Error(tr("all {} input files failed to open; see the errors above", inputs_));
  spdlog::warn("{}", tr("{} of {} input files were skipped; see the errors above", failed_, inputs_));
  set_exit_status(kExitRowsRejected);
}

void set_exit_status(int status) { g_exit_status = status; }

std::string read_secret(const std::string& path, const char* variable, const std::string& secret_name) {
  if (path.empty()) {
    const char* value = std::getenv(variable);
    if (value == nullptr) return {};
    // VARIABLE=$(cat missing-file) gives an empty value.
    if (*value == '\0') throw Error(tr("{} is empty; set it to the {} or unset it", variable, secret_name));
    return value;
  }
  std::ifstream input(path, std::ios::binary);
  if (!input) throw Error(tr("cannot read {} file {}", secret_name, path));
  std::stringstream buffer;
  buffer << input.rdbuf();
  std::string secret = buffer.str();
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
  if (secret.empty()) throw Error(tr("{} file {} is empty; write the {} in it", secret_name, path, secret_name));
  return secret;
}

void warn_skipped(const Reject& reject, bool mask) {
  // Reasons quote the bad value ("invalid rating 'a@b.com'").
  const std::string reason = mask ? mask_personal_data(reject.reason) : reject.reason;
  spdlog::warn("{}", tr("{}:{}: row skipped: {}", reject.source, reject.line, reason));
}

void report_reject(RejectsWriter& rejects, const Reject& reject, bool mask) {
  // The raw row and the reason are written too, so they are masked like every other output.
  Reject written = reject;
  if (mask) {
    written.raw = mask_personal_data(reject.raw);
    written.reason = mask_personal_data(reject.reason);
  }
  rejects.write(written);
  warn_skipped(written, false);
}

int exit_status() { return g_exit_status; }

void add_input_options(CLI::App& command, ReaderOptions& options) {
  const std::string group = tr("Input");
  auto column = [&](const char* flag, std::string& target, const char* english) {
    command.add_option(flag, target, tr(english))->group(group);
  };
  column("--text", options.columns.text,
         "column with the text (default: detected from names such as review, text, content, 评论, 内容)");
  column("--id", options.columns.id, "column with the item id (default: detected; else the line number)");
  column("--time", options.columns.time,
         "column with the time: ISO 8601, 'YYYY-MM-DD hh:mm:ss', YYYYMMDD or Unix seconds or milliseconds "
         "(default: detected)");
  column("--product", options.columns.product, "column with the product id (default: detected)");
  column("--category", options.columns.category, "column with the product category (default: detected)");
  column("--user", options.columns.user, "column with the user id (default: detected)");
  column("--rating", options.columns.rating, "column with the star rating (default: detected)");
  column("--label", options.columns.label, "column with the gold label (default: detected)");
  column("--channel", options.columns.channel,
         "column with the channel: review, query or chat (default: every item is a review)");

  command.add_option("--input-format", options.format, tr("input format: auto, csv, tsv or jsonl"))
      ->group(group)
      ->check(CLI::IsMember({"auto", "csv", "tsv", "jsonl"}))
      ->capture_default_str();
  command.add_option("--encoding", options.encoding,
                     tr("input encoding: auto (UTF-8, else GB18030 is detected) or a name such as GBK"))
      ->group(group)
      ->capture_default_str();
  command.add_option("--timezone", options.timezone,
                     tr("IANA time zone of times without an offset, e.g. Asia/Shanghai"))
      ->group(group)
      ->capture_default_str();
  command.add_option("--max-field-bytes", options.max_field_bytes,
                     tr("rows with a larger field are rejected (bytes)"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->group(group)
      ->capture_default_str();
}

std::unique_ptr<Reader> open_input(const ReaderOptions& options, const std::string& path) {
  ReaderOptions path_options = options;
  path_options.path = path;
  return Reader::open(path_options);
}

bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }

Progress::Progress(std::string label, long long total)
    : label_(std::move(label)), total_(total), started_(now_seconds()) {}

Progress::~Progress() { finish(); }

void Progress::update(long long done) {
  last_done_ = done;
  const double now = now_seconds();
  const bool terminal = stderr_is_terminal();

  // Redraw a bar at most ten times a second; write a log line every ten
  // seconds when standard error is a file or a pipe.
  if (now - last_draw_ < (terminal ? 0.1 : 10.0)) return;
  last_draw_ = now;
  // A count over a few microseconds gives rates such as 121802821/s, so the
  // rate waits until the step has run long enough to mean something.
  const double elapsed = now - started_;
  const std::string rate =
      elapsed >= kMinRateSeconds ? fmt::format(" ({:.0f}/s)", static_cast<double>(done) / elapsed) : "";
  if (!terminal) {
    spdlog::info("{}: {}{}", label_, done, rate);
    return;
  }
  if (total_ > 0) {
    const int width = 30;
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %lld/%lld%s", label_.c_str(),
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), '.').c_str(), fraction * 100, done,
                 total_, rate.c_str());
  } else {
    std::fprintf(stderr, "\r%s %lld%s", label_.c_str(), done, rate.c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (stderr_is_terminal() && last_draw_ > 0) {
    last_draw_ = 0;
    std::fprintf(stderr, "\n");
  }
}

std::map<std::string, std::string> parse_label_names(const std::string& text) {
  std::map<std::string, std::string> names;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string pair = text.substr(start, comma - start);
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size()) {
      throw Error(tr("invalid --label-names entry '{}': write LABEL=NAME pairs separated by commas, "
                     "e.g. 0=negative,1=positive",
                     pair));
    }
    names[pair.substr(0, equals)] = pair.substr(equals + 1);
    start = comma + 1;
  }
  return names;
}

void add_engine_options(CLI::App& command, EngineOptions& engine) {
  const std::string model_group = tr("Model");
  command.add_option("--model", engine.model_dir, tr("model folder (default: the shipped default model)"))
      ->group(model_group);
  command.add_option("--sentiment-model", engine.sentiment_model,
                     tr("sentiment classifier that replaces the folder's: a shopsight model, a GGUF model with a classifier head or an embedding head file (default: none)"))
      ->group(model_group);
  command.add_option("--aspect-lexicon", engine.aspect_lexicon,
                     tr("aspect lexicon file with the shop's own categories and terms (default: the folder's)"))
      ->group(model_group);
  command.add_option("--sentiment-threads", engine.classifier_threads,
                     tr("llama.cpp threads of a GGUF or embedding-head --sentiment-model; 0 uses every core"))
      ->check(CLI::Range(0, 256))
      ->capture_default_str()
      ->group(model_group);
  command.add_option("--neutral-threshold", engine.neutral_threshold,
                     tr("sentiment below this probability is neutral (0.5 to 1)"))
      ->check(CLI::Range(0.5f, 1.0f))
      ->capture_default_str()
      ->group(model_group);
  command.add_option("--keywords", engine.max_keywords, tr("keywords per item"))
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group(model_group);

  const std::string llm_group = tr("LLM");
  CLI::Option* llm_option =
      command.add_option("--llm", engine.llm_model,
                      tr("decoder GGUF model that extracts aspects, and the sentiment unless --sentiment-model is given (default: none)"))
          ->group(llm_group);
  command.add_option("--llm-prompt", engine.llm_prompt,
                     tr("prompt file used for every language (default: the shipped prompts/aspects.zh.txt or aspects.en.txt, by language)"))
      ->needs(llm_option)
      ->group(llm_group);
  command.add_option("--llm-context", engine.llm_context,
                     tr("LLM context in tokens, prompt plus output, at most the model's training context (default: "
                        "4096, or the training context when smaller)"))
      ->check(CLI::Range(256, 1048576))
      ->group(llm_group);
  command.add_option("--llm-threads", engine.llm_threads, tr("llama.cpp threads per LLM call; 0 uses every core"))
      ->check(CLI::Range(0, 256))
      ->capture_default_str()
      ->group(llm_group);
  command.add_option("--llm-max-tokens", engine.llm_max_tokens,
                     tr("tokens generated per item at most; 0 uses the longest answer the output grammar allows"))
      ->check(CLI::Range(0, 1048576))
      ->capture_default_str()
      ->group(llm_group);
  command.add_option("--temperature", engine.llm_temperature,
                     tr("LLM sampling temperature; 0 always picks the most likely token"))
      ->check(CLI::Range(0.0f, 5.0f))
      ->capture_default_str()
      ->group(llm_group);
  command.add_option("--seed", engine.llm_seed, tr("random seed of LLM sampling; a fixed seed repeats the output"))
      ->capture_default_str()
      ->group(llm_group);
  command.add_flag("--summary", engine.summary, tr("add a one-line LLM summary of each item (field \"summary\")"))
      ->needs(llm_option)
      ->group(llm_group);

}

}  // namespace shopsight::cli

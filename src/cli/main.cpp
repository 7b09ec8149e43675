#include <clocale>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "llm/llm.h"

namespace {

// The language must be known before any help text is built, so it is taken
// from the command line by hand ahead of CLI11.
shopsight::Language language_from_arguments(int argc, char** argv) {
  shopsight::Language language = shopsight::language_from_environment();
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    std::string value;
    if (argument == "--lang" && i + 1 < argc) {
      value = argv[i + 1];
    } else if (argument.starts_with("--lang=")) {
      value = argument.substr(7);
    }
    if (!value.empty()) shopsight::parse_language(value, &language);
  }
  return language;
}

// Puts CLI11's own help words (labels, the help flag, default group names)
// in the message language. Subcommands copy the help flag when they are
// created, so this runs after every command is added.
void localize_help(CLI::App& app) {
  using shopsight::tr;
  const auto formatter = app.get_formatter();
  for (const char* label : {"Usage", "OPTIONS", "SUBCOMMAND", "SUBCOMMANDS", "Positionals", "REQUIRED", "Needs",
                            "Excludes", "Env"}) {
    formatter->label(label, tr(label));
  }
  app.set_help_flag("-h,--help", tr("print this help message and exit"));
  for (CLI::Option* option : app.get_options()) {
    if (option->get_group() == "Options") option->group(tr("Options"));
  }
  for (CLI::App* subcommand : app.get_subcommands({})) {
    if (subcommand->get_group() == "Subcommands") subcommand->group(tr("Subcommands"));
    localize_help(*subcommand);
  }
}

// Help of --lang, with the language the environment selects now and why.
std::string lang_help() {
  using namespace shopsight;
  const EnvironmentLanguage environment = environment_language();
  const char* code = environment.language == Language::zh ? "zh" : "en";
  const std::string detected = environment.variable.empty()
                                   ? tr("{}, as none of them is set", code)
                                   : tr("{}, from {}={}", code, environment.variable, environment.value);
  return tr("language of messages and reports: zh or en (default: from the locale, the first of LC_ALL, "
            "LC_MESSAGES and LANG that is set; now {})",
            detected);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shopsight;
  std::setlocale(LC_ALL, "C.UTF-8");
  set_language(language_from_arguments(argc, argv));

  CLI::App app{tr("shopsight: e-commerce text analysis (sentiment, aspects, keywords) and reports")};
  cli::pad_help_by_display_width(app);
  app.set_version_flag("--version", std::string(SHOPSIGHT_VERSION), tr("print the version and exit"));
  cli::localize_parse_errors(app);
  app.require_subcommand(1);
  app.footer(tr("Exit status: 0 success, 1 failure, 2 invalid command line, "
                "3 finished but some input rows were rejected."));

  std::string lang = language() == Language::zh ? "zh" : "en";
  std::string log_level = "info";
  // No captured default: `lang` already contains a --lang given on this
  // command line, and help would show that value as the default.
  app.add_option("--lang", lang, lang_help())->check(CLI::IsMember({"zh", "en", "zh-CN", "en-US"}));
  app.add_option("--log-level", log_level, tr("log level: trace, debug, info, warn, error or off"))
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  int encoder_decode_tokens = llm::default_encode_options().decode_tokens;
  app.add_option("--encoder-decode-tokens", encoder_decode_tokens,
                 tr("tokens per llama.cpp call when a GGUF encoder embeds or classifies texts; calls of a few "
                    "hundred tokens are fastest on a CPU, other hardware may prefer more"))
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.parse_complete_callback([&] {
    init_logging(log_level);
    llm::set_default_decode_tokens(encoder_decode_tokens);
  });

  cli::add_analyze_command(app);
  cli::add_train_command(app);
  cli::add_eval_command(app);
  cli::add_eval_aspects_command(app);
  cli::add_train_aspects_command(app);
  cli::add_idf_command(app);
  cli::add_model_command(app);
  cli::add_topics_command(app);
  cli::add_ingest_command(app);
  cli::add_watch_command(app);
  cli::add_alerts_command(app);
  cli::add_backtest_command(app);
  cli::add_forecast_command(app);
  cli::add_profile_command(app);
  cli::add_recommend_command(app);
  cli::add_serve_command(app);
  localize_help(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? kExitOk : kExitUsage;
  } catch (const Error& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
    return kExitFailure;
  }
  return cli::exit_status();
}

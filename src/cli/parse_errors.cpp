// Command line errors in the message language. CLI11 (2.1 as packaged by
// Debian 12) builds its messages in English from fixed phrases. Each phrase
// is recognized here and rebuilt through tr(). A message that matches none of
// them stays as CLI11 wrote it.

#include <fmt/args.h>

#include <array>
#include <cstdlib>
#include <regex>
#include <string>

#include "cli/commands.h"
#include "common/i18n.h"

namespace shopsight::cli {
namespace {

// One CLI11 phrase: its pattern, and the message key whose placeholders take
// the pattern's groups in order.
struct Phrase {
  const char* pattern;
  const char* message;
};

// Patterns follow CLI11 2.1's Validators.hpp and Error.hpp. The specific
// "A subcommand is required" comes before the general "... is required".
constexpr std::array kPhrases = {
    Phrase{R"(^(\S+): Value (.*) not in range (\S+) to (\S+)$)", "{}: value {} is outside the range {} to {}"},
    Phrase{R"(^(\S+): Value (.*) could not be converted$)", "{}: value {} is not a number"},
    Phrase{R"(^(\S+): (.*) not in (\{.*\})$)", "{}: {} is not one of {}"},
    Phrase{R"(^(\S+): File does not exist: (.*)$)", "{}: file not found: {}"},
    Phrase{R"(^(\S+): File is actually a directory: (.*)$)", "{}: a directory was given, a file is needed: {}"},
    Phrase{R"(^(\S+): Directory does not exist: (.*)$)", "{}: directory not found: {}"},
    Phrase{R"(^(\S+): Path does not exist: (.*)$)", "{}: path not found: {}"},
    Phrase{R"(^Could not convert: (\S+) = (.*)$)", "{}: invalid value {}"},
    Phrase{R"(^A subcommand is required$)", "a command is required"},
    Phrase{R"(^Requires at least (\d+) subcommands$)", "at least {} commands are required"},
    Phrase{R"(^(.*) is required$)", "{} is required"},
    Phrase{R"(^The following arguments? (?:was|were) not expected: (.*)$)", "unexpected arguments: {}"},
    Phrase{R"(^Expected exactly (\d+) arguments to (\S+), got (\d+)$)", "{1} takes exactly {0} values, got {2}"},
    Phrase{R"(^Expected at least (\d+) arguments to (\S+), got (\d+)$)", "{1} takes at least {0} values, got {2}"},
    Phrase{R"(^(\S+): (\d+) required (.*) missing$)", "{}: {} value of type {} is missing"},
    Phrase{R"(^(\S+): At least (\d+) required but received (\d+)$)", "{}: at least {} values are required, got {}"},
    Phrase{R"(^(\S+): At Most (\d+) required but received (\d+)$)", "{}: at most {} values are allowed, got {}"},
    Phrase{R"(^(\S+) requires (\S+)$)", "{} needs {} as well"},
    Phrase{R"(^(\S+) excludes (\S+)$)", "{} cannot be used together with {}"},
};

bool is_number(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// CLI11's message for an invalid command line, in the message language.
std::string localize_parse_error(const std::string& message) {
  // CLI11's range check reports a value that is no number at all as outside
  // the range, which sends the user looking for the wrong mistake.
  std::smatch range;
  if (std::regex_match(message, range, std::regex(kPhrases.front().pattern)) && !is_number(range[2].str())) {
    return tr("{}: value {} is not a number", range[1].str(), range[2].str());
  }
  if (language() == Language::en) return message;
  for (const Phrase& phrase : kPhrases) {
    std::smatch groups;
    if (!std::regex_match(message, groups, std::regex(phrase.pattern))) continue;
    fmt::dynamic_format_arg_store<fmt::format_context> arguments;
    for (std::size_t i = 1; i < groups.size(); ++i) arguments.push_back(groups[i].str());
    return fmt::vformat(translate(phrase.message), arguments);
  }
  return message;
}

}  // namespace

void localize_parse_errors(CLI::App& app) {
  app.failure_message([](const CLI::App* failed, const CLI::Error& error) {
    std::string text = localize_parse_error(error.what()) + "\n";
    if (failed->get_help_ptr() != nullptr) {
      text += tr("Run with {} for more information.", failed->get_help_ptr()->get_name()) + "\n";
    }
    return text;
  });
}

}  // namespace shopsight::cli

// Help layout that lines up in Chinese. CLI11 pads the option column with
// std::setw, which counts bytes: a Chinese label takes three bytes but two
// terminal columns, so every line with one came out short by a column per
// character.

#include <sstream>
#include <string>

#include "cli/commands.h"
#include "common/utf8.h"

namespace shopsight::cli {
namespace {

class DisplayWidthFormatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* option, bool is_positional) const override {
    return format_entry(make_option_name(option, is_positional) + make_option_opts(option),
                        make_option_desc(option));
  }

  std::string make_subcommand(const CLI::App* subcommand) const override {
    return format_entry(subcommand->get_display_name(true), subcommand->get_description());
  }

 private:
  // One help entry: the name column padded to column_width_ display columns,
  // then the description, each of whose later lines starts at that column.
  // A name that fills the column puts the description on the next line.
  std::string format_entry(const std::string& name, const std::string& description) const {
    const std::string indented = "  " + name;
    std::ostringstream out;
    out << utf8::pad_right(indented, column_width_);
    if (!description.empty()) {
      if (utf8::display_width(indented) >= column_width_) out << '\n' << std::string(column_width_, ' ');
      for (const char c : description) {
        out.put(c);
        if (c == '\n') out << std::string(column_width_, ' ');
      }
    }
    out << '\n';
    return out.str();
  }
};

}  // namespace

void pad_help_by_display_width(CLI::App& app) { app.formatter(std::make_shared<DisplayWidthFormatter>()); }

}  // namespace shopsight::cli

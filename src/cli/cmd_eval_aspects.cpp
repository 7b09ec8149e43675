// Placeholder, replaced by the subcommand's implementation.
#include "cli/commands.h"

namespace shopsight::cli {
void add_eval_aspects_command(CLI::App& app) { (void)app; }
}  // namespace shopsight::cli

// Subcommands of the `livecheck` binary. Each add_* function registers its CLI11 subcommand on
// `root` and returns the function main() calls when that subcommand was chosen; it returns the
// process exit code (0 ok, 1 runtime failure, 2 usage error).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace livecheck::cli {

using CommandFn = std::function<int()>;

CommandFn add_check_command(CLI::App& root);
CommandFn add_serve_command(CLI::App& root);
CommandFn add_admin_command(CLI::App& root);
CommandFn add_eval_command(CLI::App& root);

}  // namespace livecheck::cli

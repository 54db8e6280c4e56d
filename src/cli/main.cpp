// livecheck: one binary for the service and its tools.
//   livecheck check IMAGE...   run the engine on images, JSON Lines out
//   livecheck serve            the HTTP API
//   livecheck admin ...        accounts, keys, plans, usage
//   livecheck eval ...         measure the engine on a labelled set (report.json/.md, plots)
#include <cstdio>
#include <utility>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"livecheck: self-hosted face liveness detection", "livecheck"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("livecheck ") + LIVECHECK_VERSION);

  std::vector<std::pair<CLI::App*, livecheck::cli::CommandFn>> commands;
  auto add = [&](livecheck::cli::CommandFn fn) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(fn));
  };
  add(livecheck::cli::add_check_command(app));
  add(livecheck::cli::add_serve_command(app));
  add(livecheck::cli::add_admin_command(app));
  add(livecheck::cli::add_eval_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // --help / --version exit 0; any usage error is 2
  }
  for (auto& [sub, fn] : commands) {
    if (sub->parsed()) return fn();
  }
  return 2;
}

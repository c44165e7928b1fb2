// The wattcast command line. The only place exceptions are caught: every error becomes one
// line on stderr and an exit code (2 for bad input).

#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/parse_errors.h"
#include "cli/workspace.h"

#ifndef WATTCAST_VERSION
#define WATTCAST_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace wattcast::cli;
  Workspace workspace;
  CLI::App app{"wattcast: measure, forecast and compare the energy and carbon of deep-learning training", "wattcast"};
  app.set_version_flag("--version", "wattcast " WATTCAST_VERSION);
  app.require_subcommand(1);
  add_estimate_command(app, workspace);
  add_fit_command(app, workspace);
  add_evaluate_command(app, workspace);
  add_gpus_command(app, workspace);
  add_regions_command(app, workspace);
  add_measure_command(app, workspace);
  add_runs_commands(app);
  add_project_commands(app);
  add_compare_command(app);
  add_experiment_command(app, workspace);
  add_flops_command(app, workspace);
  add_report_command(app);
  add_exporter_command(app);
  add_store_commands(app);

  try {
    // CLI11 reports an unknown command as "a subcommand is required"; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
      bool known = false;
      std::string names;
      for (const CLI::App* command : app.get_subcommands({})) {
        known = known || command->get_name() == argv[1];
        names += (names.empty() ? "" : ", ") + command->get_name();
      }
      if (!known) throw CliError(std::string("unknown command '") + argv[1] + "' (expected one of: " + names + ")");
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "wattcast: error: %s\n", plain_parse_error(e, app).c_str());
    return kExitBadInput;
  } catch (const CliError& e) {
    // An empty message carries a measured command's own exit code through.
    if (*e.what() != '\0') std::fprintf(stderr, "wattcast: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wattcast: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}

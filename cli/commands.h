#pragma once
// Each subcommand registers its options and its action on the CLI11 app.

#include <CLI/CLI.hpp>

#include "cli/workspace.h"

namespace wattcast::cli {

void add_gpus_command(CLI::App& app, Workspace& workspace);
void add_regions_command(CLI::App& app, Workspace& workspace);
void add_estimate_command(CLI::App& app, Workspace& workspace);
void add_fit_command(CLI::App& app, Workspace& workspace);
void add_evaluate_command(CLI::App& app, Workspace& workspace);
void add_measure_command(CLI::App& app, Workspace& workspace);
void add_runs_commands(CLI::App& app);
void add_project_commands(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_experiment_command(CLI::App& app, Workspace& workspace);
void add_flops_command(CLI::App& app, Workspace& workspace);
void add_report_command(CLI::App& app);
void add_exporter_command(CLI::App& app);
void add_store_commands(CLI::App& app);

}  // namespace wattcast::cli

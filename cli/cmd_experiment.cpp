// `wattcast experiment PLAN.toml`: the study's method on your own models. Every run of the plan,
// in a seeded random order, goes through `wattcast measure` into one store with its factor levels
// as tags; an interrupted experiment resumes without repeating finished runs.

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "session/process_runner.h"
#include "cli/run_output.h"
#include "estimate/estimate_request.h"
#include "estimate/run_totals.h"
#include "experiment/experiment_plan.h"
#include "experiment/experiment_schedule.h"
#include "monitor/sampler.h"
#include "core/human_numbers.h"
#include "report/text_table.h"
#include "store/open_store.h"
#include "store/postgres_store.h"

namespace wattcast::cli {

namespace {

// A run that could not even be started (fork failed) ends the experiment: exit 1, as a failed run.
ProcessOutcome started(Result<ProcessOutcome> outcome) {
  if (!outcome) throw CliError(outcome.error().message, 1);
  return std::move(outcome).value();
}

struct ExperimentOptions {
  std::string plan;
  std::string out = default_store_path();
  bool resume = false;
  bool dry_run = false;
};

std::string self_executable() {
  char path[PATH_MAX] = {};
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw CliError("cannot find the wattcast executable (/proc/self/exe)", 1);
  return std::string(path, static_cast<size_t>(n));
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::max(0.0, seconds));
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

// `wattcast measure` for one trial: the factor levels and the trial's place as tags.
// After the experiment's first run the sensor notes (no NVML, no RAPL) have been said.
std::vector<std::string> measure_argv(const ExperimentPlan& plan, const Trial& trial, const std::string& store, bool sensor_notes) {
  std::vector<std::string> argv = {self_executable(), "measure", "--out", store};
  if (!sensor_notes) argv.push_back("--no-sensor-notes");
  auto tag = [&](const std::string& key, const std::string& value) {
    argv.push_back("--tag");
    argv.push_back(key + "=" + value);
  };
  tag("experiment", plan.name);
  tag("trial", std::to_string(trial.index));
  tag("repetition", std::to_string(trial.repetition));
  for (const auto& [factor, level] : trial.levels) tag(factor, level);
  if (plan.train_samples) tag("train_samples", fmt::format("{:g}", *plan.train_samples));
  if (plan.epochs > 0) {
    argv.push_back("--epochs");
    argv.push_back(std::to_string(plan.epochs));
  }
  for (const auto& [key, value] : plan.measure) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    argv.push_back(flag);
    argv.push_back(value);
  }
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", trial.command});
  return argv;
}

// Trials already run to the end (exit code 0) in this store; refuses a store that has runs of
// the experiment unless resuming.
std::set<int> finished_trials(const ExperimentPlan& plan, const std::string& store_path, bool resume) {
  std::set<int> done;
  bool absent = false;
  auto opened = open_store_for_reading(store_path, &absent);
  if (!opened && absent) return done;
  auto store = unwrap(std::move(opened));
  bool any = false;
  for (const auto& run : unwrap(store->runs())) {
    auto experiment = run.tags.find("experiment");
    if (experiment == run.tags.end() || experiment->second != plan.name) continue;
    any = true;
    auto trial = run.tags.find("trial");
    if (trial != run.tags.end() && run.end_s && run.exit_code == 0) done.insert(std::atoi(trial->second.c_str()));
  }
  if (any && !resume) {
    throw CliError(mask_password(store_path) + ": already holds runs of experiment '" + plan.name + "'; add --resume to go on with it, or use another --out");
  }
  return done;
}

// How many runs of the experiment the store holds: 0 when there is no store.
size_t stored_runs(const ExperimentPlan& plan, const std::string& store_path) {
  auto store = open_store_for_reading(store_path);
  if (!store) return 0;
  auto runs = (*store)->runs();
  if (!runs) return 0;
  return static_cast<size_t>(std::count_if(runs->begin(), runs->end(), [&](const RunRecord& run) {
    const auto experiment = run.tags.find("experiment");
    return experiment != run.tags.end() && experiment->second == plan.name;
  }));
}

struct ScheduleEstimate {
  std::optional<double> duration_s, energy_j;
  std::string note;
};

// The wattcast model's estimate of every trial, from the plan's [estimate] table.
ScheduleEstimate estimate_schedule(const ExperimentPlan& plan, const std::vector<Trial>& trials, Workspace& workspace) {
  ScheduleEstimate out;
  if (plan.estimate.empty()) {
    out.note = "no [estimate] table in the plan (gpu, arch or gflops, batch_size, input_size, train_samples, ...)";
    return out;
  }
  double duration_s = 0, energy_j = 0;
  for (const auto& trial : trials) {
    EstimateRequest request;
    for (const auto& [key, value] : plan.estimate) request.set(key, {expand_template(value, trial.levels), plan.path, 0});
    if (!plan.estimate.count("epochs") && plan.epochs > 0) request.set("epochs", {std::to_string(plan.epochs), plan.path, 0});
    if (!plan.estimate.count("train_samples") && plan.train_samples) request.set("train_samples", {fmt::format("{:g}", *plan.train_samples), plan.path, 0});
    auto resolved = resolve_request(request, Catalogs{workspace.gpus(), workspace.carbon(), workspace.architectures()});
    if (!resolved) {
      out.note = "cannot estimate " + configuration_label(trial.levels) + ": " + resolved.error().message;
      return out;
    }
    const RunEstimate e = run_totals(workspace.shipped_model("wattcast"), resolved->config, resolved->carbon);
    duration_s += e.duration_s;
    energy_j += e.energy_j;
  }
  out.duration_s = duration_s;
  out.energy_j = energy_j;
  out.note = "the wattcast model's estimate (see `wattcast estimate`)";
  return out;
}

void dry_run(const ExperimentPlan& plan, const std::vector<Trial>& trials, const std::set<int>& done, Workspace& workspace) {
  TextTable table({"run", "repetition", "configuration", "command", "status"});
  std::vector<Trial> pending;
  for (const auto& t : trials) {
    table.add_row({std::to_string(t.index), std::to_string(t.repetition), configuration_label(t.levels), t.command, done.count(t.index) ? "done" : "to run"});
    if (!done.count(t.index)) pending.push_back(t);
  }
  std::string out = fmt::format("experiment '{}': {} configurations x {} repetitions = {} runs, seed {}, {} to run\n", plan.name,
                                trials.size() / static_cast<size_t>(plan.repetitions), plan.repetitions, trials.size(), plan.seed, pending.size());
  out += table.render(terminal_width());
  const ScheduleEstimate e = estimate_schedule(plan, pending, workspace);
  const double pauses_s = plan.cooldown_s * static_cast<double>(pending.empty() ? 0 : pending.size() - 1);
  if (e.duration_s) {
    out += fmt::format("estimated: {} of training + {} of cool-down pauses = {}, {} ({})\n", clock_text(*e.duration_s),
                       clock_text(pauses_s), clock_text(*e.duration_s + pauses_s), human_energy_wh(*e.energy_j), e.note);
  } else {
    out += "estimated duration and energy: not available: " + e.note + "\n";
    if (plan.timeout_s) out += fmt::format("at most {} with every run at its timeout\n", clock_text(*plan.timeout_s * pending.size() + pauses_s));
  }
  if (!plan.warmup_command.empty()) out += "warm-up first: " + plan.warmup_command + "\n";
  emit(out, "");
}

int run_experiment(const ExperimentOptions& options, Workspace& workspace) {
  if (!is_shared_store(options.out) && options.out != default_store_path()) check_output_path(options.out, "--out");
  const ExperimentPlan plan = unwrap(read_experiment_plan(options.plan));
  const std::vector<Trial> trials = make_schedule(plan);
  const std::set<int> done = finished_trials(plan, options.out, options.resume || options.dry_run);
  if (options.dry_run) {
    dry_run(plan, trials, done, workspace);
    return 0;
  }
  ProcessRunner runner;
  const double started_s = unix_time_s();
  if (!plan.warmup_command.empty() && done.size() < trials.size()) {
    std::fprintf(stderr, "wattcast experiment: warm-up: %s\n", plan.warmup_command.c_str());
    const ProcessOutcome warmup = started(runner.run({"/bin/sh", "-c", plan.warmup_command}, plan.timeout_s));
    if (warmup.exit_code != 0 && !runner.interrupted()) {
      std::fprintf(stderr, "wattcast experiment: the warm-up command exited with %d; going on\n", warmup.exit_code);
    }
  }
  int ran = 0, failed = 0;
  double run_time_s = 0;
  const size_t to_run = trials.size() - done.size();
  for (const auto& trial : trials) {
    if (done.count(trial.index) || runner.interrupted()) continue;
    if (ran > 0 && !runner.pause(plan.cooldown_s)) break;
    std::fprintf(stderr, "wattcast experiment: run %d/%zu: %s\n", trial.index, trials.size(), configuration_label(trial.levels).c_str());
    const double run_start_s = unix_time_s();
    const ProcessOutcome outcome = started(runner.run(measure_argv(plan, trial, options.out, ran == 0), plan.timeout_s));
    run_time_s += unix_time_s() - run_start_s;
    ++ran;
    if (outcome.timed_out) std::fprintf(stderr, "wattcast experiment: run %d timed out after %g s\n", trial.index, *plan.timeout_s);
    if (outcome.exit_code != 0) ++failed;
    const double per_run_s = run_time_s / ran + plan.cooldown_s;
    std::fprintf(stderr, "wattcast experiment: %zu/%zu runs done, elapsed %s, remaining ~%s\n", done.size() + static_cast<size_t>(ran),
                 trials.size(), clock_text(unix_time_s() - started_s).c_str(),
                 clock_text(per_run_s * static_cast<double>(to_run - static_cast<size_t>(ran))).c_str());
  }
  if (runner.interrupted()) {
    std::fprintf(stderr, "wattcast experiment: interrupted; `wattcast experiment %s --out '%s' --resume` goes on from here\n", options.plan.c_str(),
                 mask_password(options.out).c_str());
    return 128 + *runner.interrupted();
  }
  const std::string elapsed = clock_text(unix_time_s() - started_s);
  const std::string store_name = mask_password(options.out);
  const size_t stored = stored_runs(plan, options.out);
  if (stored == 0) {
    std::fprintf(stderr, "wattcast experiment: %d runs done in %s, %d failed; none was stored\n", ran, elapsed.c_str(), failed);
  } else if (failed > 0) {
    std::fprintf(stderr, "wattcast experiment: %d runs done in %s, %d of them failed (they run again with --resume); results in %s\n", ran,
                 elapsed.c_str(), failed, store_name.c_str());
  } else {
    std::fprintf(stderr, "wattcast experiment: %d runs done in %s; results in %s\n", ran, elapsed.c_str(), store_name.c_str());
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace

void add_experiment_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<ExperimentOptions>();
  auto* command = app.add_subcommand("experiment", "Run an experiment plan: every configuration, repeated, randomized, measured");
  command->add_option("plan", options->plan, "The plan (TOML, see docs/EXPERIMENT.md)")->required();
  command->add_option("--out,--store", options->out, "Run store for every run: an SQLite file or a postgresql:// URL")->capture_default_str();
  command->add_flag("--resume", options->resume, "Go on with an interrupted experiment, skipping the runs that finished");
  command->add_flag("--dry-run", options->dry_run, "Print the schedule and its estimated duration and energy; run nothing");
  command->callback([options, &workspace] {
    const int code = run_experiment(*options, workspace);
    if (code != 0) throw CliError("", code);
  });
}

}  // namespace wattcast::cli

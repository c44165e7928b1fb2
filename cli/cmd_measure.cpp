// `wattcast measure [options] -- COMMAND ARGS...`: run a training command, sample power while it
// runs, keep every sample and marker in the run store, and print what the run cost.
// `wattcast measure --attach PID`: the same for a process already running (wattcast.track()).
// The flags are read and checked here; the run itself is src/session/measure_session.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/metrics_endpoint.h"
#include "cli/output.h"
#include "cli/run_output.h"
#include "core/human_numbers.h"
#include "monitor/attached_process.h"
#include "monitor/epoch_patterns.h"
#include "session/measure_session.h"
#include "store/open_store.h"

namespace wattcast::cli {

namespace {

struct MeasureOptions {
  double interval_ms = 100;
  std::optional<std::string> devices;
  std::string out = default_store_path();
  std::vector<std::string> tags;
  std::string region, cloud, pue;
  int epochs = 0;
  std::string epoch_regex;
  bool hf_card = false;
  bool sensor_notes = true;  // off for an experiment's runs after its first: said once per experiment
  std::string replay;
  std::optional<std::string> job;
  std::string prometheus;
  SteeringOptions steering;
  std::vector<std::string> command;
  std::optional<int> attach;  // a running process to measure instead of a command
  std::string ready_file;     // where to say the run is measured: {run_id, socket, store}
  double store_timeout_s = MeasureRequest{}.store_timeout_s;
};

// A command that cannot run is found before anything is written, as a shell would report it.
void check_command_exists(const std::string& name) {
  auto executable = [](const std::string& path) { return access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path); };
  if (name.find('/') != std::string::npos) {
    if (!std::filesystem::exists(name)) throw CliError(name + ": command not found", 127);
    if (!executable(name)) throw CliError(name + ": permission denied", 126);
    return;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (executable((dir.empty() ? "." : dir) + "/" + name)) return;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  throw CliError(name + ": command not found", 127);
}

std::map<std::string, std::string> parse_tags(const std::vector<std::string>& tags) {
  std::map<std::string, std::string> parsed;
  for (const auto& tag : tags) {
    const auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) throw CliError("--tag: expected KEY=VALUE, got '" + tag + "'");
    parsed[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return parsed;
}

// A store file's folder: the default store's is ours to create; one missing from a path the user
// gave is more likely a typo, said before the command starts.
void check_store_path(const std::string& location) {
  if (!is_shared_store(location)) {
    // The default store's folder is ours to create; a folder missing from a path the user gave is
    // more likely a typo, said before the command starts.
    const auto parent = std::filesystem::path(location).parent_path();
    if (location == default_store_path()) {
      std::error_code ec;
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      if (ec) throw CliError(location + ": cannot create the store's folder: " + ec.message());
    } else {
      check_output_path(location, "--out");
    }
  }
}

std::optional<EpochPatternMatcher> make_matcher(const std::string& spec) {
  if (spec.empty()) return std::nullopt;
  if (auto preset = parse_epoch_preset(spec)) return EpochPatternMatcher::for_preset(*preset);
  auto custom = EpochPatternMatcher::for_custom({spec, false});
  if (!custom) throw CliError("--epoch-regex: " + custom.error().message);
  return std::move(custom).value();
}

// One status line on stderr, redrawn in place; only when stderr is a terminal.
class LiveLine {
 public:
  explicit LiveLine(bool enabled) : enabled_(enabled) {}
  void draw(double elapsed_s, const LiveTotals& totals, int epoch, int epochs, const std::string& projection) {
    if (!enabled_) return;
    std::string line = fmt::format("[wattcast] {}  {}  {}", human_duration(elapsed_s), human_power(totals.power_w), human_energy(totals.energy_j));
    if (epoch > 0) line += epochs > 0 ? fmt::format("  epoch {}/{}", epoch, epochs) : fmt::format("  epoch {}", epoch);
    if (!projection.empty()) line += "  " + projection;
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

// What a measured run says goes to stderr, prefixed "wattcast:", with the status line cleared first.
class StderrObserver : public MeasureObserver {
 public:
  explicit StderrObserver(bool live_line) : live_(live_line) {}
  void notice(const std::string& line) override {
    live_.clear();
    std::fprintf(stderr, "wattcast: %s\n", line.c_str());
  }
  void progress(double elapsed_s, const LiveTotals& totals, int epoch, int epochs, const std::string& projection) override {
    live_.draw(elapsed_s, totals, epoch, epochs, projection);
  }
  void before_output() override { live_.clear(); }
  void serving_metrics(const ListenAddress& address) override { announce_metrics_address(address); }
  void done() { live_.clear(); }

 private:
  LiveLine live_;
};

int run_measure(Workspace& workspace, const MeasureOptions& options) {
  const bool attached = options.attach.has_value();
  if (attached && !options.command.empty()) throw CliError("--attach: measures a running process; give no command after --");
  if (!attached && options.command.empty()) throw CliError("no command given (usage: wattcast measure [options] -- COMMAND ARGS..., or --attach PID)");
  if (attached) {
    check(check_attachable(*options.attach));
    if (!options.epoch_regex.empty()) throw CliError("--epoch-regex: reads the output of a command measure starts; an attached process marks epochs with the Python helper");
  }
  // The same bounds as an experiment plan's [measure] interval_ms.
  if (!(options.interval_ms >= 1 && options.interval_ms <= 3'600'000)) throw CliError("--interval-ms: must be between 1 and 3600000");
  if (!(options.store_timeout_s >= 0.1 && options.store_timeout_s <= 3600)) throw CliError("--store-timeout-s: must be between 0.1 and 3600");
  MeasureRequest request;
  request.command = options.command;
  if (attached) request.attach = *options.attach;
  request.tags = parse_tags(options.tags);
  EstimateRequest location;
  if (!options.region.empty()) location.set("region", {options.region, "", 0});
  if (!options.cloud.empty()) location.set("cloud", {options.cloud, "", 0});
  if (!options.pue.empty()) location.set("pue", {options.pue, "", 0});
  request.carbon = unwrap(resolve_carbon(location, workspace.carbon()));
  request.epoch_matcher = make_matcher(options.epoch_regex);
  request.epoch_regex = options.epoch_regex;
  if (!attached) check_command_exists(options.command.front());
  if (!options.prometheus.empty()) request.metrics_address = unwrap(parse_listen_address(options.prometheus, "--prometheus"));
  check_store_path(options.out);
  request.store = options.out;
  request.store_timeout_s = options.store_timeout_s;
  request.interval_ms = options.interval_ms;
  request.devices = options.devices;
  request.epochs = options.epochs;
  request.replay_trace = options.replay;
  request.job = options.job;
  request.steering = options.steering;
  request.ready_file = options.ready_file;
  request.data_dir = workspace.data_dir();
  request.sensor_notes = options.sensor_notes;
  // On a terminal the live status line is redrawn in place.
  request.live_status = stderr_is_terminal();

  StderrObserver observer(request.live_status);
  const MeasureOutcome outcome = unwrap(run_measure_session(std::move(request), observer));
  observer.done();
  if (outcome.not_started) throw CliError(*outcome.not_started, outcome.exit_code);
  if (outcome.rank_summary) {
    std::fputs(outcome.rank_summary->c_str(), stderr);
  } else if (outcome.summary) {
    std::fprintf(stderr, "\n%s(run %lld in %s)\n", render_summary(*outcome.summary).c_str(), static_cast<long long>(outcome.run_id),
                 outcome.store_name.c_str());
    if (options.hf_card) std::fputs(render_hf_card(*outcome.summary).c_str(), stdout);
  } else if (outcome.summary_error) {
    std::fprintf(stderr, "wattcast: %s\n", outcome.summary_error->c_str());
  }
  for (const auto& notice : outcome.closing_notices) std::fprintf(stderr, "wattcast: %s\n", notice.c_str());
  return outcome.exit_code;
}

}  // namespace

void add_measure_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<MeasureOptions>();
  auto* command = app.add_subcommand("measure", "Run a training command and measure its energy, epoch by epoch");
  command->add_option("--interval-ms", options->interval_ms, "Sampling interval in milliseconds (1 or more)")->capture_default_str();
  command->add_option("--devices", options->devices,
                      "GPUs to watch, as in CUDA_VISIBLE_DEVICES (indices or UUIDs); default: $CUDA_VISIBLE_DEVICES, else all");
  command->add_option("--out,--store", options->out, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  command->add_option("--store-timeout-s", options->store_timeout_s,
                      "Longest a write may wait on the store (a lock held elsewhere, a server that does not answer): then a PostgreSQL "
                      "write goes to the spool, an SQLite one waits in memory for the next flush")
      ->capture_default_str();
  // One KEY=VALUE per --tag, so the option never swallows the command after `--`.
  command->add_option("--tag", options->tags, "KEY=VALUE recorded with the run (repeatable)")->allow_extra_args(false);
  command->add_option("--region", options->region, "Grid location for CO2e (see 'wattcast regions')");
  command->add_option("--cloud", options->cloud, "Cloud region PROVIDER:REGION for CO2e and PUE");
  command->add_option("--pue", options->pue, "Power Usage Effectiveness (default 1.0, or the cloud provider's)");
  command->add_option("--epochs", options->epochs, "Expected number of epochs, for progress")->check(whole_number(1, 1000000));
  command->add_option("--epoch-regex", options->epoch_regex,
                      "Mark epochs from the command's output: keras, lightning, hf, or a regex whose first group is the epoch number");
  command->add_flag("--hf-card", options->hf_card, "Print the Hugging Face model-card co2_eq_emissions block on stdout at the end");
  // Hidden: `experiment` says the sensor notes once, not once per run.
  command->add_flag("!--no-sensor-notes", options->sensor_notes, "Do not repeat the notes on missing sensors")->group("");
  command->add_option("--job", options->job,
                      "Job id shared by every rank of a multi-rank run (default: from torchrun, Slurm or the MPI launcher; see docs/CLUSTER.md)");
  command->add_option("--replay", options->replay, "Play a recorded power trace (CSV: t_s,device,power_w) instead of reading GPUs");
  command->add_option("--prometheus", options->prometheus,
                      "Serve /metrics for Prometheus at [ADDR:]PORT while the run lasts (default address 127.0.0.1)");
  SteeringOptions& steering = options->steering;
  command->add_option("--detector", steering.detector, "Stabilization detector for the live projection: online, fixed or fluss")
      ->capture_default_str();
  command->add_option("--window", steering.window, "Stable epochs the live projection averages")->capture_default_str()->check(whole_number(2, 1000000));
  command->add_option("--budget-kj", steering.budget_kj, "Energy budget in kJ: warn (or stop) once the projection's lower bound exceeds it");
  command->add_option("--budget-kwh", steering.budget_kwh, "Energy budget in kWh");
  command->add_option("--budget-gco2", steering.budget_gco2, "Emissions budget in gCO2e (at the run's location and PUE)");
  command->add_option("--on-budget", steering.on_budget, "warn, or stop: ask the command to stop (helper callback, else SIGINT, then SIGTERM)")
      ->capture_default_str();
  command->add_option("--stop-when-gain-per-kj-below", steering.min_gain_per_kj,
                      "Energy-aware early stopping: stop once the metric's recent gain per kJ of one more epoch falls below this");
  command->add_option("--stop-metric", steering.stop_metric, "The metric for early stopping (default: the first the run reports)");
  command->add_option("--metric-mode", steering.metric_mode, "max (higher is better) or min")->capture_default_str();
  command->add_option("--stop-grace-s", steering.stop_grace_s, "Seconds between SIGINT and SIGTERM when wattcast stops the command, and between a SIGTERM (or SIGHUP) and SIGKILL to what is left of the command's process group")->capture_default_str();
  command->add_option("--attach", options->attach,
                      "Measure a running process of yours (with its children and the GPUs it sees) instead of a command, until it ends or measure is stopped (SIGINT/SIGTERM; the process goes on)");
  command->add_option("--ready-file", options->ready_file, "Once measuring, write {run_id, socket, store} as JSON here (wattcast.track() uses it)");
  command->add_option("command", options->command, "The command to run, after --");
  command->callback([&workspace, options] {
    const int code = run_measure(workspace, *options);
    if (code != 0) throw CliError("", code);
  });
}

}  // namespace wattcast::cli

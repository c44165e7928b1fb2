// `wattcast measure [options] -- COMMAND ARGS...`: run a training command, sample power while it
// runs, keep every sample and marker in the run store, and print what the run cost.
// `wattcast measure --attach PID`: the same for a process already running (wattcast.track()).

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/job_session.h"
#include "cli/metrics_endpoint.h"
#include "cli/output.h"
#include "cli/run_output.h"
#include "cli/run_steering.h"
#include "cli/sensor_setup.h"
#include "export/live_exporter.h"
#include "core/output_file.h"
#include "monitor/attached_process.h"
#include "monitor/epoch_patterns.h"
#include "monitor/marker_server.h"
#include "monitor/run_summary.h"
#include "monitor/sampler.h"
#include "monitor/supervisor.h"
#include "core/human_numbers.h"
#include "store/open_store.h"
#include "store/postgres_store.h"

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
};

// The GPUs a running process sees: its own CUDA_VISIBLE_DEVICES, else every GPU.
std::optional<std::string> visible_devices_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    if (entry.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0) return entry.substr(std::strlen("CUDA_VISIBLE_DEVICES="));
  }
  return std::nullopt;
}

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

// A shared store that cannot be reached here is an error before the run starts; once it has
// started, the spool keeps what the server cannot take.
std::unique_ptr<RunStore> open_store_for_writing(const std::string& location, SpoolingStore** spooling) {
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
  return unwrap(open_store_for_monitor(location, SpoolOptions{}, spooling));
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
  const auto tags = parse_tags(options.tags);
  EstimateRequest location;
  if (!options.region.empty()) location.set("region", {options.region, "", 0});
  if (!options.cloud.empty()) location.set("cloud", {options.cloud, "", 0});
  if (!options.pue.empty()) location.set("pue", {options.pue, "", 0});
  const CarbonContext carbon = unwrap(resolve_carbon(location, workspace.carbon()));
  auto matcher = make_matcher(options.epoch_regex);
  // Its options are checked here, before anything is written or started.
  SteeringOptions steering_options = options.steering;
  steering_options.epochs = options.epochs;
  MarkerServer* marker_server = nullptr;
  std::optional<ProcessGroupStop> command_group;
  RunSteering steering(steering_options, carbon,
                       StopChannel{[&marker_server] {
                                     if (marker_server) (void)marker_server->request_stop();
                                   },
                                   [&command_group](int signal) {
                                     if (command_group) command_group->send(signal);
                                   },
                                   [&marker_server](const std::string& report) {
                                     if (marker_server) (void)marker_server->publish_epoch_report(report);
                                   }});
  if (!attached) check_command_exists(options.command.front());
  std::optional<ListenAddress> metrics_address;
  if (!options.prometheus.empty()) metrics_address = unwrap(parse_listen_address(options.prometheus, "--prometheus"));

  // One node monitor per job and host samples the node's devices; the other ranks attach to it.
  JobSession job = JobSession::join(options.job, options.devices);
  // Every rank of a job on a node is started with the same --prometheus port: the node monitor,
  // which has the figures, serves them; the others would only collide with it.
  std::unique_ptr<LiveExporter> exporter;
  if (metrics_address && job.samples_node()) {
    block_monitor_signals();  // the HTTP threads start now and must not take the monitor's signals
    exporter = unwrap(LiveExporter::start(*metrics_address, WATTCAST_VERSION));
    announce_metrics_address(exporter->address());
  } else if (metrics_address) {
    std::fprintf(stderr, "wattcast: --prometheus: this node's metrics are served by its node monitor, not by this rank\n");
  }
  SpoolingStore* spooling = nullptr;
  auto store = open_store_for_writing(options.out, &spooling);
  SensorRequest sensor_request;
  sensor_request.devices = options.devices;
  if (attached && !options.devices) sensor_request.devices = visible_devices_of(*options.attach);
  sensor_request.replay_trace = options.replay;
  sensor_request.data_dir = workspace.data_dir();
  SensorSetup sensors = job.samples_node() ? unwrap(create_sensors(sensor_request)) : SensorSetup{};
  if (options.sensor_notes) {
    for (const auto& notice : sensors.notices) std::fprintf(stderr, "wattcast: %s\n", notice.c_str());
  }
  for (const auto& notice : job.take_notices()) std::fprintf(stderr, "wattcast: %s\n", notice.c_str());

  MarkerServer markers = unwrap(MarkerServer::create());
  marker_server = &markers;

  RunRecord run;
  run.command = attached ? "attached: " + process_command_line(*options.attach) : quote_command(options.command);
  run.start_s = unix_time_s();
  run.host = job.host();
  run.tags = tags;
  for (const auto& [key, value] : job.tags()) run.tags[key] = value;
  run.configuration_json = nlohmann::json{{"interval_ms", options.interval_ms},
                                          {"devices", options.devices ? nlohmann::json(*options.devices) : nlohmann::json()},
                                          {"location", carbon.label},
                                          {"g_co2e_per_kwh", carbon.g_co2e_per_kwh},
                                          {"pue", carbon.pue},
                                          {"expected_epochs", options.epochs},
                                          {"epoch_regex", options.epoch_regex}}
                               .dump();
  const int64_t run_id = unwrap(store->begin_run(run));
  run.id = run_id;

  // Before any thread starts and before the command, so the signals reach only the
  // supervisor's signalfd.
  block_monitor_signals();
  ChildOptions child_options;
  child_options.argv = options.command;
  // WATTCAST_EPOCH_REPORTS: this monitor answers each epoch's end (a helper waits for it only then).
  child_options.extra_env = {{"WATTCAST_SOCKET", markers.socket_path()},
                             {"WATTCAST_RUN_ID", std::to_string(run_id)},
                             {"WATTCAST_EPOCH_REPORTS", "1"}};
  for (const auto& variable : job.child_environment()) child_options.extra_env.push_back(variable);
  // On a terminal the live status line is redrawn in place: the command's output passes through
  // the monitor, which clears the line first, so the two are never glued together. Python would
  // then buffer its output in blocks (a pipe, not a terminal): asked not to, unless the user said.
  const bool live_line = stderr_is_terminal();
  child_options.capture_output = matcher.has_value() || live_line;
  if (live_line && !std::getenv("PYTHONUNBUFFERED")) child_options.extra_env.push_back({"PYTHONUNBUFFERED", "1"});
  child_options.take_terminal = leads_foreground_terminal();
  std::optional<ChildProcess> child;
  pid_t measured_pid = attached ? *options.attach : -1;
  if (!attached) {
    SpawnError spawn_error;
    auto spawned = ChildProcess::spawn(child_options, &spawn_error);
    if (!spawned) {
      // Best effort: the error that matters to the user is the spawn failure.
      (void)store->finish_run(run_id, unix_time_s(), spawn_error.exit_code, "not started: " + spawn_error.message);
      throw CliError(spawn_error.message, spawn_error.exit_code);
    }
    child = std::move(spawned).value();
    measured_pid = child->pid();
    // Only a command measure started is signalled; an attached process is not its to stop.
    command_group.emplace(measured_pid, options.steering.stop_grace_s);
  }
  // After the fork: the command's child must not inherit a thread that may hold malloc's lock.
  job.started(*store, run_id, run.tags);
  // The process tree exists only now; the sampler starts within a millisecond of the command.
  if (auto process = create_process_sensor(measured_pid)) {
    sensors.sensors.push_back(std::move(process).value());
  } else {
    std::fprintf(stderr, "wattcast: process tree: %s\n", process.error().message.c_str());
  }
  std::vector<SensorBinding> bindings;
  for (auto& sensor : sensors.sensors) {
    SensorBinding binding;
    for (const auto& device : sensor->devices()) binding.device_ids.push_back(unwrap(store->add_device(run_id, sensor->name(), device)));
    binding.sensor = std::move(sensor);
    bindings.push_back(std::move(binding));
  }
  SamplerOptions sampler_options;
  sampler_options.interval = std::chrono::nanoseconds(static_cast<long long>(options.interval_ms * 1e6));
  sampler_options.heartbeat_run_id = run_id;
  Sampler sampler(std::move(bindings), *store, sampler_options);
  if (exporter) exporter->watch(run, unwrap(store->devices(run_id)));
  sampler.start();
  if (!options.ready_file.empty()) {
    const nlohmann::json ready = {{"run_id", run_id}, {"socket", markers.socket_path()}, {"store", options.out}};
    check(write_output_file(options.ready_file, ready.dump()));
  }

  LiveLine live(live_line);
  int current_epoch = 0;
  std::vector<MarkerRecord> pending_markers;
  auto record = [&](const EpochEvent& event, const char* source) {
    MarkerRecord m;
    m.run_id = run_id;
    m.t_s = event.at_s;
    m.type = event.kind == EpochEventKind::kBegin ? "epoch_begin" : "epoch_end";
    m.epoch = event.epoch;
    m.metrics = event.metrics;
    m.source = source;
    const double energy_j = sampler.anchored_energy_j(event.at_s);
    if (event.kind == EpochEventKind::kBegin) {
      current_epoch = event.epoch;
      steering.epoch_begin(event.epoch, event.at_s, energy_j);
    } else {
      steering.epoch_end(event.epoch, event.at_s, energy_j, event.metrics, false);
    }
    pending_markers.push_back(std::move(m));
  };
  auto say = [&](const std::vector<std::string>& messages) {
    for (const auto& message : messages) {
      live.clear();
      std::fprintf(stderr, "wattcast: %s\n", message.c_str());
    }
  };
  auto drain_markers = [&] {
    auto received = markers.drain();
    if (!received) std::fprintf(stderr, "wattcast: %s\n", received.error().message.c_str());
    for (auto& marker : received ? *received : std::vector<Marker>{}) {
      MarkerRecord m;
      m.run_id = run_id;
      m.t_s = marker.received_at_s;
      m.type = marker_type_name(marker.type);
      m.epoch = marker.epoch.value_or(0);
      m.name = marker.name;
      m.metrics = marker.metrics;
      m.source = "python";
      // Epoch and phase boundaries are where energies are read off: anchor the counters there.
      const bool boundary = marker.type != MarkerType::kEarlyStopping;
      const double energy_j = boundary ? sampler.anchored_energy_j(m.t_s) : sampler.live().energy_j;
      if (marker.type == MarkerType::kEpochBegin) {
        current_epoch = m.epoch;
        // Stored with the marker so that `project` on the stored run sees the phase signal too.
        if (marker.trainable_params) m.metrics["trainable_params"] = static_cast<double>(*marker.trainable_params);
        if (marker.total_params) m.metrics["total_params"] = static_cast<double>(*marker.total_params);
        steering.epoch_begin(m.epoch, m.t_s, energy_j, marker.trainable_params, marker.total_params);
      } else if (marker.type == MarkerType::kEpochEnd) {
        steering.epoch_end(m.epoch, m.t_s, energy_j, m.metrics, true);
      } else if (marker.type == MarkerType::kEarlyStopping) {
        steering.early_stopping_requested(marker);
      }
      pending_markers.push_back(std::move(m));
    }
    for (auto& m : steering.take_markers()) {
      m.run_id = run_id;
      pending_markers.push_back(std::move(m));
    }
    say(steering.take_messages());
    if (!pending_markers.empty()) {
      if (exporter) exporter->note_markers(pending_markers, sampler);
      // Through the sampler's writer thread: this one supervises the command and must not wait.
      sampler.add_markers(std::exchange(pending_markers, {}));
    }
  };
  double last_draw_s = 0;
  constexpr double kStoreSilence_s = 10;
  bool store_silence_told = false;
  SupervisorCallbacks callbacks;
  callbacks.before_output = [&] { live.clear(); };
  if (matcher) {
    callbacks.on_output = [&](bool is_stderr, std::string_view bytes) {
      const OutputStream stream = is_stderr ? OutputStream::kStderr : OutputStream::kStdout;
      for (const auto& event : matcher->feed(stream, bytes, unix_time_s())) record(event, "pattern");
    };
  }
  callbacks.extra_fd = markers.descriptor();
  callbacks.on_extra_readable = [&] { drain_markers(); };
  callbacks.on_tick = [&] {
    if (exporter) exporter->publish(sampler, true);
    steering.tick(unix_time_s(), sampler.live().energy_j);
    drain_markers();
    say(job.tick());
    for (const auto& warning : sampler.take_warnings()) {
      live.clear();
      std::fprintf(stderr, "wattcast: %s\n", warning.c_str());
    }
    if (!store_silence_told && sampler.store_busy_s() > kStoreSilence_s) {
      store_silence_told = true;
      live.clear();
      std::fprintf(stderr, "wattcast: %s has not answered for %.0f s; measuring goes on, and samples and markers wait in memory until it does\n",
                   mask_password(options.out).c_str(), kStoreSilence_s);
    }
    for (const auto& notice : spooling ? spooling->take_notices() : std::vector<std::string>{}) {
      live.clear();
      std::fprintf(stderr, "wattcast: %s\n", notice.c_str());
    }
    const double now_s = unix_time_s();
    if (now_s - last_draw_s >= 0.9) {
      live.draw(now_s - run.start_s, sampler.live(), current_epoch, options.epochs, steering.live_status());
      last_draw_s = now_s;
    }
  };
  const ChildExit exit = attached ? unwrap(watch_attached(measured_pid, callbacks)) : unwrap(supervise(*child, *command_group, callbacks));
  if (child) {
    child->return_terminal();
    child->reap_relay();
  }
  command_group.reset();  // reaped: its pid may be reused while the node monitor waits for other ranks
  if (matcher) {
    for (const auto& event : matcher->finish(unix_time_s())) record(event, "pattern");
  }
  const std::optional<std::string> job_note = job.command_ended(exit.exit_code, callbacks.on_tick);
  const Status written = sampler.stop();
  job.release();
  drain_markers();
  if (exporter) exporter->publish(sampler, false);
  live.clear();
  for (const auto& warning : sampler.take_warnings()) std::fprintf(stderr, "wattcast: %s\n", warning.c_str());
  if (markers.counters().rejected() > 0) {
    std::fprintf(stderr, "wattcast: dropped %llu malformed marker messages (last: %s)\n",
                 static_cast<unsigned long long>(markers.counters().rejected()), markers.last_rejection().value_or("").c_str());
  }
  std::string end_reason = steering.stop_reason() ? exit.reason + "; stopped by wattcast: " + *steering.stop_reason() : exit.reason;
  if (job_note) end_reason += "; " + *job_note;
  // The store may have refused samples for good (a disk that stayed full): the record says which,
  // and that the run's energy is then the monitor's own integration, which saw every sample.
  const UnstoredSamples unstored = sampler.unstored();
  std::string unstored_note;
  if (unstored.samples > 0) {
    unstored_note = fmt::format("{} samples (ticks {}-{}) could not be stored; the run's energy, measured by the monitor, is {:.6g} kJ",
                                unstored.samples, unstored.first_tick, unstored.last_tick, sampler.live().energy_j / 1000);
    end_reason += "; " + unstored_note;
  }
  if (auto finished = store->finish_run(run_id, unix_time_s(), exit.exit_code, end_reason); !finished) {
    std::fprintf(stderr, "wattcast: %s\n", finished.error().message.c_str());
  }

  const std::string store_name = mask_password(options.out);
  if (spooling) {
    const auto undelivered = spooling->deliver_spool();
    for (const auto& notice : spooling->take_notices()) std::fprintf(stderr, "wattcast: %s\n", notice.c_str());
    if (undelivered) {
      std::fprintf(stderr, "wattcast: run %lld is not all in %s yet: its last writes are in %s; deliver them with: wattcast store replay-spool %s --store '%s'\n",
                   static_cast<long long>(run_id), store_name.c_str(), undelivered->c_str(), undelivered->c_str(), store_name.c_str());
      if (!written) std::fprintf(stderr, "wattcast: some samples were not stored: %s\n", written.error().message.c_str());
      return exit.exit_code;
    }
  }
  auto summary = summarize_run(*store, run_id);
  if (!job.samples_node()) {
    std::fputs(job.rank_summary(run_id, exit.exit_code).c_str(), stderr);
  } else if (summary) {
    std::fprintf(stderr, "\n%s(run %lld in %s)\n", render_summary(*summary).c_str(), static_cast<long long>(run_id), store_name.c_str());
    if (options.hf_card) std::fputs(render_hf_card(*summary).c_str(), stdout);
  } else {
    std::fprintf(stderr, "wattcast: %s\n", summary.error().message.c_str());
  }
  if (!unstored_note.empty()) {
    std::fprintf(stderr, "wattcast: %s (the figures above are the stored samples only)\n", unstored_note.c_str());
  } else if (!written) {
    std::fprintf(stderr, "wattcast: some samples were not stored: %s\n", written.error().message.c_str());
  }
  return exit.exit_code;
}

}  // namespace

void add_measure_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<MeasureOptions>();
  auto* command = app.add_subcommand("measure", "Run a training command and measure its energy, epoch by epoch");
  command->add_option("--interval-ms", options->interval_ms, "Sampling interval in milliseconds (1 or more)")->capture_default_str();
  command->add_option("--devices", options->devices,
                      "GPUs to watch, as in CUDA_VISIBLE_DEVICES (indices or UUIDs); default: $CUDA_VISIBLE_DEVICES, else all");
  command->add_option("--out,--store", options->out, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
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

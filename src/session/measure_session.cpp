#include "session/measure_session.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/output_file.h"
#include "export/live_exporter.h"
#include "monitor/attached_process.h"
#include "monitor/marker_server.h"
#include "monitor/output_relay.h"
#include "monitor/process_group.h"
#include "monitor/supervisor.h"
#include "session/job_session.h"
#include "session/sensor_setup.h"
#include "store/open_store.h"
#include "store/postgres_store.h"

namespace wattcast {

namespace {

// The GPUs a running process sees: its own CUDA_VISIBLE_DEVICES, else every GPU.
std::optional<std::string> visible_devices_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    if (entry.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0) return entry.substr(std::strlen("CUDA_VISIBLE_DEVICES="));
  }
  return std::nullopt;
}

std::string configuration_json(const MeasureRequest& r) {
  return nlohmann::json{{"interval_ms", r.interval_ms},
                        {"devices", r.devices ? nlohmann::json(*r.devices) : nlohmann::json()},
                        {"location", r.carbon.label},
                        {"g_co2e_per_kwh", r.carbon.g_co2e_per_kwh},
                        {"pue", r.carbon.pue},
                        {"expected_epochs", r.epochs},
                        {"epoch_regex", r.epoch_regex}}
      .dump();
}

// A sensor's devices, recorded in the store, with the ids its samples will carry.
Result<SensorBinding> bind_devices(RunStore& store, int64_t run_id, std::unique_ptr<Sensor> sensor) {
  SensorBinding binding;
  for (const auto& device : sensor->devices()) {
    auto id = store.add_device(run_id, sensor->name(), device);
    if (!id) return id.error();
    binding.device_ids.push_back(*id);
  }
  binding.sensor = std::move(sensor);
  return binding;
}

}  // namespace

Result<MeasureOutcome> run_measure_session(MeasureRequest request, MeasureObserver& observer) {
  const bool attached = request.attach.has_value();
  MarkerServer* marker_server = nullptr;
  std::optional<ProcessGroupStop> command_group;
  SteeringOptions steering_options = request.steering;
  steering_options.epochs = request.epochs;
  auto created_steering = RunSteering::create(steering_options, request.carbon,
                                              StopChannel{[&marker_server] {
                                                            if (marker_server) (void)marker_server->request_stop();
                                                          },
                                                          [&command_group](int signal) {
                                                            if (command_group) command_group->send(signal);
                                                          },
                                                          [&marker_server](const std::string& report) {
                                                            if (marker_server) (void)marker_server->publish_epoch_report(report);
                                                          }});
  if (!created_steering) return created_steering.error();
  RunSteering& steering = created_steering.value();

  // One node monitor per job and host samples the node's devices; the other ranks attach to it.
  auto joined = JobSession::join(request.job, request.devices);
  if (!joined) return joined.error();
  JobSession& job = joined.value();
  // Every rank of a job on a node is started with the same --prometheus port: the node monitor,
  // which has the figures, serves them; the others would only collide with it.
  std::unique_ptr<LiveExporter> exporter;
  if (request.metrics_address && job.samples_node()) {
    block_monitor_signals();  // the HTTP threads start now and must not take the monitor's signals
    auto started = LiveExporter::start(*request.metrics_address, WATTCAST_VERSION);
    if (!started) return started.error();
    exporter = std::move(started).value();
    observer.serving_metrics(exporter->address());
  } else if (request.metrics_address) {
    observer.notice("--prometheus: this node's metrics are served by its node monitor, not by this rank");
  }
  SpoolingStore* spooling = nullptr;
  MonitorStoreOptions store_options;
  store_options.write_timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(request.store_timeout_s * 1000)));
  auto opened = open_store_for_monitor(request.store, store_options, &spooling);
  if (!opened) return opened.error();
  std::unique_ptr<RunStore> store = std::move(opened).value();
  SensorRequest sensor_request;
  sensor_request.devices = request.devices;
  if (attached && !request.devices) sensor_request.devices = visible_devices_of(*request.attach);
  sensor_request.replay_trace = request.replay_trace;
  sensor_request.data_dir = request.data_dir;
  SensorSetup sensors;
  if (job.samples_node()) {
    auto created = create_sensors(sensor_request);
    if (!created) return created.error();
    sensors = std::move(created).value();
  }
  if (request.sensor_notes) {
    for (const auto& notice : sensors.notices) observer.notice(notice);
  }
  for (const auto& notice : job.take_notices()) observer.notice(notice);

  auto created_markers = MarkerServer::create();
  if (!created_markers) return created_markers.error();
  MarkerServer markers = std::move(created_markers).value();
  marker_server = &markers;

  RunRecord run;
  run.command = attached ? "attached: " + process_command_line(*request.attach) : quote_command(request.command);
  run.start_s = unix_time_s();
  run.host = job.host();
  run.tags = request.tags;
  for (const auto& [key, value] : job.tags()) run.tags[key] = value;
  run.configuration_json = configuration_json(request);
  auto begun = store->begin_run(run);
  if (!begun) return begun.error();
  const int64_t run_id = *begun;
  run.id = run_id;
  MeasureOutcome outcome;
  outcome.run_id = run_id;
  outcome.store_name = mask_password(request.store);

  // Every device is in the store before the command starts: a store that cannot take them ends
  // the run here, before there is any training to lose.
  std::vector<SensorBinding> bindings;
  for (auto& sensor : sensors.sensors) {
    auto bound = bind_devices(*store, run_id, std::move(sensor));
    if (!bound) {
      (void)store->finish_run(run_id, unix_time_s(), std::nullopt, "not started: " + bound.error().message);
      return bound.error();
    }
    bindings.push_back(std::move(bound).value());
  }

  // Before any thread starts and before the command, so the signals reach only the
  // supervisor's signalfd.
  block_monitor_signals();
  ChildOptions child_options;
  child_options.argv = request.command;
  // WATTCAST_EPOCH_REPORTS: this monitor answers each epoch's end (a helper waits for it only then).
  child_options.extra_env = {{"WATTCAST_SOCKET", markers.socket_path()},
                             {"WATTCAST_RUN_ID", std::to_string(run_id)},
                             {"WATTCAST_EPOCH_REPORTS", "1"}};
  for (const auto& variable : job.child_environment()) child_options.extra_env.push_back(variable);
  // With a status line redrawn in place, the command's output passes through the monitor, which
  // clears the line first, so the two are never glued together. On a terminal the command gets a
  // pseudo-terminal of its own, so it formats its output as without wattcast; through pipes
  // Python would buffer its output in blocks, so it is asked not to, unless the user said.
  child_options.capture_output = request.epoch_matcher.has_value() || request.live_status;
  child_options.output_terminal = child_options.capture_output && output_is_one_terminal();
  if (child_options.capture_output && !child_options.output_terminal && !std::getenv("PYTHONUNBUFFERED")) {
    child_options.extra_env.push_back({"PYTHONUNBUFFERED", "1"});
  }
  child_options.take_terminal = leads_foreground_terminal();
  std::optional<ChildProcess> child;
  pid_t measured_pid = attached ? *request.attach : -1;
  if (!attached) {
    SpawnError spawn_error;
    auto spawned = ChildProcess::spawn(child_options, &spawn_error);
    if (!spawned) {
      // Best effort: the error that matters to the user is the spawn failure.
      (void)store->finish_run(run_id, unix_time_s(), spawn_error.exit_code, "not started: " + spawn_error.message);
      outcome.exit_code = spawn_error.exit_code;
      outcome.not_started = spawn_error.message;
      return outcome;
    }
    child = std::move(spawned).value();
    measured_pid = child->pid();
    // Only a command measure started is signalled; an attached process is not its to stop.
    command_group.emplace(measured_pid, request.steering.stop_grace_s);
  }
  // The process tree exists only now; the sampler starts within a millisecond of the command.
  // Its device is recorded last, with the command already running: a store that refuses it
  // (a disk that just filled up) costs that device, not the run.
  if (auto process = create_process_sensor(measured_pid); !process) {
    observer.notice("process tree: " + process.error().message);
  } else if (auto bound = bind_devices(*store, run_id, std::move(process).value()); !bound) {
    observer.notice("process tree: not recorded: " + bound.error().message);
  } else {
    bindings.push_back(std::move(bound).value());
  }
  SamplerOptions sampler_options;
  sampler_options.interval = std::chrono::nanoseconds(static_cast<long long>(request.interval_ms * 1e6));
  sampler_options.heartbeat_run_id = run_id;
  Sampler sampler(std::move(bindings), *store, sampler_options);
  // After the fork: the command's child must not inherit a thread that may hold malloc's lock.
  job.started(sampler, run_id, run.tags);
  if (exporter) {
    auto devices = store->devices(run_id);
    if (!devices) return devices.error();
    exporter->watch(run, *devices);
  }
  sampler.start();
  if (!request.ready_file.empty()) {
    const nlohmann::json ready = {{"run_id", run_id}, {"socket", markers.socket_path()}, {"store", request.store}};
    if (auto written = write_output_file(request.ready_file, ready.dump()); !written) observer.notice(written.error().message);
  }

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
    for (const auto& message : messages) observer.notice(message);
  };
  auto drain_markers = [&] {
    auto received = markers.drain();
    if (!received) observer.notice(received.error().message);
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
  double last_progress_s = 0;
  constexpr double kStoreSilence_s = 10;
  bool store_silence_told = false;
  SupervisorCallbacks callbacks;
  callbacks.before_output = [&] { observer.before_output(); };
  if (request.epoch_matcher) {
    callbacks.on_output = [&](bool is_stderr, std::string_view bytes) {
      const OutputStream stream = is_stderr ? OutputStream::kStderr : OutputStream::kStdout;
      for (const auto& event : request.epoch_matcher->feed(stream, bytes, unix_time_s())) record(event, "pattern");
    };
  }
  callbacks.extra_fd = markers.descriptor();
  callbacks.on_extra_readable = [&] { drain_markers(); };
  callbacks.on_tick = [&] {
    if (exporter) exporter->publish(sampler, true);
    steering.tick(unix_time_s(), sampler.live().energy_j);
    drain_markers();
    say(job.tick());
    say(sampler.take_warnings());
    if (!store_silence_told && sampler.store_busy_s() > kStoreSilence_s) {
      store_silence_told = true;
      observer.notice(fmt::format("{} has not answered for {:.0f} s; measuring goes on, and samples and markers wait in memory until it does",
                                  outcome.store_name, kStoreSilence_s));
    }
    if (spooling) say(spooling->take_notices());
    const double now_s = unix_time_s();
    if (now_s - last_progress_s >= 0.9) {
      observer.progress(now_s - run.start_s, sampler.live(), current_epoch, request.epochs, steering.live_status());
      last_progress_s = now_s;
    }
  };
  auto ended = attached ? watch_attached(measured_pid, callbacks) : supervise(*child, *command_group, callbacks);
  if (child) {
    child->return_terminal();
    child->reap_relay();
  }
  command_group.reset();  // reaped: its pid may be reused while the node monitor waits for other ranks
  if (!ended) return ended.error();
  const ChildExit exit = *ended;
  outcome.exit_code = exit.exit_code;
  if (request.epoch_matcher) {
    for (const auto& event : request.epoch_matcher->finish(unix_time_s())) record(event, "pattern");
  }
  const std::optional<std::string> job_note = job.command_ended(exit.exit_code, callbacks.on_tick);
  const Status written = sampler.stop();
  job.release();
  drain_markers();
  if (exporter) exporter->publish(sampler, false);
  say(sampler.take_warnings());
  if (markers.counters().rejected() > 0) {
    observer.notice(fmt::format("dropped {} malformed marker messages (last: {})", markers.counters().rejected(), markers.last_rejection().value_or("")));
  }
  std::string end_reason = steering.stop_reason() ? exit.reason + "; stopped by wattcast: " + *steering.stop_reason() : exit.reason;
  if (job_note) end_reason += "; " + *job_note;
  // The store may have refused samples for good (a disk that stayed full): the record says which,
  // and that the run's energy is then the monitor's own integration, which saw every sample.
  const UnstoredSamples unstored = sampler.unstored();
  std::string unstored_note;
  std::optional<MarkerRecord> unstored_marker;
  if (unstored.samples > 0) {
    unstored_note = fmt::format("{} samples (ticks {}-{}) could not be stored; the run's energy, measured by the monitor, is {:.6g} kJ",
                                unstored.samples, unstored.first_tick, unstored.last_tick, sampler.live().energy_j / 1000);
    end_reason += "; " + unstored_note;
    UnstoredSamplesRecord record{unstored, sampler.live().energy_j, {}};
    for (const DeviceTotal& device : sampler.device_totals()) {
      if (device.has_energy) record.device_energy_j[device.device_id] = device.energy_j;
    }
    unstored_marker = unstored_samples_marker(run_id, record);
    // A marker is a few hundred bytes: it usually fits where the refused batch did not.
    if (auto kept = store->append_markers({*unstored_marker}); !kept) {
      observer.notice("the record of the samples not stored could not be stored either: " + kept.error().message);
    }
  }
  if (auto finished = store->finish_run(run_id, unix_time_s(), exit.exit_code, end_reason); !finished) observer.notice(finished.error().message);

  if (spooling) {
    const auto undelivered = spooling->deliver_spool();
    say(spooling->take_notices());
    if (undelivered) {
      observer.notice(fmt::format("run {} is not all in {} yet: its last writes are in {}; deliver them with: wattcast store replay-spool {} --store '{}'",
                                  run_id, outcome.store_name, *undelivered, *undelivered, outcome.store_name));
      if (!written) observer.notice("some samples were not stored: " + written.error().message);
      return outcome;
    }
  }
  if (!job.samples_node()) {
    outcome.rank_summary = job.rank_summary(run_id, exit.exit_code);
  } else if (auto summary = summarize_run(*store, run_id, unstored_marker)) {
    // The summary says what the store did not take, and takes the monitor's totals, even where
    // the store did not take that record either.
    outcome.summary = std::move(summary).value();
  } else {
    outcome.summary_error = summary.error().message;
  }
  if (!unstored_note.empty()) {
    if (!outcome.summary) outcome.closing_notices.push_back(unstored_note);
  } else if (!written) {
    outcome.closing_notices.push_back("some samples were not stored: " + written.error().message);
  }
  return outcome;
}

}  // namespace wattcast

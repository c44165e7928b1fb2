// `wattcast runs`, `show` and `export`: what the run store holds.

#include <ctime>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/job_output.h"
#include "cli/output.h"
#include "cli/run_output.h"
#include "monitor/sampler.h"
#include "store/run_state.h"
#include "cluster/job_summary.h"
#include "monitor/run_summary.h"
#include "core/human_numbers.h"
#include "report/text_table.h"
#include "store/postgres_store.h"

namespace wattcast::cli {

namespace {

std::string local_time(double unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return buffer;
}

struct StoreOption {
  std::string store = default_store_path();
};

// "slurm:1234.0 node", "slurm:1234.0 rank 3", or "-" for a run outside any job.
std::string job_label(const RunRecord& run) {
  const auto job = run.tags.find("job");
  if (job == run.tags.end()) return "-";
  const auto role = run.tags.find("role");
  const auto rank = run.tags.find("rank");
  if (role != run.tags.end() && role->second == "node") return job->second + " node";
  return job->second + (rank != run.tags.end() ? " rank " + rank->second : "");
}

void list_runs(const StoreOption& options) {
  auto store = open_existing_store(options.store);
  // The job's own tags are in the job column already.
  static const std::set<std::string> kJobTags = {"job", "role", "rank", "local_rank", "world_size", "ranks"};
  TextTable table({"run", "started", "duration", "exit", "job", "tags", "command"});
  for (const auto& run : unwrap(store->runs())) {
    std::map<std::string, std::string> tags;
    for (const auto& [key, value] : run.tags) {
      if (!kJobTags.count(key)) tags[key] = value;
    }
    const double now_s = unix_time_s();
    std::string duration = "running";
    if (run.end_s) {
      duration = human_duration(*run.end_s - run.start_s);
    } else if (const auto lost = monitor_lost_at(run, now_s)) {
      duration = human_duration(*lost - run.start_s) + ", monitor lost";
    }
    table.add_row({std::to_string(run.id), local_time(run.start_s), duration, run.exit_code ? std::to_string(*run.exit_code) : "-", job_label(run),
                   tags.empty() ? "-" : tags_text(tags), run.command});
  }
  emit(table.render(terminal_width()), "");
}

struct ShowOptions : StoreOption {
  std::optional<int64_t> run;
  std::string job;
  bool hf_card = false;
  std::string format = "text";
};

void show_job(const ShowOptions& options) {
  auto store = open_existing_store(options.store);
  std::vector<StoredRun> runs;
  for (const auto& run : unwrap(store->runs())) {
    const auto job = run.tags.find("job");
    if (job != run.tags.end() && job->second == options.job) runs.push_back(unwrap(load_run(*store, run.id)));
  }
  if (runs.empty()) throw CliError("--job: no runs of job '" + options.job + "' in " + mask_password(options.store) + " (see 'wattcast runs')");
  const JobSummary summary = summarize_job(options.job, runs);
  emit(options.format == "text" ? render_job_summary(summary) : job_summary_json(summary).dump(2) + "\n", "");
}

void show_run(const ShowOptions& options) {
  check_format(options.format, {"text", "json"});
  if (options.run.has_value() == !options.job.empty()) throw CliError("show: give either a run id or --job ID");
  if (!options.job.empty()) {
    if (options.hf_card) throw CliError("--hf-card: shows one run, not a job");
    show_job(options);
    return;
  }
  auto store = open_existing_store(options.store);
  const RunSummary summary = unwrap(summarize_run(*store, *options.run));
  if (options.hf_card) {
    emit(render_hf_card(summary), "");
    return;
  }
  if (options.format == "text") {
    emit(render_summary(summary), "");
    return;
  }
  nlohmann::json devices = nlohmann::json::array(), epochs = nlohmann::json::array();
  for (const auto& d : summary.devices) {
    devices.push_back({{"kind", d.device.info.kind}, {"name", d.device.info.name}, {"sensor", d.device.sensor},
                       {"figure", provenance_name(d.device.info.provenance)}, {"samples", d.samples}, {"energy_j", d.energy_j},
                       {"mean_power_w", d.mean_power_w}, {"energy_counter", d.from_counter}, {"note", d.device.info.note}});
  }
  for (const auto& e : summary.epochs) {
    epochs.push_back({{"epoch", e.epoch}, {"start_s", e.start_s}, {"duration_s", e.end_s - e.start_s}, {"energy_j", e.energy_j},
                      {"mean_power_w", e.mean_power_w}, {"metrics", e.metrics}});
  }
  nlohmann::json json = {{"run", summary.run.id},           {"command", summary.run.command},     {"exit_code", summary.run.exit_code ? nlohmann::json(*summary.run.exit_code) : nlohmann::json()},
                         {"end_reason", summary.run.end_reason}, {"duration_s", summary.duration_s}, {"energy_j", summary.energy_j},
                         {"energy_by_kind_j", summary.energy_by_kind_j}, {"modelled_by_kind", summary.modelled_by_kind},
                         {"mean_power_w", summary.mean_power_w}, {"co2e_g", summary.co2e_g}, {"pue", summary.pue},
                         {"g_co2e_per_kwh", summary.g_co2e_per_kwh}, {"location", summary.location}, {"tags", summary.run.tags},
                         {"devices", devices}, {"epochs", epochs}};
  // Where the energy figures come from: the stored samples, or the monitor's own integration
  // when the store did not take some of them (the span, from the run's start).
  json["energy_source"] = summary.unstored ? "monitor" : "samples";
  json["unstored_samples"] = nullptr;
  if (const auto& unstored = summary.unstored) {
    json["unstored_samples"] = {{"samples", unstored->span.samples},     {"first_tick", unstored->span.first_tick},
                                {"last_tick", unstored->span.last_tick}, {"from_s", unstored->span.first_t_s - summary.run.start_s},
                                {"to_s", unstored->span.last_t_s - summary.run.start_s}, {"reason", unstored->span.reason}};
  }
  emit(json.dump(2) + "\n", "");
}

struct ExportOptions : StoreOption {
  int64_t run = 0;
  std::string format = "csv";
  std::string what = "samples";
  std::string out;
};

// CSV keeps full precision: the shortest text that reads back as the same double, so `store
// import` of an export and a second export give the same file.
std::string full_precision(double v) { return fmt::format("{}", v); }
std::string optional_text(const std::optional<double>& v) { return v ? full_precision(*v) : ""; }

void export_run(const ExportOptions& options) {
  check_format(options.format, {"csv", "jsonl"});
  if (options.what != "samples" && options.what != "epochs") throw CliError("--what: expected 'samples' or 'epochs'");
  auto store = open_existing_store(options.store);
  unwrap(store->run(options.run));
  std::string out;
  if (options.what == "epochs") {
    const RunSummary summary = unwrap(summarize_run(*store, options.run));
    if (options.format == "csv") out = csv_line({"epoch", "start_s", "duration_s", "energy_j", "mean_power_w", "metrics_json"});
    for (const auto& e : summary.epochs) {
      if (options.format == "csv") {
        out += csv_line({std::to_string(e.epoch), full_precision(e.start_s), full_precision(e.end_s - e.start_s),
                         full_precision(e.energy_j), full_precision(e.mean_power_w), nlohmann::json(e.metrics).dump()});
      } else {
        out += nlohmann::json{{"epoch", e.epoch}, {"start_s", e.start_s}, {"duration_s", e.end_s - e.start_s}, {"energy_j", e.energy_j},
                              {"mean_power_w", e.mean_power_w}, {"metrics", e.metrics}}.dump() + "\n";
      }
    }
  } else {
    std::map<int64_t, DeviceRecord> devices;
    for (auto& d : unwrap(store->devices(options.run))) devices[d.id] = d;
    if (options.format == "csv") {
      out = csv_line({"tick", "t_s", "device", "kind", "power_w", "energy_j", "utilization_pct", "memory_used_bytes", "temperature_c",
                      "sm_clock_mhz", "power_limit_w", "cpu_time_s", "rss_bytes"});
    }
    for (const auto& s : unwrap(store->samples(options.run))) {
      const DeviceRecord& d = devices[s.device_id];
      const Reading& r = s.reading;
      const std::optional<double> power = std::isfinite(r.power_w) ? std::optional<double>(r.power_w) : std::nullopt;
      if (options.format == "csv") {
        out += csv_line({std::to_string(s.tick), full_precision(s.t_s), d.info.name, d.info.kind, optional_text(power), optional_text(r.energy_j),
                         optional_text(r.utilization_pct), optional_text(r.memory_used_bytes), optional_text(r.temperature_c),
                         optional_text(r.sm_clock_mhz), optional_text(r.power_limit_w), optional_text(r.cpu_time_s), optional_text(r.rss_bytes)});
      } else {
        nlohmann::json j = {{"tick", s.tick}, {"t_s", s.t_s}, {"device", d.info.name}, {"kind", d.info.kind}};
        auto put = [&](const char* key, const std::optional<double>& v) {
          if (v) j[key] = *v;
        };
        put("power_w", power);
        put("energy_j", r.energy_j);
        put("utilization_pct", r.utilization_pct);
        put("memory_used_bytes", r.memory_used_bytes);
        put("temperature_c", r.temperature_c);
        put("sm_clock_mhz", r.sm_clock_mhz);
        put("power_limit_w", r.power_limit_w);
        put("cpu_time_s", r.cpu_time_s);
        put("rss_bytes", r.rss_bytes);
        out += j.dump() + "\n";
      }
    }
  }
  emit(out, options.out);
}

}  // namespace

void add_runs_commands(CLI::App& app) {
  auto list = std::make_shared<StoreOption>();
  auto* runs = app.add_subcommand("runs", "List the runs in a store");
  runs->add_option("--store", list->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  runs->callback([list] { list_runs(*list); });

  auto show = std::make_shared<ShowOptions>();
  auto* show_command = app.add_subcommand("show", "Summarize one run (energy per component and epoch, CO2e), or a multi-rank job with --job");
  show_command->add_option("run", show->run, "Run id (see 'wattcast runs')");
  show_command->add_option("--job", show->job, "Merge every run of a multi-rank job: totals per node, GPU and epoch");
  show_command->add_option("--store", show->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  show_command->add_option("--format", show->format, "text or json")->capture_default_str();
  show_command->add_flag("--hf-card", show->hf_card, "Print the Hugging Face model-card co2_eq_emissions block");
  show_command->callback([show] { show_run(*show); });

  auto exported = std::make_shared<ExportOptions>();
  auto* export_command = app.add_subcommand("export", "Write a run's samples or epochs as CSV or JSON lines");
  export_command->add_option("run", exported->run, "Run id (see 'wattcast runs')")->required();
  export_command->add_option("--store", exported->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  export_command->add_option("--format", exported->format, "csv or jsonl")->capture_default_str();
  export_command->add_option("--what", exported->what, "samples or epochs")->capture_default_str();
  export_command->add_option("--out", exported->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  export_command->callback([exported] { export_run(*exported); });
}

}  // namespace wattcast::cli

#include "cli/job_output.h"

#include <fmt/format.h>

#include "cli/output.h"
#include "core/human_numbers.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) {
    if (!out.empty()) out += ",";
    out += std::to_string(v);
  }
  return out.empty() ? "-" : out;
}

std::string join(const std::vector<int64_t>& values) {
  std::string out;
  for (int64_t v : values) {
    if (!out.empty()) out += ",";
    out += std::to_string(v);
  }
  return out.empty() ? "-" : out;
}

std::string metrics_text(const std::map<std::string, double>& metrics) {
  std::string out;
  for (const auto& [k, v] : metrics) out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, plain_number(v));
  return out;
}

std::string device_name(const JobDevice& d) {
  const DeviceInfo& info = d.device.device.info;
  return info.kind == "gpu" ? fmt::format("gpu {} {}", info.index, info.name) : info.kind + " " + info.name;
}

}  // namespace

std::string render_job_summary(const JobSummary& s) {
  std::string out = fmt::format("wattcast job {}: {} node{}, {} rank run{}", s.job, s.nodes.size(), s.nodes.size() == 1 ? "" : "s", s.ranks.size(),
                                s.ranks.size() == 1 ? "" : "s");
  if (s.world_size) out += fmt::format(" (world size {})", *s.world_size);
  out += fmt::format("\nenergy {} ({}), CO2e {}, duration {}\n", human_energy(s.energy_j), human_energy_wh(s.energy_j), human_co2e(s.co2e_g),
                     human_duration(s.end_s - s.start_s));

  TextTable nodes({"host", "node_runs", "ranks", "gpus", "duration", "energy", "co2e"});
  for (const auto& n : s.nodes) {
    nodes.add_row({n.host, join(n.node_runs), join(n.ranks), std::to_string(n.gpus), n.node_runs.empty() ? "-" : human_duration(n.end_s - n.start_s),
                   n.node_runs.empty() ? "-" : human_energy(n.energy_j), n.node_runs.empty() ? "-" : human_co2e(n.co2e_g)});
  }
  out += '\n' + nodes.render(terminal_width());

  TextTable devices({"host", "device", "uuid", "run", "energy", "mean_power", "figure"});
  for (const auto& d : s.devices) {
    devices.add_row({d.host, device_name(d), d.device.device.info.uuid.empty() ? "-" : d.device.device.info.uuid, std::to_string(d.run_id),
                     human_energy(d.device.energy_j), human_power(d.device.mean_power_w),
                     provenance_name(d.device.device.info.provenance)});
  }
  if (!s.devices.empty()) out += '\n' + devices.render(terminal_width());

  if (!s.epochs.empty()) {
    TextTable epochs({"epoch", "duration", "energy", "mean_power", "ranks", "metrics"});
    for (const auto& e : s.epochs) {
      const double duration_s = e.end_s - e.start_s;
      epochs.add_row({std::to_string(e.epoch), human_duration(duration_s), human_energy(e.energy_j),
                      human_power(duration_s > 0 ? e.energy_j / duration_s : 0), std::to_string(e.ranks_reporting), metrics_text(e.metrics)});
    }
    out += '\n' + epochs.render(terminal_width());
  }

  TextTable ranks({"rank", "host", "run", "role", "exit", "end"});
  for (const auto& r : s.ranks) {
    ranks.add_row({r.rank ? std::to_string(*r.rank) : "?", r.host, std::to_string(r.run_id), r.node_monitor ? "node" : "rank",
                   r.exit_code ? std::to_string(*r.exit_code) : "-", r.end_reason.empty() ? "running" : r.end_reason});
  }
  out += '\n' + ranks.render(terminal_width());
  for (const auto& w : s.warnings) out += "warning: " + w + "\n";
  return out;
}

nlohmann::json job_summary_json(const JobSummary& s) {
  nlohmann::json nodes = nlohmann::json::array(), devices = nlohmann::json::array(), epochs = nlohmann::json::array(),
                 ranks = nlohmann::json::array();
  for (const auto& n : s.nodes) {
    nodes.push_back({{"host", n.host}, {"node_runs", n.node_runs}, {"ranks", n.ranks}, {"gpus", n.gpus}, {"start_s", n.start_s},
                     {"duration_s", n.end_s - n.start_s}, {"energy_j", n.energy_j}, {"co2e_g", n.co2e_g}});
  }
  for (const auto& d : s.devices) {
    const DeviceInfo& info = d.device.device.info;
    devices.push_back({{"host", d.host}, {"run", d.run_id}, {"kind", info.kind}, {"index", info.index}, {"uuid", info.uuid}, {"name", info.name},
                       {"energy_j", d.device.energy_j}, {"mean_power_w", d.device.mean_power_w}, {"figure", provenance_name(info.provenance)}});
  }
  for (const auto& e : s.epochs) {
    epochs.push_back({{"epoch", e.epoch}, {"start_s", e.start_s}, {"duration_s", e.end_s - e.start_s}, {"energy_j", e.energy_j},
                      {"ranks_reporting", e.ranks_reporting}, {"metrics", e.metrics}});
  }
  for (const auto& r : s.ranks) {
    ranks.push_back({{"run", r.run_id}, {"host", r.host}, {"rank", r.rank ? nlohmann::json(*r.rank) : nlohmann::json()},
                     {"role", r.node_monitor ? "node" : "rank"}, {"exit_code", r.exit_code ? nlohmann::json(*r.exit_code) : nlohmann::json()},
                     {"end_reason", r.end_reason}});
  }
  return {{"job", s.job},
          {"start_s", s.start_s},
          {"duration_s", s.end_s - s.start_s},
          {"energy_j", s.energy_j},
          {"co2e_g", s.co2e_g},
          {"world_size", s.world_size ? nlohmann::json(*s.world_size) : nlohmann::json()},
          {"missing_ranks", s.missing_ranks},
          {"nodes", nodes},
          {"devices", devices},
          {"epochs", epochs},
          {"ranks", ranks},
          {"warnings", s.warnings}};
}

}  // namespace wattcast::cli

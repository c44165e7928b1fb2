#include "cli/run_output.h"

#include <cstdlib>

#include <fmt/format.h>

#include "cli/cli_error.h"
#include "cli/output.h"
#include "core/human_numbers.h"
#include "report/text_table.h"
#include "monitor/sampler.h"
#include "store/open_store.h"
#include "store/run_state.h"

namespace wattcast::cli {

std::string default_store_path() {
  // XDG base directories: the data home, else ~/.local/share.
  if (const char* data_home = std::getenv("XDG_DATA_HOME"); data_home && *data_home) return std::string(data_home) + "/wattcast/runs.db";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/wattcast/runs.db";
  return "wattcast-runs.db";
}

std::unique_ptr<RunStore> open_existing_store(const std::string& location) { return unwrap(open_store_for_reading(location)); }

std::string tags_text(const std::map<std::string, std::string>& tags) {
  std::string text;
  for (const auto& [key, value] : tags) text += (text.empty() ? "" : " ") + key + "=" + value;
  return text;
}

std::string render_summary(const RunSummary& s) {
  // What a person asks first: how much energy, how much CO2e, how long.
  std::string out = fmt::format("wattcast run {}: {} ({}), {} CO2e, {}\n", s.run.id, human_energy(s.energy_j), human_energy_wh(s.energy_j),
                                human_co2e(s.co2e_g), human_duration(s.duration_s));
  out += fmt::format("command: {} ({}", s.run.command, run_state_text(s.run, unix_time_s()));
  if (s.run.exit_code) out += fmt::format(", exit code {}", *s.run.exit_code);
  out += fmt::format("); mean power {}\n", human_power(s.mean_power_w));
  if (s.unstored) out += unstored_samples_text(s.unstored->span, s.run.start_s) + "\n";
  if (!s.run.tags.empty()) out += "tags: " + tags_text(s.run.tags) + "\n";
  TextTable components({"component", "energy", "share", "figure"});
  for (const auto& [kind, energy] : s.energy_by_kind_j) {
    components.add_row({kind, human_energy(energy), fmt::format("{:.0f}%", s.energy_j > 0 ? 100 * energy / s.energy_j : 0),
                        s.modelled_by_kind.at(kind) ? "modelled" : "measured"});
  }
  out += '\n';
  out += components.render(terminal_width());
  TextTable devices({"device", "sensor", "samples", "energy", "mean_power", "figure"});
  for (const auto& d : s.devices) {
    std::string figure = provenance_name(d.device.info.provenance);
    if (d.from_counter) figure += " (energy counter)";
    if (d.peak_rss_bytes) {
      figure = fmt::format("cpu {}, peak rss {} MB", human_duration(d.cpu_time_s.value_or(0)), plain_number(*d.peak_rss_bytes / 1e6, 3));
    }
    devices.add_row({d.device.info.kind + " " + d.device.info.name, d.device.sensor, std::to_string(d.samples),
                     d.peak_rss_bytes ? "-" : human_energy(d.energy_j), d.peak_rss_bytes ? "-" : human_power(d.mean_power_w),
                     figure});
  }
  out += '\n';
  out += devices.render(terminal_width());
  for (const auto& d : s.devices) {
    if (!d.device.info.note.empty()) out += fmt::format("note: {} {}: {}\n", d.device.info.kind, d.device.info.name, d.device.info.note);
  }
  if (!s.epochs.empty()) {
    TextTable epochs({"epoch", "duration", "energy", "mean_power", "metrics"});
    // A long table folds: its first and last epochs, and how many are left out (`export --what
    // epochs` has them all).
    const size_t shown_each_end = kSummaryEpochsShown / 2;
    const bool fold = s.epochs.size() > kSummaryEpochsShown;
    for (size_t i = 0; i < s.epochs.size(); ++i) {
      if (fold && i == shown_each_end) {
        epochs.add_row({"...", fmt::format("{} epochs folded", s.epochs.size() - 2 * shown_each_end), "", "", ""});
        i = s.epochs.size() - shown_each_end;
      }
      const auto& e = s.epochs[i];
      std::string metrics;
      for (const auto& [k, v] : e.metrics) metrics += fmt::format("{}{}={}", metrics.empty() ? "" : " ", k, plain_number(v));
      epochs.add_row({std::to_string(e.epoch), human_duration(e.end_s - e.start_s), human_energy(e.energy_j), human_power(e.mean_power_w), metrics});
    }
    out += '\n';
    out += epochs.render(terminal_width());
  }
  if (const auto& p = s.last_projection) {
    out += fmt::format("\nprojected after epoch {} of {} ({}): {}, 90% interval {} to {}", p->after_epoch, p->total_epochs, p->detector,
                       human_energy(p->energy_j), human_energy(p->low_j), human_energy(p->high_j));
    if (s.run.end_s && p->total_epochs == static_cast<int>(s.epochs.size()) && s.energy_j > 0) {
      out += fmt::format("; measured {} ({:+.1f}%)", human_energy(s.energy_j), 100 * (p->energy_j / s.energy_j - 1));
    }
    out += "\n";
  }
  out += fmt::format("\nCO2e {} ({}, {} gCO2e/kWh, PUE {})\n", human_co2e(s.co2e_g), s.location.empty() ? "location unknown" : s.location,
                     plain_number(s.g_co2e_per_kwh), plain_number(s.pue));
  return out;
}

std::string render_hf_card(const RunSummary& s) {
  std::string hardware, measured, modelled;
  for (const auto& d : s.devices) {
    if (d.device.info.kind == "gpu") hardware += (hardware.empty() ? "" : ", ") + d.device.info.name;
  }
  for (const auto& [kind, is_modelled] : s.modelled_by_kind) {
    std::string& list = is_modelled ? modelled : measured;
    list += (list.empty() ? "" : ", ") + kind;
  }
  std::string source = "wattcast measure";
  if (!measured.empty() && !modelled.empty()) {
    source = fmt::format("wattcast measure ({} measured; {} modelled)", measured, modelled);
  } else if (!measured.empty() || !modelled.empty()) {
    source = fmt::format("wattcast measure ({} {})", measured.empty() ? modelled : measured, measured.empty() ? "modelled" : "measured");
  }
  const auto type = s.run.tags.find("training_type");
  return fmt::format(
      "co2_eq_emissions:\n  emissions: {}\n  source: \"{}\"\n  training_type: \"{}\"\n  geographical_location: \"{}\"\n"
      "  hardware_used: \"{}\"\n",
      plain_number(s.co2e_g, 6), source, type != s.run.tags.end() ? type->second : "pre-training", s.location.empty() ? "unknown" : s.location,
      hardware.empty() ? "CPU" : hardware);
}

}  // namespace wattcast::cli

#include "cli/run_output.h"

#include <cstdlib>

#include <fmt/format.h>

#include "cli/cli_error.h"
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

std::string render_summary(const RunSummary& s) {
  std::string out = fmt::format("wattcast run {}: {} ({}", s.run.id, s.run.command, run_state_text(s.run, unix_time_s()));
  if (s.run.exit_code) out += fmt::format(", exit code {}", *s.run.exit_code);
  out += fmt::format(")\nduration {:.1f} s, energy {:.6g} kWh ({:.4g} kJ), mean power {:.1f} W\n", s.duration_s, s.energy_j / 3.6e6,
                     s.energy_j / 1000, s.mean_power_w);
  TextTable components({"component", "energy_kj", "share", "figure"});
  for (const auto& [kind, energy] : s.energy_by_kind_j) {
    components.add_row({kind, fmt::format("{:.4g}", energy / 1000), fmt::format("{:.0f}%", s.energy_j > 0 ? 100 * energy / s.energy_j : 0),
                        s.modelled_by_kind.at(kind) ? "modelled" : "measured"});
  }
  out += '\n';
  out += components.render();
  TextTable devices({"device", "sensor", "samples", "energy_kj", "mean_power_w", "figure"});
  for (const auto& d : s.devices) {
    std::string figure = provenance_name(d.device.info.provenance);
    if (d.from_counter) figure += " (energy counter)";
    if (d.peak_rss_bytes) {
      figure = fmt::format("cpu {:.1f} s, peak rss {:.0f} MB", d.cpu_time_s.value_or(0), *d.peak_rss_bytes / 1e6);
    }
    devices.add_row({d.device.info.kind + " " + d.device.info.name, d.device.sensor, std::to_string(d.samples),
                     d.peak_rss_bytes ? "-" : fmt::format("{:.4g}", d.energy_j / 1000), d.peak_rss_bytes ? "-" : fmt::format("{:.1f}", d.mean_power_w),
                     figure});
  }
  out += '\n';
  out += devices.render();
  for (const auto& d : s.devices) {
    if (!d.device.info.note.empty()) out += fmt::format("note: {} {}: {}\n", d.device.info.kind, d.device.info.name, d.device.info.note);
  }
  if (!s.epochs.empty()) {
    TextTable epochs({"epoch", "duration_s", "energy_kj", "mean_power_w", "metrics"});
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
      for (const auto& [k, v] : e.metrics) metrics += fmt::format("{}{}={:.4g}", metrics.empty() ? "" : " ", k, v);
      epochs.add_row({std::to_string(e.epoch), fmt::format("{:.2f}", e.end_s - e.start_s), fmt::format("{:.4g}", e.energy_j / 1000),
                      fmt::format("{:.1f}", e.mean_power_w), metrics});
    }
    out += '\n';
    out += epochs.render();
  }
  if (const auto& p = s.last_projection) {
    out += fmt::format("\nprojected after epoch {} of {} ({}): {:.4g} kJ, 90% interval {:.4g}-{:.4g} kJ", p->after_epoch, p->total_epochs,
                       p->detector, p->energy_j / 1000, p->low_j / 1000, p->high_j / 1000);
    if (s.run.end_s && p->total_epochs == static_cast<int>(s.epochs.size()) && s.energy_j > 0) {
      out += fmt::format("; measured {:.4g} kJ ({:+.1f}%)", s.energy_j / 1000, 100 * (p->energy_j / s.energy_j - 1));
    }
    out += "\n";
  }
  out += fmt::format("\nCO2e {:.4g} g ({}, {:g} gCO2e/kWh, PUE {:g})\n", s.co2e_g, s.location.empty() ? "location unknown" : s.location,
                     s.g_co2e_per_kwh, s.pue);
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
      "co2_eq_emissions:\n  emissions: {:.6g}\n  source: \"{}\"\n  training_type: \"{}\"\n  geographical_location: \"{}\"\n"
      "  hardware_used: \"{}\"\n",
      s.co2e_g, source, type != s.run.tags.end() ? type->second : "pre-training", s.location.empty() ? "unknown" : s.location,
      hardware.empty() ? "CPU" : hardware);
}

}  // namespace wattcast::cli

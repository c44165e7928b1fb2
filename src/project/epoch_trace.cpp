#include "project/epoch_trace.h"

#include <cmath>

#include "core/csv.h"

namespace wattcast {

EpochTrace EpochTrace::first_epochs(size_t k) const {
  EpochTrace seen;
  seen.source = source;
  seen.notes = notes;
  seen.epochs.assign(epochs.begin(), epochs.begin() + static_cast<std::ptrdiff_t>(std::min(k, epochs.size())));
  seen.power.bin_s = power.bin_s;
  if (!seen.epochs.empty() && power.bin_s > 0) {
    const auto bins = static_cast<size_t>(std::ceil(seen.epochs.back().end_s / power.bin_s));
    seen.power.power_w.assign(power.power_w.begin(), power.power_w.begin() + static_cast<std::ptrdiff_t>(std::min(bins, power.power_w.size())));
  }
  return seen;
}

double EpochTrace::measured_j() const {
  double total_j = folded.measured_j;
  for (const auto& e : epochs) total_j += e.energy_before_j + e.energy_j;
  return total_j;
}

Result<EpochTrace> read_epoch_csv(const std::string& path) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  const bool in_kj = !table->column_index("energy_j") && table->column_index("energy_kj");
  if (auto s = table->require_columns({"duration_s", in_kj ? "energy_kj" : "energy_j"}); !s) return s.error();
  EpochTrace trace;
  trace.source = path;
  double clock_s = 0;
  for (const auto& row : table->rows()) {
    EpochRecord epoch;
    epoch.epoch = static_cast<int>(trace.epochs.size()) + 1;
    if (row.has("epoch")) {
      auto number = row.number("epoch");
      if (!number) return number.error();
      if (*number != epoch.epoch) return row.error("epoch", "epochs must be numbered 1, 2, 3, ... in order; expected " + std::to_string(epoch.epoch));
    }
    auto duration = row.number("duration_s");
    if (!duration) return duration.error();
    if (*duration < 0) return row.error("duration_s", "must not be negative");
    auto energy = row.number(in_kj ? "energy_kj" : "energy_j");
    if (!energy) return energy.error();
    if (*energy < 0) return row.error(in_kj ? "energy_kj" : "energy_j", "must not be negative");
    epoch.start_s = clock_s;
    epoch.end_s = clock_s + *duration;
    epoch.energy_j = *energy * (in_kj ? 1000.0 : 1.0);
    clock_s = epoch.end_s;
    for (const auto& column : table->header()) {
      if (column == "epoch" || column == "duration_s" || column == "energy_j" || column == "energy_kj") continue;
      if (auto value = parse_finite_double(row.text(column))) epoch.metrics[column] = *value;
    }
    trace.epochs.push_back(std::move(epoch));
  }
  if (trace.epochs.empty()) return Error::in_file(path, "no epochs (expected a header and one row per epoch)");
  return trace;
}

}  // namespace wattcast

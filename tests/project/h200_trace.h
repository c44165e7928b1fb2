#pragma once
// The real H200 runs in tests/fixtures/h200, read back as `project` reads a stored run: the epochs
// from NAME_epochs.csv (`wattcast export --what epochs`), the energy before and between them from
// every device's samples in NAME_samples.csv (`wattcast export`), and the measured whole-run total
// from NAME_summary.json.

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "monitor/energy_series.h"

#include "project/epoch_trace.h"
#include "test_paths.h"

namespace wattcast::testing {

namespace h200_detail {

template <typename T>
inline T value(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(result).value();
}

inline std::optional<double> optional_number(const CsvRow& row, const char* column) {
  return parse_finite_double(row.text(column));
}

}  // namespace h200_detail

inline std::string h200_fixture(const std::string& file) { return source_dir() + "/tests/fixtures/h200/" + file; }

inline EpochTrace read_h200_run(const std::string& name) {
  using h200_detail::optional_number;
  using h200_detail::value;
  // Each device's samples, as the store would hold them.
  const CsvTable samples = value(CsvTable::read_file(h200_fixture(name + "_samples.csv")));
  std::map<std::string, std::vector<SampleRecord>> by_device;
  double run_start_s = 1e300;
  for (const auto& row : samples.rows()) {
    SampleRecord sample;
    sample.tick = static_cast<int64_t>(value(row.number("tick")));
    sample.t_s = value(row.number("t_s"));
    if (auto power = optional_number(row, "power_w")) sample.reading.power_w = *power;
    sample.reading.energy_j = optional_number(row, "energy_j");
    run_start_s = std::min(run_start_s, sample.t_s);
    by_device[row.text("device")].push_back(sample);
  }
  std::vector<EnergySeries> series;
  for (auto& [device, records] : by_device) {
    std::vector<const SampleRecord*> pointers;
    for (const auto& r : records) pointers.push_back(&r);
    bool from_counter = false;
    EnergySeries s = energy_series(pointers, &from_counter);
    if (s.t_s.size() >= 2) series.push_back(std::move(s));
  }
  auto energy_at = [&](double t_s) {
    double total_j = 0;
    for (const auto& s : series) total_j += s.at(t_s);
    return total_j;
  };

  EpochTrace trace;
  trace.source = name + " on the H200";
  const CsvTable epochs = value(CsvTable::read_file(h200_fixture(name + "_epochs.csv")));
  double previous_end_s = run_start_s;
  for (const auto& row : epochs.rows()) {
    EpochRecord epoch;
    epoch.epoch = static_cast<int>(value(row.number("epoch")));
    const double start_s = value(row.number("start_s"));
    const double end_s = start_s + value(row.number("duration_s"));
    epoch.start_s = start_s - run_start_s;
    epoch.end_s = end_s - run_start_s;
    epoch.energy_j = value(row.number("energy_j"));
    epoch.energy_before_j = std::max(0.0, energy_at(start_s) - energy_at(previous_end_s));
    previous_end_s = end_s;
    trace.epochs.push_back(epoch);
  }
  std::ifstream summary(h200_fixture(name + "_summary.json"));
  trace.actual_total_j = nlohmann::json::parse(summary).at("energy_j").get<double>();
  return trace;
}

}  // namespace wattcast::testing

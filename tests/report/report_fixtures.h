#pragma once
// Hand-made runs for the report's tests: no store needed.

#include <string>

#include "report/run_comparison.h"
#include "report/run_report.h"

namespace wattcast::testing {

inline RunReport sample_run(int64_t id, const std::string& optimizer, double energy_j, double accuracy) {
  RunReport r;
  r.run.id = id;
  r.run.command = "python train.py --optimizer " + optimizer;
  r.run.start_s = 1000;
  r.run.end_s = 1060;
  r.run.tags = {{"optimizer", optimizer}};
  r.duration_s = 60;
  r.energy_j = energy_j;
  DevicePowerSeries gpu;
  gpu.device = "gpu0 Test GPU";
  for (int i = 0; i <= 60; ++i) gpu.power_w.push_back({static_cast<double>(i), 200.0 + (i % 10)});
  gpu.recorded_samples = gpu.power_w.size();
  r.power.push_back(gpu);
  for (int e = 1; e <= 6; ++e) r.epochs.push_back({e, 10.0 * (e - 1), 10.0 * e, energy_j / 6, {{"val_acc", accuracy * e / 6}}});
  r.stabilizing_epoch = 2;
  r.stabilization_note = "online detector: level from epoch 2";
  r.projections.push_back({"epoch-energy", energy_j * 1.01, energy_j * 0.95, energy_j * 1.05, 5});
  r.projections.push_back({"power", energy_j * 0.99, energy_j * 0.9, energy_j * 1.1, 5});
  r.actual_j = energy_j;
  return r;
}

}  // namespace wattcast::testing

#pragma once
// One run as the report shows it: its power over time per device (thinned for display), its
// epochs, the stabilizing epoch a detector finds, and each estimator's projected total beside
// the measured one.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/downsample.h"
#include "store/run_store.h"

namespace wattcast {

struct DevicePowerSeries {
  std::string device;  // "gpu0 NVIDIA H100", unique within the run
  size_t recorded_samples = 0;
  std::vector<TimedValue> power_w;  // t_s from the run's start; downsampled
};

struct ReportEpoch {
  int epoch = 0;
  double start_s = 0, end_s = 0;  // from the run's start
  double energy_j = 0;
  std::map<std::string, double> metrics;
};

struct EstimatorTotal {
  std::string estimator;  // "epoch-energy", "power", "live (online from epoch 8)"
  double projected_j = 0, low_j = 0, high_j = 0;
  int after_epoch = 0;  // the epochs the projection had seen
};

struct RunReport {
  RunRecord run;
  double duration_s = 0;
  double energy_j = 0;
  std::vector<DevicePowerSeries> power;
  std::vector<ReportEpoch> epochs;
  std::optional<int> stabilizing_epoch;
  std::string stabilization_note;  // detector and how it decided, or why none was found
  std::vector<EstimatorTotal> projections;
  std::optional<double> actual_j;  // finished runs: the measured total the projections aim at
  std::vector<std::string> notes;
};

struct RunReportOptions {
  size_t display_buckets = kDefaultDisplayBuckets;
  int window = 5;                   // stable epochs the projections average
};

Result<RunReport> build_run_report(RunStore& store, int64_t run_id, const RunReportOptions& options = {});

}  // namespace wattcast

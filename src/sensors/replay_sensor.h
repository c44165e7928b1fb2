#pragma once
// Plays a recorded power trace back as if it were live, for tests and demos: a CSV with columns
// t_s (seconds from the start of the trace), device (a name), power_w and optionally energy_j.
// At elapsed time t each device reports its last row at or before t (a step function), holding
// the final value once the trace ends.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sensors/sensor.h"

namespace wattcast {

class ReplaySensor : public Sensor {
 public:
  // `elapsed_s` measures time since the sensor started; defaults to a monotonic clock.
  static Result<std::unique_ptr<ReplaySensor>> open(const std::string& csv_path, std::function<double()> elapsed_s = {});

  std::string name() const override { return "replay"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  Status sample(std::vector<Reading>& out) override;

 private:
  struct Row {
    double t_s;
    double power_w;
    std::optional<double> energy_j;
  };
  std::vector<DeviceInfo> devices_;
  std::vector<std::vector<Row>> rows_;  // per device, by time
  std::vector<size_t> position_;
  std::function<double()> elapsed_s_;
};

}  // namespace wattcast

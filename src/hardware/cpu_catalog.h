#pragma once
// The table of CPU models and their TDP (data/cpus.csv, from CodeCarbon), matched against the
// model name the kernel reports in /proc/cpuinfo.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct CpuSpec {
  std::string name;  // "Intel Xeon Gold 6248"
  double tdp_w = 0;  // per package (socket)
};

class CpuCatalog {
 public:
  // Rows without a usable TDP are left out: a few in the source table have 0 (microcontrollers)
  // or a garbled value ("27.29.5" for old Celerons).
  static Result<CpuCatalog> load(const std::string& csv_path);

  const std::vector<CpuSpec>& all() const { return cpus_; }
  // The CPU a /proc/cpuinfo model name denotes ("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"),
  // when the table has it. Requires a number in the name and every word of the cleaned name to be in
  // the table's name, so "Intel Xeon Processor (Skylake)" from a VM matches nothing rather
  // than an arbitrary Xeon.
  std::optional<CpuSpec> match(std::string_view cpuinfo_model_name) const;
  // The median TDP of the table, the stand-in for a CPU it does not list.
  double median_tdp_w() const { return median_tdp_w_; }

 private:
  std::vector<CpuSpec> cpus_;
  std::vector<std::string> names_;
  double median_tdp_w_ = 0;
};

// A /proc/cpuinfo model name in the table's style: trademarks, "CPU", "Processor", core counts,
// clock speeds, "12th Gen" and "with Radeon Graphics" removed.
std::string catalog_style_cpu_name(std::string_view cpuinfo_model_name);

}  // namespace wattcast

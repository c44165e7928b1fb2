#include "estimate/store_correction.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "core/csv.h"
#include "monitor/run_summary.h"

namespace wattcast {

namespace {

std::optional<double> positive_tag(const std::map<std::string, std::string>& tags, const char* key) {
  auto it = tags.find(key);
  if (it == tags.end()) return std::nullopt;
  auto value = parse_finite_double(it->second);
  if (!value || *value <= 0) return std::nullopt;
  return *value;
}

std::string reported_gpu(const RunSummary& summary) {
  if (auto tag = summary.run.tags.find("gpu"); tag != summary.run.tags.end()) return tag->second;
  for (const auto& d : summary.devices) {
    if (d.device.info.kind == "gpu") return d.device.info.name;
  }
  return "";
}

bool same_gpu(const std::string& reported, const MeasuredRun& run, const GpuSpec& request) {
  if (run.config.gpu.name == request.name) return true;
  if (reported.empty()) return false;
  auto lower = [](std::string t) {
    for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return t;
  };
  const std::string name = " " + lower(request.name) + " ";
  std::istringstream words(lower(reported));
  for (std::string word; words >> word;) {
    if (name.find(" " + word + " ") == std::string::npos) return false;
  }
  return true;
}

std::optional<GpuSpec> run_gpu(const RunSummary& summary, const GpuCatalog& catalog) {
  if (auto tag = summary.run.tags.find("gpu"); tag != summary.run.tags.end()) {
    if (auto gpu = catalog.resolve(tag->second); gpu.ok()) return *gpu;
  }
  for (const auto& d : summary.devices) {
    if (d.device.info.kind != "gpu") continue;
    if (auto gpu = catalog.resolve(d.device.info.name); gpu.ok()) return *gpu;
  }
  return std::nullopt;
}

}  // namespace

Result<StoreRuns> runs_from_store(RunStore& store, const GpuCatalog& catalog) {
  auto records = store.runs();
  if (!records) return records.error();
  StoreRuns out;
  for (const auto& record : *records) {
    if (!record.end_s) continue;  // still running
    auto summary = summarize_run(store, record.id);
    if (!summary) return summary.error();
    MeasuredRun run;
    bool complete = true;
    double* targets[] = {&run.config.gflops, &run.config.batch_size, &run.config.train_samples, &run.config.val_samples};
    for (size_t i = 0; i < 4; ++i) {
      auto value = positive_tag(record.tags, kStoreRunTags[i]);
      if (!value) complete = false;
      else *targets[i] = *value;
    }
    auto gpu = run_gpu(*summary, catalog);
    double gpu_power_w = 0;
    for (const auto& d : summary->devices) {
      if (d.device.info.kind == "gpu") gpu_power_w += d.mean_power_w;
    }
    double epoch_s = 0;
    for (const auto& e : summary->epochs) epoch_s += e.end_s - e.start_s;
    if (!complete || !gpu || summary->epochs.empty() || gpu_power_w <= 0 || epoch_s <= 0) {
      ++out.skipped;
      continue;
    }
    run.config.gpu = *gpu;
    run.config.input_size = positive_tag(record.tags, "input_size").value_or(0);
    if (auto p = record.tags.find("precision"); p != record.tags.end() && is_known_precision(p->second)) run.config.precision = p->second;
    if (auto limit = positive_tag(record.tags, "power_limit_w"); limit && *limit < gpu->tdp_w) run.config.power_limit_w = *limit;
    if (auto mb = positive_tag(record.tags, "activation_mb")) run.config.activation_bytes = *mb * 1e6;
    if (auto millions = positive_tag(record.tags, "params_m")) run.config.parameters = *millions * 1e6;
    // Mean GPU power over the whole run (start-up included) times the mean epoch's duration.
    run.avg_gpu_power_w = gpu_power_w;
    run.avg_epoch_energy_j = gpu_power_w * epoch_s / static_cast<double>(summary->epochs.size());
    run.source = "store";
    run.source_line = static_cast<int>(record.id);
    run.configuration_key = "store|" + std::to_string(record.id);
    out.runs.push_back(std::move(run));
    out.reported_gpu.push_back(reported_gpu(*summary));
  }
  return out;
}

StoreCorrection store_correction(const Estimator& model, const StoreRuns& own, const TrainingConfig& request) {
  StoreCorrection c;
  double log_power = 0, log_energy = 0;
  for (size_t i = 0; i < own.runs.size(); ++i) {
    const MeasuredRun& run = own.runs[i];
    if (!same_gpu(own.reported_gpu[i], run, request.gpu)) continue;
    TrainingConfig config = run.config;
    config.gpu = request.gpu;
    const EpochPrediction p = model.predict(config);
    if (!(p.avg_power_w > 0) || !(p.epoch_energy_j > 0)) continue;
    log_power += std::log(*run.avg_gpu_power_w / p.avg_power_w);
    log_energy += std::log(*run.avg_epoch_energy_j / p.epoch_energy_j);
    ++c.runs_used;
  }
  if (c.runs_used == 0) return c;
  const double n = static_cast<double>(c.runs_used);
  const double shrink = n / (n + kStorePriorRuns);
  c.power_factor = std::exp(shrink * log_power / n);
  c.energy_factor = std::exp(shrink * log_energy / n);
  return c;
}

EpochPrediction corrected(const EpochPrediction& p, const StoreCorrection& c, double limit_w) {
  if (c.runs_used == 0 || p.unusable) return p;
  EpochPrediction out = p;
  auto scale = [&](std::optional<Interval>& i, double f, bool power) {
    if (!i) return;
    i = Interval{i->lo * f, i->hi * f};
    if (power) i = Interval{std::min(i->lo, limit_w), std::min(i->hi, limit_w)};
  };
  out.avg_power_w = std::min(limit_w, out.avg_power_w * c.power_factor);
  out.epoch_energy_j *= c.energy_factor;
  out.epoch_time_s = out.epoch_energy_j / out.avg_power_w;
  scale(out.avg_power_w_90, c.power_factor, true);
  scale(out.epoch_energy_j_90, c.energy_factor, false);
  scale(out.epoch_time_s_90, c.energy_factor / c.power_factor, false);
  return out;
}

EpochPrediction StoreCorrectedEstimator::predict(const TrainingConfig& config) const {
  const double limit_w = config.power_limit_w ? std::min(*config.power_limit_w, config.gpu.tdp_w) : config.gpu.tdp_w;
  return corrected(base_.predict(config), correction_, limit_w);
}

}  // namespace wattcast

#pragma once
// An experiment plan (TOML): the study's method as a file. Factors and their levels, a command
// template that uses them, repetitions, a seeded random run order, a warm-up command, a
// cool-down pause, a per-run timeout and how each run is measured. docs/EXPERIMENT.md shows one.
//
//   name = "batch-size"
//   command = "python train.py --arch {architecture} --batch-size {batch_size}"
//   repetitions = 30
//   [factors]
//   architecture = ["resnet50", "vgg16"]
//   batch_size = [32, 64]

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct Factor {
  std::string name;
  std::vector<std::string> levels;  // as written: "32", "resnet50"
};

struct ExperimentPlan {
  std::string path;
  std::string name;
  std::string command;  // with {factor} placeholders, run by /bin/sh
  std::vector<Factor> factors;
  int repetitions = 30;
  uint64_t seed = 1;
  std::string warmup_command;  // run once before the first run, not measured
  double cooldown_s = 0;       // pause between runs (the study paused 300 s)
  std::optional<double> timeout_s;
  int epochs = 0;                      // expected per run, for projections and progress
  std::optional<double> train_samples;  // for energy per sample
  // `wattcast measure` options: interval_ms, region, cloud, pue, epoch_regex, devices, replay.
  std::map<std::string, std::string> measure;
  // `wattcast estimate` settings for --dry-run; values may use {factor} placeholders.
  std::map<std::string, std::string> estimate;
};

Result<ExperimentPlan> read_experiment_plan(const std::string& path);

// The template with each {factor} replaced by its level.
std::string expand_template(const std::string& text, const std::map<std::string, std::string>& levels);

}  // namespace wattcast

#include "experiment/experiment_plan.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/human_numbers.h"
#include "core/csv.h"
#include "core/file_input.h"
#include "core/toml_value.h"

namespace wattcast {

namespace {

const std::set<std::string> kTopKeys = {"name",     "command", "factors",    "repetitions", "seed",          "warmup_command",
                                        "cooldown_s", "timeout_s", "epochs", "train_samples", "measure", "estimate"};
const std::set<std::string> kMeasureKeys = {"interval_ms", "region", "cloud", "pue", "epoch_regex", "devices", "replay"};
const std::set<std::string> kEstimateKeys = {"gpu",          "gpu_cores",   "gpu_memory_gb", "gpu_tdp_w", "gpus",
                                             "gflops",       "arch",        "batch_size",    "input_size", "train_samples",
                                             "val_samples",  "epochs",      "ram_gb",        "region",     "cloud",
                                             "pue"};

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

std::set<std::string> placeholders(const std::string& text) {
  std::set<std::string> names;
  static const std::regex kPlaceholder(R"(\{([A-Za-z_][A-Za-z0-9_]*)\})");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPlaceholder); it != std::sregex_iterator(); ++it) names.insert((*it)[1]);
  return names;
}

// A table of scalar settings with known keys.
Result<std::map<std::string, std::string>> settings(const std::string& path, const toml::node& node, const std::string& table,
                                                    const std::set<std::string>& known) {
  const toml::table* t = node.as_table();
  if (!t) return Error::at(path, line_of(node), table, "expected a table ([" + table + "])");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *t) {
    const std::string name(key.str());
    if (!known.count(name)) return Error::at(path, line_of(value), table + "." + name, "unknown key");
    std::string text = toml_value_text(value);
    if (text.empty()) return Error::at(path, line_of(value), table + "." + name, "expected a number or a string");
    out[name] = text;
  }
  return out;
}

// What a number in a plan may be: the same rules as `measure`'s flags, and upper bounds that
// keep a plan something one machine can run (a typo of 10^9 repetitions is found here, not by
// running out of memory).
struct NumberRule {
  double min;
  bool min_allowed;  // false: must be above min
  double max;
  bool whole;
};

const std::map<std::string, NumberRule> kNumberRules = {
    {"repetitions", {1, true, 10'000, true}},
    {"seed", {0, true, 9'007'199'254'740'992.0, true}},  // 2^53: every whole number up to it is exact
    {"cooldown_s", {0, true, 86'400, false}},
    {"timeout_s", {0, false, 30 * 86'400.0, false}},
    {"epochs", {0, true, 1'000'000, true}},
    {"train_samples", {0, false, 1e12, false}},
    {"measure.interval_ms", {1, true, 3'600'000, false}},
    {"measure.pue", {1, true, 10, false}},
};

// At most this many runs in one plan: configurations x repetitions.
constexpr double kMaxRuns = 100'000;

Result<double> checked_number(const std::string& path, int line, const std::string& key, const std::string& text) {
  const auto value = parse_finite_double(text);
  if (!value) return Error::at(path, line, key, "expected a number, got '" + text + "'");
  const NumberRule& rule = kNumberRules.at(key);
  if (rule.whole && std::trunc(*value) != *value) return Error::at(path, line, key, "expected a whole number, got '" + text + "'");
  if (rule.min_allowed ? *value < rule.min : *value <= rule.min) {
    return Error::at(path, line, key, fmt::format("must be {} {}, got '{}'", rule.min_allowed ? "at least" : "more than", plain_number(rule.min), text));
  }
  if (*value > rule.max) return Error::at(path, line, key, fmt::format("must be at most {}, got '{}'", plain_number(rule.max), text));
  return *value;
}

}  // namespace

std::string expand_template(const std::string& text, const std::map<std::string, std::string>& levels) {
  std::string out = text;
  for (const auto& [name, level] : levels) {
    const std::string placeholder = "{" + name + "}";
    for (size_t at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + level.size())) {
      out.replace(at, placeholder.size(), level);
    }
  }
  return out;
}

Result<ExperimentPlan> read_experiment_plan(const std::string& path) {
  auto content = read_input_file(path);
  if (!content) return content.error();
  toml::table table;
  try {
    table = toml::parse(*content, path);
  } catch (const toml::parse_error& e) {
    const int line = static_cast<int>(e.source().begin.line);
    return Error::at(path, line, "", std::string(e.description()));
  }
  ExperimentPlan plan;
  plan.path = path;
  int factors_line = 1, command_line = 1, estimate_line = 1, repetitions_line = 1;
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const int line = line_of(node);
    if (!kTopKeys.count(name)) return Error::at(path, line, name, "unknown key");
    if (name == "name" || name == "command" || name == "warmup_command") {
      if (!node.is_string()) return Error::at(path, line, name, "expected a string");
      (name == "name" ? plan.name : name == "command" ? plan.command : plan.warmup_command) = node.as_string()->get();
      if (name == "command") command_line = line;
    } else if (name == "factors") {
      factors_line = line;
      const toml::table* factors = node.as_table();
      if (!factors) return Error::at(path, line, name, "expected a table: [factors] with one array of levels per factor");
      for (const auto& [factor_key, levels_node] : *factors) {
        Factor factor;
        factor.name = std::string(factor_key.str());
        const std::string field = "factors." + factor.name;
        const toml::array* levels = levels_node.as_array();
        if (!levels || levels->empty()) return Error::at(path, line_of(levels_node), field, "expected a non-empty array of levels");
        for (const auto& level : *levels) {
          std::string text = toml_value_text(level);
          if (text.empty()) return Error::at(path, line_of(levels_node), field, "levels must be numbers or strings");
          if (std::find(factor.levels.begin(), factor.levels.end(), text) != factor.levels.end()) {
            return Error::at(path, line_of(levels_node), field, "level '" + text + "' is listed twice");
          }
          factor.levels.push_back(text);
        }
        plan.factors.push_back(std::move(factor));
      }
    } else if (name == "measure" || name == "estimate") {
      if (name == "estimate") estimate_line = line;
      auto parsed = settings(path, node, name, name == "measure" ? kMeasureKeys : kEstimateKeys);
      if (!parsed) return parsed.error();
      if (name == "measure") {
        for (const auto& [setting, value_node] : *node.as_table()) {
          const std::string key = "measure." + std::string(setting.str());
          if (!kNumberRules.count(key)) continue;
          if (auto checked = checked_number(path, line_of(value_node), key, toml_value_text(value_node)); !checked) return checked.error();
        }
      }
      (name == "measure" ? plan.measure : plan.estimate) = *parsed;
    } else {
      auto value = checked_number(path, line, name, toml_value_text(node));
      if (!value) return value.error();
      if (name == "repetitions") plan.repetitions = static_cast<int>(*value), repetitions_line = line;
      if (name == "seed") plan.seed = static_cast<uint64_t>(*value);
      if (name == "cooldown_s") plan.cooldown_s = *value;
      if (name == "timeout_s") plan.timeout_s = *value;
      if (name == "epochs") plan.epochs = static_cast<int>(*value);
      if (name == "train_samples") plan.train_samples = *value;
    }
  }
  if (plan.command.empty()) return Error::at(path, 1, "command", "missing: the command template each run executes");
  if (plan.factors.empty()) return Error::at(path, factors_line, "factors", "missing: at least one factor with its levels");
  double runs = plan.repetitions;
  for (const auto& f : plan.factors) runs *= static_cast<double>(f.levels.size());
  if (runs > kMaxRuns) {
    return Error::at(path, repetitions_line, "repetitions",
                     fmt::format("{:.0f} configurations x {} repetitions = {:.0f} runs, more than the {:g} a plan may hold", runs / plan.repetitions,
                                 plan.repetitions, runs, kMaxRuns));
  }
  if (plan.name.empty()) plan.name = std::filesystem::path(path).stem().string();
  std::set<std::string> factor_names;
  for (const auto& f : plan.factors) {
    // These tags record where a run sits in the experiment.
    if (f.name == "experiment" || f.name == "trial" || f.name == "repetition" || f.name == "train_samples") {
      return Error::at(path, factors_line, "factors." + f.name, "reserved name (wattcast tags each run with it)");
    }
    factor_names.insert(f.name);
  }
  for (const auto& used : placeholders(plan.command)) {
    if (!factor_names.count(used)) return Error::at(path, command_line, "command", "{" + used + "} is not a factor");
  }
  const auto in_command = placeholders(plan.command);
  for (const auto& f : plan.factors) {
    if (!in_command.count(f.name)) {
      return Error::at(path, command_line, "command",
                       "factor '" + f.name + "' is not used ({" + f.name + "} missing): its levels would run the same command");
    }
  }
  for (const auto& [key, value] : plan.estimate) {
    for (const auto& used : placeholders(value)) {
      if (!factor_names.count(used)) return Error::at(path, estimate_line, "estimate." + key, "{" + used + "} is not a factor");
    }
  }
  return plan;
}

}  // namespace wattcast

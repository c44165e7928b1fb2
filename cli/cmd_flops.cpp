// `wattcast flops MODEL.onnx`: exact model complexity from an ONNX file: MACs, FLOPs, parameters,
// activation memory and training cost, in a stated convention.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/output.h"
#include "model/flops_counter.h"
#include "model/onnx_loader.h"
#include "model/training_flops.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

constexpr int64_t kMaxSamples = 1'000'000'000'000;

struct FlopsOptions {
  std::string model;
  std::vector<std::string> inputs;
  int64_t input_size = 0;
  int64_t batch = 0;
  std::string by;
  std::string format = "table";
  std::string convention = "wattcast";
  std::vector<std::string> frozen;
  double train_samples = 0;
  double val_samples = 0;
  std::string out;
};

std::string grouped(int64_t value) {
  const std::string digits = std::to_string(value);
  const size_t first = digits[0] == '-' ? 1 : 0;
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string si(double value, const char* unit) {
  static const char* kPrefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  while (value >= 1000 && i < 6) {
    value /= 1000;
    ++i;
  }
  return fmt::format("{} {}{}", format_number(value, 4), kPrefixes[i], unit);
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string text;
  for (int64_t d : dims) {
    if (!text.empty()) text += 'x';
    text += d < 0 ? std::string("?") : std::to_string(d);
  }
  return text.empty() ? "scalar" : text;
}

std::string unknown_ops_text(const FlopsReport& report) {
  std::string text;
  for (const auto& [op, count] : report.unknown_ops) text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", op, count);
  return text;
}

std::string render_json(const FlopsOptions& o, const FlopsReport& r, const TrainingFlops& t, const std::vector<BreakdownRow>& rows) {
  nlohmann::json inputs = nlohmann::json::object();
  for (const auto& [name, dims] : r.input_shapes) inputs[name] = dims;
  nlohmann::json training = {{"flops_per_sample", t.training_per_sample()},
                             {"forward_flops_per_sample", t.forward_per_sample()},
                             {"backward_flops", t.backward_flops},
                             {"trainable_params", t.trainable_params},
                             {"frozen_params", t.frozen_params},
                             {"frozen", o.frozen}};
  if (o.train_samples > 0 || o.val_samples > 0) {
    training["train_samples"] = o.train_samples;
    training["val_samples"] = o.val_samples;
    training["flops_per_epoch"] = t.per_epoch(o.train_samples, o.val_samples);
  }
  nlohmann::json out = {{"model", o.model},
                        {"convention", convention_name(r.convention)},
                        {"batch", t.batch},
                        {"inputs", inputs},
                        {"macs", r.macs},
                        {"flops", r.flops},
                        {"gmacs", static_cast<double>(r.macs) / 1e9},
                        {"gflops", static_cast<double>(r.flops) / 1e9},
                        {"params", r.params},
                        {"activation_bytes", r.activation_bytes},
                        {"complete", r.complete()},
                        {"unknown_ops", r.unknown_ops},
                        {"unresolved_nodes", r.unresolved_nodes},
                        {"training", training}};
  if (!o.by.empty()) {
    nlohmann::json breakdown = nlohmann::json::array();
    for (const auto& row : rows) {
      nlohmann::json item = {{"key", row.key}, {"nodes", row.nodes}, {"macs", row.macs}, {"flops", row.flops}};
      if (!row.detail.empty()) item["op"] = row.detail;
      breakdown.push_back(item);
    }
    out["by"] = o.by;
    out["breakdown"] = breakdown;
  }
  return out.dump(2) + "\n";
}

std::string render_table(const FlopsOptions& o, const FlopsReport& r, const TrainingFlops& t, const std::vector<BreakdownRow>& rows) {
  std::string inputs;
  for (const auto& [name, dims] : r.input_shapes) inputs += fmt::format("{}{} {}", inputs.empty() ? "" : ", ", name, shape_text(dims));
  std::string out = fmt::format("{}: inputs {}; batch {}; convention {}\n", o.model, inputs, t.batch, convention_name(r.convention));
  out += fmt::format("MACs          {} ({})\n", si(static_cast<double>(r.macs), ""), grouped(r.macs));
  out += fmt::format("FLOPs         {} ({})\n", si(static_cast<double>(r.flops), ""), grouped(r.flops));
  out += fmt::format("parameters    {} ({})\n", si(static_cast<double>(r.params), ""), grouped(r.params));
  out += fmt::format("activations   {} (every intermediate tensor at batch {})\n", si(static_cast<double>(r.activation_bytes), "B"), t.batch);
  const std::string frozen = o.frozen.empty() ? "nothing frozen" : fmt::format("{} of {} parameters frozen", grouped(t.frozen_params), grouped(t.frozen_params + t.trainable_params));
  out += fmt::format("training      {} FLOPs per sample, forward + backward ({}; {:.2f}x forward)\n", si(t.training_per_sample(), ""), frozen,
                     t.forward_flops > 0 ? t.training_per_sample() / t.forward_per_sample() : 0.0);
  if (o.train_samples > 0 || o.val_samples > 0)
    out += fmt::format("per epoch     {} FLOPs ({} training + {} validation samples)\n", si(t.per_epoch(o.train_samples, o.val_samples), ""),
                       format_number(o.train_samples), format_number(o.val_samples));
  if (!o.by.empty()) {
    TextTable table({o.by == "node" ? "node" : o.by, o.by == "node" ? "op" : "nodes", "macs", "flops", "flops_pct"});
    for (const auto& row : rows) {
      const double share = r.flops > 0 ? 100.0 * static_cast<double>(row.flops) / static_cast<double>(r.flops) : 0.0;
      table.add_row({row.key, o.by == "node" ? row.detail : std::to_string(row.nodes), grouped(row.macs), grouped(row.flops), fmt::format("{:.2f}", share)});
    }
    out += "\n" + table.render(table_width(o.out));
  }
  return out;
}

void run_flops(const FlopsOptions& o) {
  check_format(o.format, {"table", "json"});
  auto convention = parse_convention(o.convention);
  if (!convention) throw CliError("--convention: unknown convention '" + o.convention + "' (expected: wattcast, torchvision, fvcore)");
  std::optional<Grouping> grouping;
  if (!o.by.empty()) {
    grouping = parse_grouping(o.by);
    if (!grouping) throw CliError("--by: unknown grouping '" + o.by + "' (expected: op, layer-type, node)");
  }
  InputShapeOptions shapes;
  for (const auto& spec : o.inputs) {
    auto [name, dims] = unwrap(parse_input_shape(spec));
    shapes.shapes[name] = dims;
  }
  if (o.input_size > 0) shapes.input_size = o.input_size;
  if (o.batch > 0) shapes.batch = o.batch;
  const ModelGraph graph = unwrap(load_onnx_file(o.model, shapes));
  const FlopsReport report = unwrap(count_flops(graph, *convention));
  const TrainingFlops training = unwrap(training_flops(graph, report, o.frozen, o.batch > 0 ? o.batch : 1));
  const std::vector<BreakdownRow> rows = grouping ? breakdown(report, *grouping) : std::vector<BreakdownRow>{};
  emit(o.format == "json" ? render_json(o, report, training, rows) : render_table(o, report, training, rows), o.out);
  // Never silently zero: what was not counted is said on stderr, whatever the format.
  if (!report.unknown_ops.empty()) fmt::print(stderr, "warning: operators without a cost, not counted: {}\n", unknown_ops_text(report));
  if (!report.unresolved_nodes.empty())
    fmt::print(stderr, "warning: {} node(s) with shapes shape inference could not resolve, not counted (first: '{}'); give input shapes with --input\n",
               report.unresolved_nodes.size(), report.unresolved_nodes.front());
}

}  // namespace

void add_flops_command(CLI::App& app, Workspace&) {
  auto o = std::make_shared<FlopsOptions>();
  auto* command = app.add_subcommand("flops", "Count MACs, FLOPs, parameters and activation memory of an ONNX model, and its training cost");
  command->add_option("model", o->model, "The model, as an ONNX file")->required();
  command->add_option("--input", o->inputs, "Shape of an input, NAME=DIMS such as input=1x3x224x224 (repeatable; sets symbolic dimensions)");
  command->add_option("--input-size", o->input_size, "Height = width of every 4-D (image) input")->check(whole_number(1, kMaxDim));
  command->add_option("--batch", o->batch, "Batch size: the first dimension of every input (default: the model's, symbolic ones 1)")
      ->check(whole_number(1, kMaxDim));
  command->add_option("--by", o->by, "Breakdown: op, layer-type or node");
  command->add_option("--format", o->format, "table or json (default: table)");
  command->add_option("--convention", o->convention, "What counts (docs/FLOPS.md): wattcast (default: every operator), torchvision (conv and linear MACs), fvcore");
  command->add_option("--frozen", o->frozen, "Parameters whose name starts with this are frozen (repeatable), for the training cost");
  command->add_option("--train-samples", o->train_samples, "Training samples per epoch, for the per-epoch training cost")->check(whole_number(0, kMaxSamples));
  command->add_option("--val-samples", o->val_samples, "Validation samples per epoch (forward only)")->check(whole_number(0, kMaxSamples));
  command->add_option("--out", o->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  command->callback([o] { run_flops(*o); });
}

}  // namespace wattcast::cli

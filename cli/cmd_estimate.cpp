// `wattcast estimate`: energy, time and CO2 of a training run before it starts, every method
// side by side; or, with --batch, one prediction per row of a CSV.

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/csv.h"
#include "estimate/baseline_methods.h"
#include "estimate/roofline_inputs.h"
#include "estimate/store_correction.h"
#include "store/open_store.h"
#include "estimate/run_totals.h"
#include "model/model_gflops.h"
#include "core/human_numbers.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

const std::vector<std::string> kAllMethods = {"wattcast", "roofline", "pre-paper", "flops", "green-algorithms", "mlco2"};

struct EstimateOptions {
  std::string config_file;
  std::map<std::string, std::string> flags;  // request key -> text, only those given
  std::string batch_file;
  std::string model_file;
  std::vector<std::string> methods;
  std::string format;  // default: table, or csv in batch mode
  std::string out;
  std::string store;  // finished runs on the same GPU model correct the fitted methods
};

// The estimators of one invocation, owned together because MLCO2 and Green Algorithms borrow
// their duration from wattcast's model (or the user's --hours).
class MethodSet {
 public:
  MethodSet(Workspace& workspace, const EstimateOptions& options, std::optional<double> hours_s) {
    if (!options.model_file.empty()) user_model_ = unwrap(load_model_file(options.model_file));
    const Estimator& time_source = fitted("wattcast", workspace);
    if (hours_s) {
      duration_ = std::make_unique<GivenDuration>(*hours_s);
    } else {
      duration_ = std::make_unique<PredictedDuration>(time_source);
    }
    for (const auto& method : options.methods) {
      if (is_fitted_method(method)) {
        selected_.push_back(&fitted(method, workspace));
      } else if (method == "mlco2") {
        owned_.push_back(std::make_unique<Mlco2Estimator>(*duration_));
        selected_.push_back(owned_.back().get());
      } else if (method == "green-algorithms") {
        owned_.push_back(std::make_unique<GreenAlgorithmsEstimator>(*duration_));
        selected_.push_back(owned_.back().get());
      } else if (method == "flops") {
        owned_.push_back(std::make_unique<FlopsProxyEstimator>());
        selected_.push_back(owned_.back().get());
      } else {
        throw CliError("--method: unknown method '" + method + "' (expected: wattcast, roofline, pre-paper, flops, green-algorithms, mlco2 or all)");
      }
    }
  }

  const std::vector<const Estimator*>& selected() const { return selected_; }

 private:
  const Estimator& fitted(const std::string& method, Workspace& workspace) {
    if (user_model_ && user_model_->name() == method) return *user_model_;
    return workspace.shipped_model(method);
  }

  std::unique_ptr<FittedModel> user_model_;
  std::unique_ptr<DurationSource> duration_;
  std::vector<std::unique_ptr<Estimator>> owned_;
  std::vector<const Estimator*> selected_;
};

// "76.8 [66.4–88.9] Wh": the range in the unit its central value reads best in.
std::string with_interval(double value, const std::optional<Interval>& interval, UnitScale (*scale_of)(double)) {
  const UnitScale scale = scale_of(value);
  std::string text = format_number(value / scale.per_unit, 3);
  if (interval) text += fmt::format(" [{}–{}]", format_number(interval->lo / scale.per_unit, 3), format_number(interval->hi / scale.per_unit, 3));
  return text + " " + scale.unit;
}

// CSV keeps full precision: the shortest text that reads back as the same double.
std::string full_precision(double value) { return fmt::format("{}", value); }

nlohmann::json interval_json(const std::optional<Interval>& interval, double unit = 1.0) {
  if (!interval) return nullptr;
  return {{"lo", interval->lo / unit}, {"hi", interval->hi / unit}};
}

std::string render_single(const ResolvedRequest& request, const std::vector<RunEstimate>& runs, const std::string& format, size_t width) {
  const TrainingConfig& c = request.config;
  if (format == "json") {
    nlohmann::json methods = nlohmann::json::array();
    for (const auto& r : runs) {
      nlohmann::json extrapolation = nlohmann::json::array();
      for (const auto& e : r.extrapolation) extrapolation.push_back({{"feature", e.feature}, {"value", e.value}, {"fitted_min", e.fitted_min}, {"fitted_max", e.fitted_max}, {"message", e.describe()}});
      if (r.unusable) {
        methods.push_back({{"method", r.method}, {"unusable", *r.unusable}, {"extrapolation", extrapolation}});
        continue;
      }
      methods.push_back({{"method", r.method},
                         {"avg_power_w", r.avg_power_w},
                         {"avg_power_w_90", interval_json(r.avg_power_w_90)},
                         {"epoch_time_s", r.epoch_time_s},
                         {"epoch_time_s_90", interval_json(r.epoch_time_s_90)},
                         {"duration_h", r.duration_s / 3600.0},
                         {"duration_h_90", interval_json(r.duration_s_90, 3600.0)},
                         {"energy_kwh", r.energy_j / 3.6e6},
                         {"energy_kwh_90", interval_json(r.energy_j_90, 3.6e6)},
                         {"co2e_g", r.co2e_g},
                         {"co2e_g_90", interval_json(r.co2e_g_90)},
                         {"extrapolation", extrapolation}});
    }
    nlohmann::json out = {{"gpu", c.gpu.name},
                          {"gpu_count", c.gpu_count},
                          {"gflops", c.gflops},
                          {"gflops_source", request.gflops_source},
                          {"activation_mb", c.activation_bytes ? nlohmann::json(*c.activation_bytes / 1e6) : nlohmann::json()},
                          {"params_m", c.parameters ? nlohmann::json(*c.parameters / 1e6) : nlohmann::json()},
                          {"batch_size", c.batch_size},
                          {"input_size", c.input_size},
                          {"train_samples", c.train_samples},
                          {"val_samples", c.val_samples},
                          {"total_ram_gb", c.total_ram_gb},
                          {"epochs", c.epochs},
                          {"precision", c.precision},
                          {"power_limit_w", c.power_limit_w ? nlohmann::json(*c.power_limit_w) : nlohmann::json()},
                          {"location", request.carbon.label},
                          {"g_co2e_per_kwh", request.carbon.g_co2e_per_kwh},
                          {"pue", request.carbon.pue},
                          {"assumptions", request.assumptions},
                          {"interval", "90% prediction interval"},
                          {"methods", methods}};
    return out.dump(2) + "\n";
  }
  if (format == "csv") {
    std::string out = csv_line({"method", "avg_power_w", "avg_power_w_lo", "avg_power_w_hi", "epoch_time_s", "epoch_time_s_lo",
                                "epoch_time_s_hi", "duration_h", "energy_kwh", "energy_kwh_lo", "energy_kwh_hi", "co2e_g", "co2e_g_lo",
                                "co2e_g_hi", "extrapolating"});
    auto bound = [](const std::optional<Interval>& i, bool hi, double unit = 1.0) {
      return i ? full_precision((hi ? i->hi : i->lo) / unit) : std::string();
    };
    for (const auto& r : runs) {
      if (r.unusable) {  // a row without figures, so a reader of the CSV sees the method was asked
        out += csv_line({r.method, "", "", "", "", "", "", "", "", "", "", "", "", "", "true"});
        continue;
      }
      out += csv_line({r.method, full_precision(r.avg_power_w), bound(r.avg_power_w_90, false), bound(r.avg_power_w_90, true),
                       full_precision(r.epoch_time_s), bound(r.epoch_time_s_90, false), bound(r.epoch_time_s_90, true),
                       full_precision(r.duration_s / 3600.0), full_precision(r.energy_j / 3.6e6),
                       bound(r.energy_j_90, false, 3.6e6), bound(r.energy_j_90, true, 3.6e6), full_precision(r.co2e_g),
                       bound(r.co2e_g_90, false), bound(r.co2e_g_90, true), r.extrapolation.empty() ? "false" : "true"});
    }
    return out;
  }
  std::string out = fmt::format("Training on {} x{}: {} GFLOPs ({}), batch {}, input {} px, {} train + {} validation samples, {} epochs\n",
                                c.gpu.name, c.gpu_count, format_number(c.gflops), request.gflops_source, format_number(c.batch_size),
                                format_number(c.input_size), format_number(c.train_samples), format_number(c.val_samples), format_number(c.epochs));
  out += fmt::format("Grid: {}, {} gCO2e/kWh; PUE {} ({})\n\n", request.carbon.label, format_number(request.carbon.g_co2e_per_kwh),
                     format_number(request.carbon.pue), request.carbon.pue_source);
  TextTable table({"method", "power", "epoch_time", "duration", "energy", "co2e"});
  for (const auto& r : runs) {
    if (r.unusable) {
      table.add_row({r.method, "-", "-", "-", "-", "-"});
      continue;
    }
    table.add_row({r.method, with_interval(r.avg_power_w, r.avg_power_w_90, power_scale),
                   with_interval(r.epoch_time_s, r.epoch_time_s_90, duration_scale), with_interval(r.duration_s, r.duration_s_90, duration_scale),
                   with_interval(r.energy_j, r.energy_j_90, energy_wh_scale), with_interval(r.co2e_g, r.co2e_g_90, co2e_scale)});
  }
  out += table.render(width);
  out += "[lo–hi]: 90% prediction interval. ";
  out += request.hours ? "mlco2 and green-algorithms use the given --hours.\n" : "mlco2 and green-algorithms use wattcast's predicted duration.\n";
  if (c.power_limit_w || c.precision != "fp32") out += fmt::format("Power limit {}, precision {}: only roofline models them.\n", c.power_limit_w ? human_power(*c.power_limit_w) : "default", c.precision);
  for (const auto& assumed : request.assumptions) out += "note: " + assumed + "\n";
  for (const auto& r : runs) {
    if (r.method != "roofline") continue;
    for (const auto& assumed : gpu_bounds(c).assumptions) out += "note: roofline: " + assumed + "\n";
    for (const auto& assumed : epoch_work(c).assumptions) out += "note: roofline: " + assumed + "\n";
  }
  for (const auto& r : runs) {
    if (r.unusable) out += fmt::format("warning: {} is unusable here ({}): no figure shown\n", r.method, *r.unusable);
    for (const auto& e : r.extrapolation) out += fmt::format("warning: {} extrapolates: {}\n", r.method, e.describe());
    if (r.avg_power_w <= 0 || r.energy_j <= 0) out += fmt::format("warning: {} predicts a non-physical (negative) figure here\n", r.method);
  }
  return out;
}

std::string render_batch(const std::vector<MeasuredRun>& rows, const Estimator& method) {
  std::string out = csv_line({"line", "method", "pred_avg_power_w", "pred_avg_power_w_lo", "pred_avg_power_w_hi", "pred_epoch_energy_kj",
                              "pred_epoch_energy_kj_lo", "pred_epoch_energy_kj_hi", "pred_epoch_time_s", "pred_epoch_time_s_lo",
                              "pred_epoch_time_s_hi", "extrapolation", "unusable"});
  auto value = [](double v, double unit = 1.0) { return full_precision(v / unit); };
  auto bound = [&](const std::optional<Interval>& i, bool hi, double unit = 1.0) { return i ? value(hi ? i->hi : i->lo, unit) : std::string(); };
  for (const auto& row : rows) {
    const EpochPrediction p = method.predict(row.config);
    std::string flags;
    for (const auto& e : method.extrapolation(row.config)) flags += (flags.empty() ? "" : "; ") + e.describe();
    out += csv_line({std::to_string(row.source_line), method.name(), value(p.avg_power_w), bound(p.avg_power_w_90, false),
                     bound(p.avg_power_w_90, true), value(p.epoch_energy_j, 1000.0), bound(p.epoch_energy_j_90, false, 1000.0),
                     bound(p.epoch_energy_j_90, true, 1000.0), value(p.epoch_time_s), bound(p.epoch_time_s_90, false),
                     bound(p.epoch_time_s_90, true), flags, p.unusable.value_or("")});
  }
  return out;
}

bool is_onnx_model(const std::string& path) { return path.size() > 5 && path.substr(path.size() - 5) == ".onnx"; }

// `--model MODEL.onnx`: the GFLOPs, activations and parameters come from counting the model at
// the run's input size, in the data's convention, instead of --gflops or --arch. Returns where
// the figures came from.
std::string count_onnx_gflops(EstimateRequest& request, const std::string& path) {
  for (const char* key : {"gflops", "arch", "activation_mb", "params_m"}) {
    if (request.find(key)) throw CliError("--model: an ONNX model gives the GFLOPs, activations and parameters; drop --gflops, --arch, --activation-mb and --params-m");
  }
  if (!request.find("input_size")) throw CliError("--input-size: is required with an ONNX --model (the size to count it at)");
  const std::string& text = request.find("input_size")->text;
  const auto side = parse_finite_double(text);
  if (!side || *side < 1 || *side > 1e9 || *side != std::floor(*side)) check(request.error("input_size", "expected a whole number of pixels, got '" + text + "'"));
  const ModelGflops counted = unwrap(count_model_gflops(path, static_cast<int64_t>(*side)));
  request.set("gflops", {fmt::format("{:.17g}", counted.gflops), "", 0});
  if (counted.activation_bytes > 0) request.set("activation_mb", {fmt::format("{:.17g}", counted.activation_bytes / 1e6), "", 0});
  if (counted.parameters > 0) request.set("params_m", {fmt::format("{:.17g}", counted.parameters / 1e6), "", 0});
  return counted.description;
}

void run_estimate(Workspace& workspace, EstimateOptions& options) {
  if (!options.batch_file.empty() && is_onnx_model(options.model_file)) throw CliError("--model: an ONNX model applies to a single estimate, not --batch");
  if (!options.batch_file.empty()) {
    if (!options.store.empty()) throw CliError("--store: corrects a single estimate, not --batch");
    if (options.format.empty()) options.format = "csv";
    check_format(options.format, {"csv"});
    if (!options.config_file.empty() || !options.flags.empty()) throw CliError("--batch: configuration flags and --config do not apply to batch mode");
    if (options.methods.empty()) options.methods = {kDefaultMethod};
    if (options.methods.size() != 1) throw CliError("--batch: give exactly one --method");
    const auto rows = unwrap(load_runs(options.batch_file, Measurements::kIgnored, &workspace.gpus()));
    MethodSet methods(workspace, options, std::nullopt);
    emit(render_batch(rows, *methods.selected().front()), options.out);
    return;
  }

  if (options.format.empty()) options.format = "table";
  check_format(options.format, {"table", "json", "csv"});
  EstimateRequest request;
  if (!options.config_file.empty()) request = unwrap(EstimateRequest::from_file(options.config_file));
  EstimateRequest from_flags;
  for (const auto& [key, text] : options.flags) from_flags.set(key, {text, "", 0});
  request.merge(from_flags);
  std::string onnx_source;
  if (is_onnx_model(options.model_file)) {
    onnx_source = count_onnx_gflops(request, options.model_file);
    options.model_file.clear();
  }
  ResolvedRequest resolved = unwrap(resolve_request(request, Catalogs{workspace.gpus(), workspace.carbon(), workspace.architectures()}));
  if (!onnx_source.empty()) resolved.gflops_source = onnx_source;

  if (options.methods.empty() || options.methods == std::vector<std::string>{"all"}) options.methods = kAllMethods;
  std::optional<double> hours_s;
  if (resolved.hours) hours_s = *resolved.hours * 3600.0;
  MethodSet methods(workspace, options, hours_s);
  std::vector<const Estimator*> selected = methods.selected();
  std::vector<std::unique_ptr<StoreCorrectedEstimator>> corrected;
  std::string store_note;
  if (!options.store.empty()) {
    auto store = unwrap(open_store_for_reading(options.store));
    const StoreRuns own = unwrap(runs_from_store(*store, workspace.gpus()));
    for (auto& method : selected) {
      if (!is_fitted_method(method->name())) continue;
      corrected.push_back(std::make_unique<StoreCorrectedEstimator>(*method, store_correction(*method, own, resolved.config)));
      const StoreCorrection& c = corrected.back()->correction();
      store_note += fmt::format("store: {} used {} of the store's runs on {} (power x{}, epoch energy x{})\n", method->name(), c.runs_used,
                                resolved.config.gpu.name, format_number(c.power_factor, 3), format_number(c.energy_factor, 3));
      method = corrected.back().get();
    }
    if (own.skipped > 0) {
      store_note += fmt::format("store: {} finished runs skipped: without the tags gflops, batch_size, train_samples and val_samples, epochs or a GPU\n", own.skipped);
    }
  }
  std::vector<RunEstimate> runs;
  for (const Estimator* method : selected) runs.push_back(run_totals(*method, resolved.config, resolved.carbon));
  std::string rendered = render_single(resolved, runs, options.format, table_width(options.out));
  if (options.format == "table") rendered += store_note;
  else if (!store_note.empty()) std::fputs(store_note.c_str(), stderr);
  emit(rendered, options.out);
}

}  // namespace

void add_estimate_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<EstimateOptions>();
  auto* command = app.add_subcommand("estimate", "Estimate power, duration, energy and CO2e of a training run before it starts");
  command->add_option("--config", options->config_file, "TOML or JSON file with the settings below (flags override it)");

  struct FlagHelp {
    const char* key;
    const char* help;
  };
  static const FlagHelp kFlags[] = {
      {"gpu", "GPU name from the catalog, e.g. '3090', 'a100 sxm4 80' (see 'wattcast gpus')"},
      {"gpu_cores", "CUDA cores of a GPU not in the catalog"},
      {"gpu_memory_gb", "Memory (GB) of a GPU not in the catalog"},
      {"gpu_tdp_w", "TDP (W) of a GPU not in the catalog"},
      {"gpu_tflops", "FP32 peak (TFLOPS) of a GPU not in the catalog (roofline; assumed from cores otherwise)"},
      {"gpu_bandwidth_gbs", "Memory bandwidth (GB/s) of a GPU not in the catalog (roofline; assumed otherwise)"},
      {"gpu_idle_w", "Idle power (W) of a GPU not in the catalog (roofline; a tenth of the TDP otherwise)"},
      {"gpus", "Number of GPUs, data-parallel (default 1)"},
      {"gflops", "Forward-pass GFLOPs of the model at batch 1 (a multiply-add = 2 FLOPs)"},
      {"arch", "Instead of --gflops: an architecture the study measured (vgg16, resnet50, ...)"},
      {"activation_mb", "MB of intermediate tensors in one sample's forward pass, as 'wattcast flops' counts them (roofline; assumed from the GFLOPs otherwise)"},
      {"params_m", "Parameters of the model in millions (roofline; assumed from the GFLOPs otherwise)"},
      {"batch_size", "Batch size"},
      {"input_size", "Input height = width in pixels"},
      {"train_samples", "Training samples per epoch"},
      {"val_samples", "Validation samples per epoch"},
      {"epochs", "Number of epochs"},
      {"ram_gb", "RAM allocated to the job (GB; default 32, said in a note)"},
      {"region", "Grid location for carbon intensity: ISO code or name (see 'wattcast regions'); default WORLD"},
      {"cloud", "Cloud region as PROVIDER:REGION, e.g. aws:eu-west-1 (sets carbon intensity and PUE)"},
      {"pue", "Power Usage Effectiveness of the facility (default 1.0, or the cloud provider's)"},
      {"hours", "Known training duration (h) for mlco2 and green-algorithms instead of wattcast's prediction"},
      {"precision", "Arithmetic of the training: fp32 (default), tf32, fp16 or bf16 (roofline uses the matching peak)"},
      {"power_limit", "Power cap in W below the board's default (nvidia-smi -pl): roofline predicts what it saves and costs"},
  };
  for (const auto& flag : kFlags) {
    std::string name = flag.key;
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string key = flag.key;
    command->add_option_function<std::string>("--" + name, [options, key](const std::string& text) { options->flags[key] = text; }, flag.help);
  }
  command->add_option("--batch", options->batch_file, "CSV with the columns of pre_runs.csv, or a gpu column with a catalog name instead of the gpu_* columns, plus optional power_limit_w, precision, activation_mb and params_m: one prediction per row (--format csv)");
  command->add_option("--model", options->model_file, "A model from 'wattcast fit' to use instead of the shipped one; or MODEL.onnx, counted for --gflops (see 'wattcast flops')");
  command->add_option("--method", options->methods, "Methods to run: wattcast, roofline, pre-paper, flops, green-algorithms, mlco2, or all (default: all; batch: wattcast)")
      ->delimiter(',');
  command->add_option("--store", options->store, "Run store (SQLite path or postgresql:// URL): finished runs measured on the same GPU model, tagged gflops, batch_size, train_samples, val_samples (and optionally input_size, precision, power_limit_w, activation_mb, params_m), correct the fitted methods");
  command->add_option("--format", options->format, "table, json or csv (default: table; csv in batch mode)");
  command->add_option("--out", options->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  command->callback([&workspace, options] { run_estimate(workspace, *options); });
}

}  // namespace wattcast::cli

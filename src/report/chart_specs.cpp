#include "report/chart_specs.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace wattcast {

namespace {

using json = nlohmann::json;

// Display precision: enough for any chart, and shorter numbers keep long traces' pages small.
double rounded(double value, double step) { return std::round(value / step) * step; }

json quantitative(const std::string& field, const std::string& title) {
  return {{"field", field}, {"type", "quantitative"}, {"title", title}};
}

json base_spec(const std::string& title, int height_px) {
  return {{"title", title}, {"width", kChartWidthPx}, {"height", height_px}, {"config", {{"view", {{"stroke", nullptr}}}}}};
}

}  // namespace

json power_chart_spec(const RunReport& run) {
  json points = json::array();
  for (const auto& series : run.power) {
    for (const auto& p : series.power_w) points.push_back({{"t_s", rounded(p.t_s, 1e-3)}, {"power_w", rounded(p.value, 1e-2)}, {"device", series.device}});
  }
  json layers = json::array();
  layers.push_back({{"data", {{"values", points}}},
                    {"mark", {{"type", "line"}, {"strokeWidth", 1}}},
                    {"encoding",
                     {{"x", quantitative("t_s", "time since start (s)")},
                      {"y", quantitative("power_w", "power (W)")},
                      {"color", {{"field", "device"}, {"type", "nominal"}, {"title", "device"}}}}}});
  if (!run.epochs.empty()) {
    json starts = json::array();
    for (const auto& e : run.epochs) starts.push_back({{"t_s", rounded(e.start_s, 1e-3)}, {"epoch", e.epoch}});
    layers.push_back({{"data", {{"values", starts}}},
                      {"mark", {{"type", "rule"}, {"color", "#888888"}, {"strokeDash", {4, 3}}, {"strokeWidth", 1}}},
                      {"encoding", {{"x", {{"field", "t_s"}, {"type", "quantitative"}}},
                                    {"tooltip", json::array({{{"field", "epoch"}, {"title", "epoch starts"}}})}}}});
  }
  if (run.stabilizing_epoch) {
    const auto stable = std::find_if(run.epochs.begin(), run.epochs.end(), [&](const ReportEpoch& e) { return e.epoch == *run.stabilizing_epoch; });
    if (stable != run.epochs.end()) {
      json marker = json::array({{{"t_s", rounded(stable->start_s, 1e-3)}, {"label", fmt::format("stable from epoch {}", stable->epoch)}}});
      json x = {{"field", "t_s"}, {"type", "quantitative"}};
      layers.push_back({{"data", {{"values", marker}}}, {"mark", {{"type", "rule"}, {"color", "#d62728"}, {"strokeWidth", 2}}}, {"encoding", {{"x", x}}}});
      layers.push_back({{"data", {{"values", marker}}},
                        {"mark", {{"type", "text"}, {"color", "#d62728"}, {"align", "left"}, {"dx", 4}, {"baseline", "top"}}},
                        {"encoding", {{"x", x}, {"y", {{"value", 4}}}, {"text", {{"field", "label"}}}}}});
    }
  }
  json spec = base_spec(fmt::format("Run {}: power over time", run.run.id), 260);
  spec["layer"] = layers;
  return spec;
}

json epoch_chart_spec(const RunReport& run) {
  json values = json::array();
  for (const auto& e : run.epochs) {
    const bool stable = run.stabilizing_epoch && e.epoch >= *run.stabilizing_epoch;
    values.push_back({{"epoch", e.epoch},
                      {"energy_kj", rounded(e.energy_j / 1000, 1e-4)},
                      {"duration_s", rounded(e.end_s - e.start_s, 1e-3)},
                      {"phase", stable ? "stable" : "before stabilizing"}});
  }
  json spec = base_spec(fmt::format("Run {}: energy and duration per epoch", run.run.id), 220);
  spec["data"] = {{"values", values}};
  spec["encoding"] = {{"x", {{"field", "epoch"}, {"type", "ordinal"}, {"title", "epoch"}, {"axis", {{"labelAngle", 0}}}}}};
  spec["layer"] = json::array(
      {{{"mark", "bar"},
        {"encoding",
         {{"y", quantitative("energy_kj", "energy (kJ)")},
          {"color", {{"field", "phase"}, {"type", "nominal"}, {"title", nullptr},
                     {"scale", {{"domain", {"before stabilizing", "stable"}}, {"range", {"#b0b0b0", "#4c78a8"}}}}}},
          {"tooltip", json::array({{{"field", "epoch"}}, {{"field", "energy_kj"}}, {{"field", "duration_s"}}})}}}},
       {{"mark", {{"type", "line"}, {"color", "#f58518"}, {"point", {{"color", "#f58518"}}}}},
        {"encoding", {{"y", quantitative("duration_s", "duration (s)")}}}}});
  spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  return spec;
}

json projection_chart_spec(const RunReport& run) {
  json values = json::array();
  for (const auto& p : run.projections) {
    values.push_back({{"estimator", fmt::format("{} (after epoch {})", p.estimator, p.after_epoch)},
                      {"projected_kj", rounded(p.projected_j / 1000, 1e-4)},
                      {"low_kj", rounded(p.low_j / 1000, 1e-4)},
                      {"high_kj", rounded(p.high_j / 1000, 1e-4)}});
  }
  // Vega-Lite cuts axis labels at 180 px; "live (online from epoch 4) (after epoch 8)" is longer.
  const json y = {{"field", "estimator"}, {"type", "nominal"}, {"title", nullptr}, {"axis", {{"labelLimit", 0}}}};
  json layers = json::array();
  layers.push_back({{"data", {{"values", values}}},
                    {"mark", {{"type", "bar"}, {"color", "#4c78a8"}}},
                    {"encoding", {{"y", y}, {"x", quantitative("projected_kj", "total energy (kJ)")},
                                  {"tooltip", json::array({{{"field", "estimator"}}, {{"field", "projected_kj"}}, {{"field", "low_kj"}}, {{"field", "high_kj"}}})}}}});
  layers.push_back({{"data", {{"values", values}}},
                    {"mark", {{"type", "rule"}, {"color", "#333333"}, {"strokeWidth", 2}}},
                    {"encoding", {{"y", y}, {"x", {{"field", "low_kj"}, {"type", "quantitative"}}}, {"x2", {{"field", "high_kj"}}}}}});
  if (run.actual_j) {
    json actual = json::array({{{"actual_kj", rounded(*run.actual_j / 1000, 1e-4)}, {"label", "measured"}}});
    layers.push_back({{"data", {{"values", actual}}},
                      {"mark", {{"type", "rule"}, {"color", "#d62728"}, {"strokeWidth", 2}, {"strokeDash", {6, 3}}}},
                      {"encoding", {{"x", {{"field", "actual_kj"}, {"type", "quantitative"}}},
                                    {"tooltip", json::array({{{"field", "label"}}, {{"field", "actual_kj"}}})}}}});
  }
  json spec = base_spec(fmt::format("Run {}: projected total per estimator (red: measured)", run.run.id),
                        std::max(60, 28 * static_cast<int>(values.size())));
  spec["layer"] = layers;
  return spec;
}

json group_box_plot_spec(const GroupComparison& comparison) {
  json values = json::array();
  for (const auto& [group, runs] : comparison.groups) {
    for (double v : runs) values.push_back({{"group", group}, {"value", v}});
  }
  const json x = {{"field", "group"}, {"type", "nominal"}, {"title", comparison.factor}, {"axis", {{"labelAngle", 0}}}};
  const json y = {{"field", "value"}, {"type", "quantitative"}, {"title", comparison.metric}, {"scale", {{"zero", false}}}};
  json spec = base_spec(fmt::format("{} by {}", comparison.metric, comparison.factor), 260);
  spec["data"] = {{"values", values}};
  spec["layer"] = json::array({{{"mark", {{"type", "boxplot"}, {"extent", 1.5}, {"size", 40}}}, {"encoding", {{"x", x}, {"y", y}}}},
                               {{"mark", {{"type", "point"}, {"color", "#333333"}, {"opacity", 0.7}}}, {"encoding", {{"x", x}, {"y", y}}}}});
  return spec;
}

json tradeoff_chart_spec(const TradeoffChart& chart) {
  json values = json::array(), front = json::array();
  for (const auto& p : chart.points) {
    json point = {{"label", p.label},
                  {"group", p.group.empty() ? "run" : p.group},
                  {"energy_j", p.energy_per_unit_j},
                  {"metric", p.metric},
                  {"front", p.pareto ? "Pareto front" : "dominated"}};
    values.push_back(point);
    if (p.pareto) front.push_back(point);
  }
  std::sort(front.begin(), front.end(), [](const json& a, const json& b) { return a["energy_j"].get<double>() < b["energy_j"].get<double>(); });
  const json x = {{"field", "energy_j"}, {"type", "quantitative"}, {"title", fmt::format("energy per {} (J)", chart.energy_unit)}, {"scale", {{"zero", false}}}};
  const json y = {{"field", "metric"}, {"type", "quantitative"}, {"title", fmt::format("{} ({} is better)", chart.metric, chart.higher_is_better ? "higher" : "lower")},
                  {"scale", {{"zero", false}}}};
  json spec = base_spec(fmt::format("Energy against {} (line: Pareto front)", chart.metric), 300);
  spec["layer"] = json::array(
      {{{"data", {{"values", front}}}, {"mark", {{"type", "line"}, {"color", "#d62728"}}}, {"encoding", {{"x", x}, {"y", y}, {"order", {{"field", "energy_j"}}}}}},
       {{"data", {{"values", values}}},
        {"mark", {{"type", "point"}, {"filled", true}, {"size", 80}}},
        {"encoding", {{"x", x}, {"y", y}, {"color", {{"field", "group"}, {"type", "nominal"}, {"title", "group"}}},
                      {"shape", {{"field", "front"}, {"type", "nominal"}, {"title", nullptr}}},
                      {"tooltip", json::array({{{"field", "label"}}, {{"field", "group"}}, {{"field", "energy_j"}}, {{"field", "metric"}}})}}}}});
  return spec;
}

}  // namespace wattcast

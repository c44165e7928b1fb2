#include "report/report_page.h"

#include <chrono>

#include <fmt/format.h>

#include "report/chart_specs.h"
#include "core/human_numbers.h"
#include "store/run_state.h"

namespace wattcast {

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

PageSection run_section(const RunReport& r) {
  PageSection section;
  section.heading = fmt::format("Run {}", r.run.id);
  section.lines.push_back("command: " + r.run.command);
  std::string tags;
  for (const auto& [key, value] : r.run.tags) tags += (tags.empty() ? "" : ", ") + key + "=" + value;
  if (!tags.empty()) section.lines.push_back("tags: " + tags);
  section.lines.push_back(fmt::format("energy {}, duration {}, {} epoch(s){}", human_energy(r.energy_j), human_duration(r.duration_s), r.epochs.size(),
                                      r.run.end_s ? "" : ", " + (monitor_lost_at(r.run, now_s()) ? run_state_text(r.run, now_s()) : "still running")));
  if (!r.stabilization_note.empty()) {
    section.lines.push_back(r.stabilizing_epoch ? fmt::format("stabilizing epoch {} ({})", *r.stabilizing_epoch, r.stabilization_note)
                                                : r.stabilization_note);
  }
  const std::string id = fmt::format("run-{}", r.run.id);
  if (!r.power.empty()) {
    section.charts.push_back({id + "-power", power_chart_spec(r)});
  } else {
    section.notes.push_back("no power chart: no device of this run recorded a power figure");
  }
  if (!r.epochs.empty()) section.charts.push_back({id + "-epochs", epoch_chart_spec(r)});
  if (!r.projections.empty()) section.charts.push_back({id + "-projections", projection_chart_spec(r)});
  section.notes.insert(section.notes.end(), r.notes.begin(), r.notes.end());
  return section;
}

PageSection comparison_section(const RunComparison& comparison) {
  PageSection section;
  section.heading = "Comparison across runs";
  if (comparison.groups) {
    section.charts.push_back({"groups-box-plot", group_box_plot_spec(*comparison.groups)});
    section.tables = {comparison.groups->statistics_table, comparison.groups->tests_table};
  }
  if (comparison.tradeoff) section.charts.push_back({"tradeoff", tradeoff_chart_spec(*comparison.tradeoff)});
  section.notes = comparison.notes;
  return section;
}

}  // namespace

Result<ReportContent> collect_report(RunStore& store, const std::string& source, const ReportOptions& options) {
  std::vector<int64_t> ids;
  if (options.run_id) {
    auto run = store.run(*options.run_id);
    if (!run) return run.error();
    ids.push_back(run->id);
  } else {
    auto runs = store.runs();
    if (!runs) return runs.error();
    if (runs->empty()) return Error::in_file(source, "the store holds no runs (measure one first)");
    for (const auto& run : *runs) ids.push_back(run.id);
  }
  ReportContent content;
  content.source = source;
  for (int64_t id : ids) {
    auto report = build_run_report(store, id, options.run);
    if (!report) return report.error();
    content.runs.push_back(std::move(report).value());
  }
  if (content.runs.size() > 1) {
    content.comparison = group_runs_for_report(content.runs, options.comparison);
  } else {
    content.comparison.notes.push_back("one run: no group comparison or trade-off (report a store with several runs for those)");
  }
  return content;
}

Page report_page(const ReportContent& content) {
  Page page;
  page.title = content.runs.size() == 1 ? fmt::format("wattcast report: run {} in {}", content.runs.front().run.id, content.source)
                                        : fmt::format("wattcast report: {} runs in {}", content.runs.size(), content.source);
  page.lines.push_back("Power is drawn from a thinned trace where a run has many samples: the lowest and highest sample of each time "
                       "column are kept, so peaks and dips survive (docs/REPORT.md).");
  if (content.runs.size() > 1) page.sections.push_back(comparison_section(content.comparison));
  for (const auto& run : content.runs) page.sections.push_back(run_section(run));
  if (content.runs.size() == 1) page.sections.push_back(comparison_section(content.comparison));
  return page;
}

}  // namespace wattcast

#include "support/counter_anchor_replay.h"

#include <algorithm>

#include "core/csv.h"
#include "monitor/energy_series.h"

namespace wattcast::testing {

namespace {

// The counter linearly between its reads: what it would have shown at `t_s`.
double counter_at(const std::vector<ReferenceRow>& rows, double t_s) {
  const auto after = std::lower_bound(rows.begin(), rows.end(), t_s, [](const ReferenceRow& r, double t) { return r.t_s < t; });
  if (after == rows.begin()) return rows.front().energy_j;
  if (after == rows.end()) return rows.back().energy_j;
  const auto before = after - 1;
  const double share = (t_s - before->t_s) / (after->t_s - before->t_s);
  return before->energy_j + share * (after->energy_j - before->energy_j);
}

}  // namespace

Result<std::vector<ReferenceRow>> read_nvml_reference(const std::string& path) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  if (auto ok = table->require_columns({"t_s", "power_w", "energy_j"}); !ok) return ok.error();
  std::vector<ReferenceRow> rows;
  for (const auto& row : table->rows()) {
    ReferenceRow r;
    for (auto [column, field] : {std::pair{"t_s", &r.t_s}, {"power_w", &r.power_w}, {"energy_j", &r.energy_j}}) {
      auto value = row.number(column);
      if (!value) return value.error();
      *field = *value;
    }
    rows.push_back(r);
  }
  return rows;
}

Result<std::vector<EpochSpan>> read_epoch_spans(const std::string& path) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  std::vector<EpochSpan> epochs;
  for (const auto& row : table->rows()) {
    auto start = row.number("start_s");
    if (!start) return start.error();
    auto duration = row.number("duration_s");
    if (!duration) return duration.error();
    epochs.push_back({*start, *start + *duration});
  }
  return epochs;
}

std::vector<SampleRecord> replay_with_anchors(const std::vector<ReferenceRow>& rows, const std::vector<EpochSpan>& epochs,
                                              const AnchorPolicy& policy) {
  std::vector<bool> anchored(rows.size(), false);
  if (!rows.empty()) anchored.front() = anchored.back() = true;
  if (policy.at_epoch_markers) {
    for (const auto& epoch : epochs) {
      for (double t : {epoch.start_s, epoch.end_s}) {
        const auto row = std::lower_bound(rows.begin(), rows.end(), t, [](const ReferenceRow& r, double x) { return r.t_s < x; });
        if (row != rows.end()) anchored[static_cast<size_t>(row - rows.begin())] = true;
      }
    }
  }
  std::vector<SampleRecord> samples;
  double last_anchor_s = -1e300;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (policy.period_s > 0 && rows[i].t_s - last_anchor_s >= policy.period_s) anchored[i] = true;
    SampleRecord s;
    s.tick = static_cast<int64_t>(i);
    s.t_s = rows[i].t_s;
    s.reading.power_w = rows[i].power_w;
    if (policy.counter && anchored[i]) {
      s.reading.energy_j = rows[i].energy_j - rows.front().energy_j;
      last_anchor_s = rows[i].t_s;
    }
    samples.push_back(s);
  }
  return samples;
}

std::vector<double> epoch_energy_errors(const std::vector<ReferenceRow>& rows, const std::vector<EpochSpan>& epochs,
                                        const AnchorPolicy& policy) {
  const auto samples = replay_with_anchors(rows, epochs, policy);
  std::vector<const SampleRecord*> own;
  for (const auto& s : samples) own.push_back(&s);
  bool from_counter = false;
  const EnergySeries series = energy_series(own, &from_counter);
  std::vector<double> errors;
  for (const auto& epoch : epochs) {
    const double reference_j = counter_at(rows, epoch.end_s) - counter_at(rows, epoch.start_s);
    const double computed_j = series.at(epoch.end_s) - series.at(epoch.start_s);
    errors.push_back(computed_j / reference_j - 1);
  }
  return errors;
}

size_t counter_reads(const std::vector<SampleRecord>& samples) {
  return static_cast<size_t>(std::count_if(samples.begin(), samples.end(), [](const SampleRecord& s) { return s.reading.energy_j.has_value(); }));
}

}  // namespace wattcast::testing

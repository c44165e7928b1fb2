#include "project/early_stopping.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "core/human_numbers.h"

namespace wattcast {

namespace {

// Slope of y over x by least squares.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

}  // namespace

std::optional<GainPerEnergy> assess_gain_per_energy(const EpochTrace& seen, const std::optional<Projection>& projection,
                                                    const GainPerEnergyRule& rule) {
  std::string metric = rule.metric.empty() ? seen.folded.first_metric : rule.metric;
  if (metric.empty()) {
    for (const auto& epoch : seen.epochs) {
      if (!epoch.metrics.empty()) {
        metric = epoch.metrics.begin()->first;
        break;
      }
    }
    if (metric.empty()) return std::nullopt;
  }
  std::vector<double> epochs, values, energies_j;
  for (auto it = seen.epochs.rbegin(); it != seen.epochs.rend() && static_cast<int>(values.size()) < rule.smoothing_epochs; ++it) {
    auto value = it->metrics.find(metric);
    if (value == it->metrics.end() || !std::isfinite(value->second)) continue;
    epochs.push_back(it->epoch);
    values.push_back(value->second);
    energies_j.push_back(it->energy_j);
  }
  if (static_cast<int>(values.size()) < std::max(2, rule.smoothing_epochs)) return std::nullopt;
  GainPerEnergy out;
  out.metric = metric;
  out.gain_per_epoch = slope(epochs, values) * (rule.higher_is_better ? 1 : -1);
  double epoch_j = 0;
  if (projection && projection->total_epochs > projection->epochs_seen) {
    double seen_j = seen.folded.epochs_j;
    for (const auto& epoch : seen.epochs) seen_j += epoch.energy_j;
    epoch_j = (projection->energy_j - seen_j) / (projection->total_epochs - projection->epochs_seen);
  } else {
    for (double e : energies_j) epoch_j += e / static_cast<double>(energies_j.size());
  }
  if (epoch_j <= 0) return std::nullopt;
  out.epoch_energy_kj = epoch_j / 1000;
  out.gain_per_kj = out.gain_per_epoch / out.epoch_energy_kj;
  out.stop = out.gain_per_kj < rule.min_gain_per_kj;
  if (out.stop) {
    out.reason = fmt::format("early stop: {} improves by {} per kJ over the last {} epochs, below {} per kJ", metric,
                             plain_number(out.gain_per_kj, 3), values.size(), plain_number(rule.min_gain_per_kj, 3));
  }
  return out;
}

}  // namespace wattcast

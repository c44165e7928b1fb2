#include "analysis/cross_validation.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "estimate/baseline_methods.h"

namespace wattcast {

std::vector<int> assign_folds(const std::vector<MeasuredRun>& runs, const CvSettings& settings, int* fold_count) {
  std::vector<int> folds(runs.size());
  if (settings.mode != CvMode::kRows) {
    auto group = [&](const MeasuredRun& run) -> const std::string& {
      if (settings.mode == CvMode::kGpu) return run.config.gpu.name;
      if (settings.mode == CvMode::kSource) return run.source;
      return run.configuration_key;
    };
    std::map<std::string, int> index_of_key;
    for (size_t i = 0; i < runs.size(); ++i) {
      auto [it, inserted] = index_of_key.emplace(group(runs[i]), static_cast<int>(index_of_key.size()));
      folds[i] = it->second;
    }
    *fold_count = static_cast<int>(index_of_key.size());
    return folds;
  }
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(settings.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const int k = std::max(2, std::min<int>(settings.folds, static_cast<int>(runs.size())));
  for (size_t position = 0; position < order.size(); ++position) folds[order[position]] = static_cast<int>(position % static_cast<size_t>(k));
  *fold_count = k;
  return folds;
}

namespace {

struct Accumulators {
  ErrorAccumulator power, energy, time;
};

// A method that does not learn from data predicts the same in every fold.
std::unique_ptr<Estimator> unfitted_method(const std::string& method, const DurationSource& duration) {
  if (method == "mlco2") return std::make_unique<Mlco2Estimator>(duration);
  if (method == "green-algorithms") return std::make_unique<GreenAlgorithmsEstimator>(duration);
  if (method == "flops") return std::make_unique<FlopsProxyEstimator>();
  return nullptr;
}

bool given_duration(const std::string& method) { return method == "mlco2" || method == "green-algorithms"; }

void score(const EpochPrediction& p, const MeasuredRun& run, Accumulators& acc) {
  auto kj = [](const std::optional<Interval>& i) -> std::optional<Interval> {
    if (!i) return std::nullopt;
    return Interval{i->lo / 1000.0, i->hi / 1000.0};
  };
  acc.power.add(*run.avg_gpu_power_w, p.avg_power_w, p.avg_power_w_90);
  acc.energy.add(*run.avg_epoch_energy_j / 1000.0, p.epoch_energy_j / 1000.0, kj(p.epoch_energy_j_90));
  acc.time.add(run.epoch_time_s(), p.epoch_time_s, p.epoch_time_s_90);
}

}  // namespace

Result<std::vector<MethodScores>> cross_validate(const std::vector<MeasuredRun>& runs, const std::vector<std::string>& methods,
                                                 const CvSettings& settings) {
  int fold_count = 0;
  const std::vector<int> folds = assign_folds(runs, settings, &fold_count);
  if (fold_count < 2) return Error{"cross-validation needs at least two folds (configurations, GPUs or data sets)"};

  int total = 0, done = 0;
  for (const auto& method : methods) total += is_fitted_method(method) ? fold_count : 1;
  auto step_done = [&] {
    if (settings.progress) settings.progress(++done, total);
  };
  std::vector<MethodScores> scores;
  for (const auto& method : methods) {
    Accumulators acc;
    if (is_fitted_method(method)) {
      for (int fold = 0; fold < fold_count; ++fold) {
        std::vector<MeasuredRun> train, test;
        for (size_t i = 0; i < runs.size(); ++i) (folds[i] == fold ? test : train).push_back(runs[i]);
        if (test.empty()) {
          step_done();
          continue;
        }
        auto model = fit_model(method, train, settings.fit);
        if (!model) return model.error();
        for (const auto& run : test) score((*model)->predict(run.config), run, acc);
        step_done();
      }
    } else {
      for (const auto& run : runs) {
        GivenDuration measured(run.epoch_time_s() * run.config.epochs);
        auto estimator = unfitted_method(method, measured);
        if (!estimator) return Error{"unknown method '" + method + "'"};
        score(estimator->predict(run.config), run, acc);
      }
      step_done();
    }
    MethodScores s{method, acc.power.finish(), acc.energy.finish(), std::nullopt};
    if (!given_duration(method)) s.epoch_time_s = acc.time.finish();
    scores.push_back(std::move(s));
  }
  return scores;
}

}  // namespace wattcast

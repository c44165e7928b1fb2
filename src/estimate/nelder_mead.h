#pragma once
// Derivative-free minimization for the few parameters of the GPU-generic model.

#include <functional>
#include <vector>

namespace wattcast {

struct MinimizeResult {
  std::vector<double> x;
  double value = 0;
};

// Nelder-Mead simplex from `start` with initial steps `step`, restarted from its own optimum
// until a restart no longer improves (a collapsed simplex otherwise stops short).
MinimizeResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> start,
                           const std::vector<double>& step, int max_evaluations = 20000);

}  // namespace wattcast

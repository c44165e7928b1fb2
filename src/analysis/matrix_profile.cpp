#include "analysis/matrix_profile.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>

#include "analysis/diagonal_kernel.h"
#include "analysis/matrix_profile_validation.h"
#include "analysis/subsequence_stats.h"

namespace wattcast {
namespace {

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs work(worker) on `workers` threads, the calling thread being worker 0.
void run_workers(unsigned workers, const std::function<void(unsigned)>& work) {
  std::vector<std::thread> helpers;
  helpers.reserve(workers - 1);
  for (unsigned w = 1; w < workers; ++w) helpers.emplace_back(work, w);
  work(0);
  for (auto& helper : helpers) helper.join();
}

// All diagonals from first_diagonal on, in blocks of kDiagonalsPerBlock handed out first come,
// first served: the blocks shrink (diagonal d has count - d cells) and the machine is shared, so
// a static split would leave threads idle. Each thread folds into its own profile; the profiles
// are merged at the end, ties going to the lower index so the result does not depend on timing.
CorrelationProfile sweep_all_diagonals(const SubsequenceStats& stats, size_t first_diagonal, KernelIsa isa,
                                       unsigned threads) {
  const size_t count = stats.count();
  const size_t diagonals = first_diagonal < count ? count - first_diagonal : 0;
  const size_t blocks = (diagonals + kDiagonalsPerBlock - 1) / kDiagonalsPerBlock;
  const unsigned workers = static_cast<unsigned>(std::clamp<size_t>(blocks, 1, threads));

  std::vector<CorrelationProfile> partial(workers, CorrelationProfile(count));
  std::atomic<size_t> next_block{0};
  run_workers(workers, [&](unsigned worker) {
    for (size_t block = next_block++; block < blocks; block = next_block++) {
      const size_t block_first = first_diagonal + block * kDiagonalsPerBlock;
      sweep_diagonal_block(stats, block_first, std::min(kDiagonalsPerBlock, count - block_first), isa, partial[worker]);
    }
  });
  for (unsigned w = 1; w < workers; ++w) partial[0].merge(partial[w]);
  return std::move(partial[0]);
}

// First and last subsequence of one kind, for "is there one outside my exclusion zone" in O(1):
// if neither extreme is outside the zone around i, no subsequence of that kind is.
struct KindExtent {
  int64_t first = -1;
  int64_t last = -1;

  void add(size_t i) {
    if (first < 0) first = static_cast<int64_t>(i);
    last = static_cast<int64_t>(i);
  }
  int64_t outside_zone_of(size_t i, size_t zone) const {
    const auto position = static_cast<int64_t>(i);
    const auto radius = static_cast<int64_t>(zone);
    if (first >= 0 && position - first > radius) return first;
    if (last >= 0 && last - position > radius) return last;
    return -1;
  }
};

// stumpy's conventions for constant subsequences, which never enter the kernel: correlation 1
// (distance 0) between two constant subsequences, 0.5 (distance sqrt(m)) between a constant and
// a regular one. O(n).
void apply_constant_conventions(const SubsequenceStats& stats, size_t zone, CorrelationProfile& best) {
  KindExtent constants;
  KindExtent regulars;
  for (size_t i = 0; i < stats.count(); ++i) {
    if (stats.kind[i] == SubsequenceKind::kConstant) constants.add(i);
    if (stats.kind[i] == SubsequenceKind::kRegular) regulars.add(i);
  }
  if (constants.first < 0) return;
  for (size_t i = 0; i < stats.count(); ++i) {
    const int64_t constant_neighbour = constants.outside_zone_of(i, zone);
    if (stats.kind[i] == SubsequenceKind::kConstant) {
      if (constant_neighbour >= 0) {
        best.correlation[i] = 1.0;
        best.index[i] = constant_neighbour;
      } else if (const int64_t regular_neighbour = regulars.outside_zone_of(i, zone); regular_neighbour >= 0) {
        best.correlation[i] = 0.5;
        best.index[i] = regular_neighbour;
      }
    } else if (stats.kind[i] == SubsequenceKind::kRegular && constant_neighbour >= 0 && 0.5 > best.correlation[i]) {
      best.correlation[i] = 0.5;
      best.index[i] = constant_neighbour;
    }
  }
}

// The kernel's correlations locate the neighbours; the reported distances are recomputed from the
// samples, O(m) each, because sqrt(2 m (1 - r)) loses half its digits as r approaches 1.
void fill_distances(const SubsequenceStats& stats, const CorrelationProfile& best, unsigned threads,
                    MatrixProfile& profile) {
  const size_t count = stats.count();
  profile.distance.assign(count, std::numeric_limits<double>::infinity());
  profile.index = best.index;
  const double constant_to_regular = std::sqrt(static_cast<double>(stats.window));
  const unsigned workers = static_cast<unsigned>(std::clamp<size_t>(count / 4096, 1, threads));
  run_workers(workers, [&](unsigned worker) {
    const size_t begin = count * worker / workers;
    const size_t end = count * (worker + 1) / workers;
    for (size_t i = begin; i < end; ++i) {
      if (best.index[i] < 0) continue;
      const auto j = static_cast<size_t>(best.index[i]);
      const bool i_constant = stats.kind[i] == SubsequenceKind::kConstant;
      const bool j_constant = stats.kind[j] == SubsequenceKind::kConstant;
      if (i_constant && j_constant) {
        profile.distance[i] = 0.0;
      } else if (i_constant || j_constant) {
        profile.distance[i] = constant_to_regular;
      } else {
        profile.distance[i] = z_normalized_distance(stats, i, j);
      }
    }
  });
}

}  // namespace

Result<MatrixProfile> matrix_profile(std::span<const double> series, size_t window, const MatrixProfileOptions& options) {
  if (Status valid = check_matrix_profile_window(series.size(), window); !valid) return valid.error();
  const SubsequenceStats stats = compute_subsequence_stats(series, window);
  const size_t requested_zone = options.exclusion_zone.value_or(default_exclusion_zone(window));
  // Clamped so that zone + 1 cannot wrap around to the main diagonal; same pairs excluded.
  const size_t zone = std::min(requested_zone, stats.count());
  const unsigned threads = resolve_threads(options.threads);
  const KernelIsa isa = options.use_simd ? best_kernel_isa() : KernelIsa::kPortable;

  CorrelationProfile best = sweep_all_diagonals(stats, zone + 1, isa, threads);
  apply_constant_conventions(stats, zone, best);

  MatrixProfile profile;
  profile.window = window;
  profile.exclusion_zone = requested_zone;
  fill_distances(stats, best, threads, profile);
  return profile;
}

}  // namespace wattcast

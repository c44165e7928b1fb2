#include "analysis/diagonal_kernel.h"

#include <immintrin.h>

#include <algorithm>
#include <limits>

namespace wattcast {
namespace {

// The covariance recurrence accumulates rounding along a diagonal; recomputing it exactly every
// this many rows bounds the drift for O(m / 4096) extra work per cell.
constexpr size_t kExactCovarianceEveryRows = 4096;

static_assert(kDiagonalsPerBlock % 8 == 0, "the SIMD kernels step whole vectors through a block");

constexpr double kNoCorrelation = -std::numeric_limits<double>::infinity();

// Rows on which the covariances are recomputed exactly instead of updated.
void seed_covariances(const SubsequenceStats& stats, size_t row, size_t first_column, size_t lanes, double* covariance) {
  for (size_t k = 0; k < lanes; ++k) covariance[k] = centered_cross_product(stats, row, first_column + k);
}

// Folds the row's best correlation, `maximum`, into `profile`. Rarely needed after the first rows
// (a record is rarely broken), so the lane holding it is found only then, by recomputing the row's
// correlations from its covariances with the kernels' exact arithmetic. NaN correlations
// (non-regular subsequences) never compare greater.
void fold_row_maximum(const SubsequenceStats& stats, const double* covariance, size_t lanes, double maximum, size_t row,
                      size_t first_column, CorrelationProfile& profile) {
  if (!(maximum > profile.correlation[row])) return;
  for (size_t k = 0; k < lanes; ++k) {
    if (covariance[k] * stats.inverse_norm[first_column + k] * stats.inverse_norm[row] == maximum) {
      profile.correlation[row] = maximum;
      profile.index[row] = static_cast<int64_t>(first_column + k);
      return;
    }
  }
}

void sweep_portable(const SubsequenceStats& stats, size_t first_diagonal, size_t count, CorrelationProfile& profile) {
  const size_t subsequences = stats.count();
  const double* df = stats.df.data();
  const double* dg = stats.dg.data();
  const double* inverse_norm = stats.inverse_norm.data();
  double* column_best = profile.correlation.data();
  int64_t* column_index = profile.index.data();
  double covariance[kDiagonalsPerBlock];

  for (size_t row = 0; row + first_diagonal < subsequences; ++row) {
    const size_t first_column = row + first_diagonal;
    const size_t lanes = std::min(count, subsequences - first_column);
    const bool exact = row % kExactCovarianceEveryRows == 0;
    if (exact) seed_covariances(stats, row, first_column, lanes, covariance);
    // On exact rows the update terms are zeroed instead of branching inside the lane loop.
    const double df_row = exact ? 0.0 : df[row];
    const double dg_row = exact ? 0.0 : dg[row];
    const double inverse_norm_row = inverse_norm[row];
    double row_maximum = kNoCorrelation;
    for (size_t k = 0; k < lanes; ++k) {
      const size_t column = first_column + k;
      covariance[k] += df_row * dg[column] + df[column] * dg_row;
      const double correlation = covariance[k] * inverse_norm[column] * inverse_norm_row;
      if (correlation > row_maximum) row_maximum = correlation;
      if (correlation > column_best[column]) {
        column_best[column] = correlation;
        column_index[column] = static_cast<int64_t>(row);
      }
    }
    fold_row_maximum(stats, covariance, lanes, row_maximum, row, first_column, profile);
  }
}

__attribute__((target("avx2,fma"))) void sweep_avx2(const SubsequenceStats& stats, size_t first_diagonal, size_t count,
                                                    CorrelationProfile& profile) {
  const size_t subsequences = stats.count();
  const double* df = stats.df.data();
  const double* dg = stats.dg.data();
  const double* inverse_norm = stats.inverse_norm.data();
  double* column_best = profile.correlation.data();
  int64_t* column_index = profile.index.data();
  alignas(32) double covariance[kDiagonalsPerBlock];

  for (size_t row = 0; row + first_diagonal < subsequences; ++row) {
    const size_t first_column = row + first_diagonal;
    const size_t lanes = std::min(count, subsequences - first_column);
    const bool exact = row % kExactCovarianceEveryRows == 0;
    if (exact) seed_covariances(stats, row, first_column, lanes, covariance);
    const double df_row = exact ? 0.0 : df[row];
    const double dg_row = exact ? 0.0 : dg[row];
    const __m256d df_row4 = _mm256_set1_pd(df_row);
    const __m256d dg_row4 = _mm256_set1_pd(dg_row);
    const __m256d inverse_norm_row4 = _mm256_set1_pd(inverse_norm[row]);
    const __m256d row_index4 = _mm256_castsi256_pd(_mm256_set1_epi64x(static_cast<int64_t>(row)));
    __m256d row_maximum4 = _mm256_set1_pd(kNoCorrelation);

    size_t k = 0;
    for (; k + 4 <= lanes; k += 4) {
      const size_t column = first_column + k;
      __m256d cov = _mm256_load_pd(covariance + k);
      cov = _mm256_fmadd_pd(df_row4, _mm256_loadu_pd(dg + column), cov);
      cov = _mm256_fmadd_pd(_mm256_loadu_pd(df + column), dg_row4, cov);
      _mm256_store_pd(covariance + k, cov);
      const __m256d correlation =
          _mm256_mul_pd(_mm256_mul_pd(cov, _mm256_loadu_pd(inverse_norm + column)), inverse_norm_row4);
      // maxpd returns its second operand when either is NaN: NaN correlations never win.
      row_maximum4 = _mm256_max_pd(correlation, row_maximum4);
      const __m256d best = _mm256_loadu_pd(column_best + column);
      const __m256d improved = _mm256_cmp_pd(correlation, best, _CMP_GT_OQ);
      // A column's record is rarely broken after its first rows: store only when it is.
      if (_mm256_movemask_pd(improved) != 0) {
        _mm256_storeu_pd(column_best + column, _mm256_max_pd(correlation, best));
        auto* index_slot = reinterpret_cast<__m256i*>(column_index + column);
        const __m256d index = _mm256_castsi256_pd(_mm256_loadu_si256(index_slot));
        _mm256_storeu_si256(index_slot, _mm256_castpd_si256(_mm256_blendv_pd(index, row_index4, improved)));
      }
    }
    alignas(32) double lane_maxima[4];
    _mm256_store_pd(lane_maxima, row_maximum4);
    double row_maximum = std::max(std::max(lane_maxima[0], lane_maxima[1]), std::max(lane_maxima[2], lane_maxima[3]));
    for (; k < lanes; ++k) {
      const size_t column = first_column + k;
      covariance[k] += df_row * dg[column] + df[column] * dg_row;
      const double correlation = covariance[k] * inverse_norm[column] * inverse_norm[row];
      if (correlation > row_maximum) row_maximum = correlation;
      if (correlation > column_best[column]) {
        column_best[column] = correlation;
        column_index[column] = static_cast<int64_t>(row);
      }
    }
    fold_row_maximum(stats, covariance, lanes, row_maximum, row, first_column, profile);
  }
}


// The AVX2 kernel's twin on 8 lanes; masks replace the blends and cover the row's tail.
__attribute__((target("avx512f"))) void sweep_avx512(const SubsequenceStats& stats, size_t first_diagonal,
                                                     size_t count, CorrelationProfile& profile) {
  const size_t subsequences = stats.count();
  const double* df = stats.df.data();
  const double* dg = stats.dg.data();
  const double* inverse_norm = stats.inverse_norm.data();
  double* column_best = profile.correlation.data();
  int64_t* column_index = profile.index.data();
  // Zeroed: the last vector of a short row reads lanes past `lanes` (masked out of every result).
  alignas(64) double covariance[kDiagonalsPerBlock] = {};

  for (size_t row = 0; row + first_diagonal < subsequences; ++row) {
    const size_t first_column = row + first_diagonal;
    const size_t lanes = std::min(count, subsequences - first_column);
    const bool exact = row % kExactCovarianceEveryRows == 0;
    if (exact) seed_covariances(stats, row, first_column, lanes, covariance);
    const __m512d df_row8 = _mm512_set1_pd(exact ? 0.0 : df[row]);
    const __m512d dg_row8 = _mm512_set1_pd(exact ? 0.0 : dg[row]);
    const __m512d inverse_norm_row8 = _mm512_set1_pd(inverse_norm[row]);
    const __m512i row_index8 = _mm512_set1_epi64(static_cast<int64_t>(row));
    __m512d row_maximum8 = _mm512_set1_pd(kNoCorrelation);

    for (size_t k = 0; k < lanes; k += 8) {
      const __mmask8 active = lanes - k >= 8 ? __mmask8{0xff} : static_cast<__mmask8>((1u << (lanes - k)) - 1);
      const size_t column = first_column + k;
      __m512d cov = _mm512_load_pd(covariance + k);
      cov = _mm512_fmadd_pd(df_row8, _mm512_maskz_loadu_pd(active, dg + column), cov);
      cov = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(active, df + column), dg_row8, cov);
      _mm512_store_pd(covariance + k, cov);
      const __m512d correlation =
          _mm512_mul_pd(_mm512_mul_pd(cov, _mm512_maskz_loadu_pd(active, inverse_norm + column)), inverse_norm_row8);
      const __m512d best = _mm512_maskz_loadu_pd(active, column_best + column);
      // Inactive lanes compare 0 > 0: false. NaN correlations compare false too.
      const __mmask8 improved = _mm512_mask_cmp_pd_mask(active, correlation, best, _CMP_GT_OQ);
      row_maximum8 = _mm512_mask_max_pd(row_maximum8, active, correlation, row_maximum8);
      // A column's record is rarely broken after its first rows: store only when it is.
      if (improved != 0) {
        _mm512_mask_storeu_pd(column_best + column, improved, correlation);
        _mm512_mask_storeu_epi64(column_index + column, improved, row_index8);
      }
    }
    alignas(64) double lane_maxima[8];
    _mm512_store_pd(lane_maxima, row_maximum8);
    fold_row_maximum(stats, covariance, lanes, *std::max_element(lane_maxima, lane_maxima + 8), row, first_column,
                     profile);
  }
}

}  // namespace

CorrelationProfile::CorrelationProfile(size_t count) : correlation(count, kNoCorrelation), index(count, -1) {}

void CorrelationProfile::merge(const CorrelationProfile& other) {
  for (size_t i = 0; i < correlation.size(); ++i) {
    const double theirs = other.correlation[i];
    if (theirs > correlation[i] || (theirs == correlation[i] && other.index[i] >= 0 && other.index[i] < index[i])) {
      correlation[i] = theirs;
      index[i] = other.index[i];
    }
  }
}

bool kernel_isa_supported(KernelIsa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case KernelIsa::kAvx512:
      return __builtin_cpu_supports("avx512f");
    case KernelIsa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case KernelIsa::kPortable:
      return true;
  }
  return false;
}

KernelIsa best_kernel_isa() {
  for (KernelIsa isa : {KernelIsa::kAvx512, KernelIsa::kAvx2}) {
    if (kernel_isa_supported(isa)) return isa;
  }
  return KernelIsa::kPortable;
}

void sweep_diagonal_block(const SubsequenceStats& stats, size_t first_diagonal, size_t count, KernelIsa isa,
                          CorrelationProfile& profile) {
  count = std::min(count, kDiagonalsPerBlock);
  switch (isa) {
    case KernelIsa::kAvx512:
      sweep_avx512(stats, first_diagonal, count, profile);
      break;
    case KernelIsa::kAvx2:
      sweep_avx2(stats, first_diagonal, count, profile);
      break;
    case KernelIsa::kPortable:
      sweep_portable(stats, first_diagonal, count, profile);
      break;
  }
}

}  // namespace wattcast

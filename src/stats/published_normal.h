#pragma once
// The two normal-distribution routines Royston's AS R94 (shapiro_wilk.h) is published with,
// evaluated as published: W and p then reproduce the reference implementations of the test
// (scipy.stats.shapiro, which compiles AS R94 with exactly these routines) instead of
// differing from them in the last digits. Elsewhere use boost::math::normal: it is more accurate.

namespace wattcast::stats {

// Algorithm AS 111 (Beasley & Springer 1977), PPND: the standard normal quantile Phi^-1(p) in
// single precision: within 2e-6 relative for 1e-5 <= p <= 1 - 1e-5, 2e-4 further out.
// Returns 0 for p outside (0, 1).
float as111_normal_quantile(float p);

// Algorithm AS 66 (Hill 1973), ALNORM with UPPER: the upper tail 1 - Phi(z) in double
// precision: within 1e-10 relative for z up to 38, 0 beyond; 1 for NaN, as published.
double as66_normal_upper_tail(double z);

}  // namespace wattcast::stats

#include "stats/published_normal.h"

#include <cmath>

namespace wattcast::stats {

// Both routines keep the published evaluation order (Horner forms, continued fractions) and
// precision: every float step rounds where the reference implementations round.

float as111_normal_quantile(float p) {
  const float q = p - 0.5f;
  if (std::abs(q) <= 0.42f) {
    // Centre: a rational function of q^2.
    const float r = q * q;
    const float numerator = ((-25.44106049637f * r + 41.39119773534f) * r + -18.61500062529f) * r + 2.50662823884f;
    const float denominator =
        (((3.13082909833f * r + -21.06224101826f) * r + 23.08336743743f) * r + -8.47351093090f) * r + 1.0f;
    return q * numerator / denominator;
  }
  // Tails: a rational function of sqrt(-log(tail area)).
  const float tail = q > 0 ? 1.0f - p : p;
  if (!(tail > 0)) return 0;
  const float r = std::sqrt(-std::log(tail));
  const float z = (((2.32121276858f * r + 4.85014127135f) * r + -2.29796479134f) * r + -2.78718931138f) /
                  ((1.63706781897f * r + 3.54388924762f) * r + 1.0f);
  return q < 0 ? -z : z;
}

double as66_normal_upper_tail(double z) {
  // Hill's limits for a machine with IEEE doubles: below -7 the lower tail rounds to 0 in 1 - it,
  // above 38 the upper tail itself underflows.
  constexpr double kLowerTailZero = 7.0;
  constexpr double kUpperTailZero = 38.0;
  bool upper = true;
  if (!(z >= 0)) {  // NaN takes this branch too and ends as 1, as published
    upper = false;
    z = -z;
  }
  double tail = 0;
  if (z <= kLowerTailZero || (upper && z <= kUpperTailZero)) {
    const double y = 0.5 * z * z;
    // Continued fractions, evaluated from the innermost term out (the same operations as the
    // published nested expressions).
    if (z <= 1.28) {
      double fraction = y + 5.92885724438;
      fraction = y + 2.62433121679 + 48.6959930692 / fraction;
      fraction = y + 5.75885480458 - 29.8213557808 / fraction;
      tail = 0.5 - z * (0.398942280444 - 0.399903438504 * y / fraction);
    } else {
      double fraction = z + 3.99019417011;
      fraction = z + 0.742380924027 + 30.789933034 / fraction;
      fraction = z + 4.8385912808 - 15.1508972451 / fraction;
      fraction = z - 0.151679116635 + 5.29330324926 / fraction;
      fraction = z + 3.98064794e-4 + 1.98615381364 / fraction;
      fraction = z - 3.8052e-8 + 1.00000615302 / fraction;
      tail = 0.398942280385 * std::exp(-y) / fraction;
    }
  }
  return upper ? tail : 1.0 - tail;
}

}  // namespace wattcast::stats

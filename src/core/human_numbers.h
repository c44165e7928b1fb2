#pragma once
// Numbers a person reads: three or four significant digits, the unit chosen per figure so that
// no exponent is ever printed (J, kJ, MJ; Wh, kWh; W, kW; s, min, h). JSON and CSV keep full
// precision and never go through here.

#include <string>

namespace wattcast {

// `significant` digits, trailing zeros dropped, fixed notation whatever the magnitude: 0.0001573,
// 23807 (integers are never rounded away), 1.5. Values too small to show in 10 decimals read
// "<0.0000000001" (or "0" when exactly zero).
std::string plain_number(double value, int significant = 4);

// The unit a figure reads best in; a range is shown in its central value's unit:
// "76.8 [66.4–88.9] Wh".
struct UnitScale {
  double per_unit = 1;  // SI units in one of these
  const char* unit = "";
};
UnitScale energy_scale(double joules);
UnitScale energy_wh_scale(double joules);
UnitScale power_scale(double watts);
UnitScale co2e_scale(double grams);
UnitScale duration_scale(double seconds);  // s, min, h or d, as decimals

std::string human_energy(double joules);     // 0.02857 J, 178.8 J, 4.966 kJ, 1.2 MJ
std::string human_energy_wh(double joules);  // 0.04966 Wh, 12.3 kWh, 1.2 MWh
std::string human_power(double watts);       // 312 W, 1.25 kW
std::string human_co2e(double grams);        // 0.655 g, 1.2 kg, 3.4 t
std::string human_duration(double seconds);  // 12.3 s, 4 min 12 s, 2 h 05 min, 3 d 4 h

}  // namespace wattcast

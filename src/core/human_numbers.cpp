#include "core/human_numbers.h"

#include <cmath>

#include <fmt/format.h>

namespace wattcast {

namespace {

constexpr int kMaxDecimals = 10;

std::string strip_trailing_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// As shown: 999.97 rounds to 1000 at 4 digits.
bool reaches_thousand(double value) { return std::isfinite(value) && std::abs(value) >= 999 && std::abs(std::stod(plain_number(value))) >= 1000; }

// The largest unit of 1000s the value reaches (the first unit below 1).
UnitScale thousands(double value, const char* const* units, int count, double base = 1) {
  UnitScale scale{base, units[0]};
  // Rounding may carry to 1000 (999.97 kJ): that reads as the next unit.
  for (int i = 1; i < count && reaches_thousand(value / scale.per_unit); ++i) scale = {scale.per_unit * 1000, units[i]};
  return scale;
}

std::string in_scale(double value, const UnitScale& scale) { return plain_number(value / scale.per_unit) + " " + scale.unit; }

const char* const kEnergyUnits[] = {"J", "kJ", "MJ", "GJ", "TJ", "PJ"};
const char* const kWattHourUnits[] = {"Wh", "kWh", "MWh", "GWh", "TWh"};
const char* const kPowerUnits[] = {"W", "kW", "MW", "GW"};
const char* const kMassUnits[] = {"g", "kg", "t", "kt", "Mt"};

}  // namespace

std::string plain_number(double value, int significant) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
  const int decimals = std::max(0, significant - 1 - magnitude);
  if (decimals > kMaxDecimals) {
    const std::string smallest = "0." + std::string(kMaxDecimals - 1, '0') + "1";
    return (value < 0 ? ">-" : "<") + smallest;
  }
  std::string text = strip_trailing_zeros(fmt::format("{:.{}f}", value, decimals));
  return text == "-0" ? "0" : text;
}

UnitScale energy_scale(double joules) { return thousands(joules, kEnergyUnits, 6); }
UnitScale energy_wh_scale(double joules) { return thousands(joules, kWattHourUnits, 5, 3600); }
UnitScale power_scale(double watts) { return thousands(watts, kPowerUnits, 4); }
UnitScale co2e_scale(double grams) { return thousands(grams, kMassUnits, 5); }

UnitScale duration_scale(double seconds) {
  const double magnitude = std::abs(seconds);
  if (magnitude < 60) return {1, "s"};
  if (magnitude < 3600) return {60, "min"};
  if (magnitude < 86400) return {3600, "h"};
  return {86400, "d"};
}

std::string human_energy(double joules) { return in_scale(joules, energy_scale(joules)); }
std::string human_energy_wh(double joules) { return in_scale(joules, energy_wh_scale(joules)); }
std::string human_power(double watts) { return in_scale(watts, power_scale(watts)); }
std::string human_co2e(double grams) { return in_scale(grams, co2e_scale(grams)); }

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds)) return plain_number(seconds) + " s";
  if (seconds < 0) return "-" + human_duration(-seconds);
  if (seconds < 59.95) return plain_number(seconds, 3) + " s";
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  const long long minutes = (whole + 30) / 60;
  if (minutes < 24 * 60) return fmt::format("{} h {:02} min", minutes / 60, minutes % 60);
  const long long hours = (whole + 1800) / 3600;
  return fmt::format("{} d {} h", hours / 24, hours % 24);
}

}  // namespace wattcast

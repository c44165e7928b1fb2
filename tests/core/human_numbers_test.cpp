// Numbers a person reads: never an exponent, 3-4 significant digits, the unit picked per figure.
#include "core/human_numbers.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

TEST(PlainNumberTest, KeepsFourSignificantDigitsWithoutAnExponent) {
  EXPECT_EQ(plain_number(1.57e-05), "0.0000157");
  EXPECT_EQ(plain_number(0.1788), "0.1788");
  EXPECT_EQ(plain_number(1.23456), "1.235");
  EXPECT_EQ(plain_number(1.5), "1.5");
  EXPECT_EQ(plain_number(23807), "23807");  // integers are not rounded away
  EXPECT_EQ(plain_number(1.01e12), "1010000000000");
  EXPECT_EQ(plain_number(-0.000123456, 3), "-0.000123");
  EXPECT_EQ(plain_number(0), "0");
  EXPECT_EQ(plain_number(9.99996), "10");
  EXPECT_EQ(plain_number(1e-15), "<0.0000000001");
}

TEST(HumanUnitsTest, PicksTheUnitPerFigure) {
  EXPECT_EQ(human_energy(178.8), "178.8 J");
  EXPECT_EQ(human_energy(0.02857), "0.02857 J");
  EXPECT_EQ(human_energy(4966.4), "4.966 kJ");
  EXPECT_EQ(human_energy(999970), "1 MJ");  // rounding carries into the next unit
  EXPECT_EQ(human_energy_wh(178.8), "0.04967 Wh");
  EXPECT_EQ(human_energy_wh(3.6e7), "10 kWh");
  EXPECT_EQ(human_power(312.04), "312 W");
  EXPECT_EQ(human_power(1250), "1.25 kW");
  EXPECT_EQ(human_co2e(0.655), "0.655 g");
  EXPECT_EQ(human_co2e(3400000), "3.4 t");
}

TEST(HumanUnitsTest, DurationsReadAsClockUnits) {
  EXPECT_EQ(human_duration(12.34), "12.3 s");
  EXPECT_EQ(human_duration(252), "4 min 12 s");
  EXPECT_EQ(human_duration(7500), "2 h 05 min");
  EXPECT_EQ(human_duration(3 * 86400 + 4 * 3600), "3 d 4 h");
  EXPECT_EQ(duration_scale(1100).unit, std::string("min"));
}

}  // namespace
}  // namespace wattcast

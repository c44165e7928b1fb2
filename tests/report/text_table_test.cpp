// Text tables: text left, numbers right, and cut to the terminal's width with an ellipsis.
#include "report/text_table.h"

#include "report/table_formats.h"

#include <sstream>

#include <gtest/gtest.h>

namespace wattcast {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t width_of(const std::string& line) {
  size_t points = 0;
  for (char c : line) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return points;
}

TEST(TextTableTest, TextColumnsAreLeftAlignedAndNumbersRight) {
  TextTable table({"run", "command", "energy"});
  table.add_row({"1", "python train.py", "12.5 kJ"});
  table.add_row({"22", "sh", "3 J"});
  const auto lines = lines_of(table.render());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "run  command           energy");
  EXPECT_EQ(lines[2], "1    python train.py  12.5 kJ");
  EXPECT_EQ(lines[3], "22   sh                   3 J");
}

TEST(TextTableTest, FitsTheWidthByCuttingTheWidestTextColumn) {
  TextTable table({"use", "name", "g_co2e_per_kwh"});
  table.add_row({"--cloud aws:us-east-1", "US East (N. Virginia), United States of America, a very long name", "379.2"});
  const std::string full = table.render();
  EXPECT_NE(full.find("a very long name"), std::string::npos);  // no limit: the whole text
  const std::string fitted = table.render(60);
  for (const auto& line : lines_of(fitted)) EXPECT_LE(width_of(line), 60u) << line;
  EXPECT_NE(fitted.find("--cloud aws:us-east-1"), std::string::npos) << fitted;  // the first column stays whole
  EXPECT_NE(fitted.find("…"), std::string::npos) << fitted;
  EXPECT_NE(fitted.find("379.2"), std::string::npos) << fitted;  // numbers are never cut
}

// A CSV file holds one table and nothing else, so that it loads as CSV.
TEST(TableFormatsTest, CsvIsOneTableWithoutTitleLines) {
  const Table groups{"energy by batch", {"batch", "median"}, {{"8", "1.5"}}};
  const auto one = render_tables({groups}, "csv");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, "batch,median\n8,1.5\n");
  EXPECT_FALSE(render_tables({groups, groups}, "csv").ok());
}

}  // namespace
}  // namespace wattcast

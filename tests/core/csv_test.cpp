#include "core/csv.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

TEST(CsvTest, ReadsQuotedCellsAndKeepsSourceLines) {
  auto table = CsvTable::parse("name,value\n\"a, quoted\",1.5\n\nplain,\"2\"\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.error().message;
  ASSERT_EQ(table->rows().size(), 2u);
  EXPECT_EQ(table->rows()[0].text("name"), "a, quoted");
  EXPECT_EQ(table->rows()[0].line(), 2);
  EXPECT_EQ(table->rows()[1].line(), 4);
  EXPECT_DOUBLE_EQ(*table->rows()[1].number("value"), 2.0);
}

TEST(CsvTest, QuotedNewlineCountsTowardsLaterLines) {
  auto table = CsvTable::parse("a,b\n\"x\ny\",1\nz,2\n", "t.csv");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->rows()[1].line(), 4);
}

TEST(CsvTest, BadNumberNamesFileLineAndField) {
  auto table = CsvTable::parse("a,batch_size\n1,2\n3,abc\n", "runs.csv");
  ASSERT_TRUE(table.ok());
  auto value = table->rows()[1].positive("batch_size");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().message, "runs.csv:3: field 'batch_size': expected a finite number, got 'abc'");
}

TEST(CsvTest, RejectsNanInfinityAndNonPositive) {
  auto table = CsvTable::parse("v\nnan\ninf\n-1\n0\n", "t.csv");
  ASSERT_TRUE(table.ok());
  for (const auto& row : table->rows()) EXPECT_FALSE(row.positive("v").ok()) << row.text("v");
  EXPECT_TRUE(table->rows()[2].number("v").ok());
}

TEST(CsvTest, RaggedRowIsAnErrorWithItsLine) {
  auto table = CsvTable::parse("a,b\n1,2\n3\n", "t.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("t.csv:3"), std::string::npos);
}

TEST(CsvTest, UnterminatedQuoteAndEmptyFileAreErrors) {
  EXPECT_FALSE(CsvTable::parse("a\n\"open\n", "t.csv").ok());
  EXPECT_FALSE(CsvTable::parse("", "t.csv").ok());
}

TEST(CsvTest, MissingRequiredColumnIsNamed) {
  auto table = CsvTable::parse("a,b\n1,2\n", "t.csv");
  ASSERT_TRUE(table.ok());
  auto status = table->require_columns({"a", "gflops"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "t.csv:1: field 'gflops': required column is missing from the header");
}

TEST(CsvTest, ParseFiniteDoubleRejectsTrailingJunk) {
  EXPECT_FALSE(parse_finite_double("12x").has_value());
  EXPECT_FALSE(parse_finite_double("").has_value());
  EXPECT_DOUBLE_EQ(*parse_finite_double(" 1e3 "), 1000.0);
}

}  // namespace
}  // namespace wattcast

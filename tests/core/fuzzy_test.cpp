#include "core/fuzzy.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

TEST(FuzzyTest, TokensSplitDigitsFromLettersAndDropVendorWords) {
  EXPECT_EQ(name_tokens("NVIDIA GeForce RTX 3090 Ti"), (std::vector<std::string>{"rtx", "3090", "ti"}));
  EXPECT_EQ(name_tokens("h100-sxm"), (std::vector<std::string>{"h", "100", "sxm"}));
}

TEST(FuzzyTest, FewestExtraTokensWins) {
  std::vector<std::string> names = {"NVIDIA GeForce RTX 3090 Ti", "NVIDIA GeForce RTX 3090"};
  auto ranked = rank_matches("3090", names);
  EXPECT_EQ(ranked.front().index, 1u);
  EXPECT_TRUE(ranked.front().all_tokens);
}

TEST(FuzzyTest, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

}  // namespace
}  // namespace wattcast

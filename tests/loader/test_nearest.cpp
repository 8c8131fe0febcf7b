#include <gtest/gtest.h>

#include "nearest.hpp"

namespace asmk {
namespace {

TEST(EditDistance, TextbookValues) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // k->s, e->i, +g
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);       // -f, +n
  EXPECT_EQ(edit_distance("n1000", "n1024"), 2u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(NearestNames, ClosestFirstAndBounded) {
  const std::vector<std::string> names{"row_n256", "row_n1024", "group_n128", "row_n512"};
  const auto nearest = nearest_names("row_n1000", names, 2);
  ASSERT_EQ(nearest.size(), 2u);
  EXPECT_EQ(nearest[0], "row_n1024");
  EXPECT_EQ(join_names({"a", "b"}), "a, b");
  EXPECT_EQ(join_names({}), "(none)");
}

}  // namespace
}  // namespace asmk

#include <gtest/gtest.h>

extern "C" int asmk_test_header_c99(void);

TEST(Header, UsableFromStrictC99) {
  // 1 (default backend set) + 7 + ASMK_QUANT_GROUP (1) + 0
  EXPECT_EQ(asmk_test_header_c99(), 9);
}

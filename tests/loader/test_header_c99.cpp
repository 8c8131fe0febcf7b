#include <gtest/gtest.h>

extern "C" int asmk_test_header_c99(void);

TEST(Header, UsableFromStrictC99) {
  // 1 (default backend set) + 7 + ASMK_QUANT_GROUP (1) + 0, then the GEMM structs: ASMK_B_SHUFFLED (1)
  // + ASMK_DTYPE_FP32 (2) + 4 + 8 + 64 + ASMK_DTYPE_FP16 (1) + k_splits 1 + ASMK_DTYPE_FP4 (5)
  EXPECT_EQ(asmk_test_header_c99(), 9 + 1 + 2 + 4 + 8 + 64 + 1 + 1 + 5);
}

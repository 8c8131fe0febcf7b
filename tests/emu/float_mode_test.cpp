// The MODE register (kernels/float_mode.s): s_getreg/s_setreg of FP_ROUND [3:0] (f32 in [1:0],
// f16/f64 in [3:2]; 0 nearest even, 1 +inf, 2 -inf, 3 zero) and FP_DENORM [7:4] (f32 in [5:4],
// f16/f64 in [7:6]; 0 flushes inputs and results, 3 keeps denormals), with values worked out by
// hand from IEEE-754 in the kernel's comments.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class FloatMode : public ::testing::TestWithParam<std::string> {};

TEST_P(FloatMode, RoundAndDenormFieldsOfModeApply) {
  auto co = load_kernel_file("float_mode", GetParam());
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(18, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("float_mode");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev, out, 18);
  // Descriptor: round modes 0, denormal modes 3 (0xf0), DX10_CLAMP (bit 8) and IEEE (bit 9) set.
  EXPECT_EQ(got[0], 0x3f0u);
  EXPECT_EQ(got[1], 1u);           // f64 denormal kept
  EXPECT_EQ(got[2], 0u);
  EXPECT_EQ(got[3], 1u);           // f16 denormal kept
  EXPECT_EQ(got[4], 0u);           // f64 denormal input flushed: 0 + 0
  EXPECT_EQ(got[5], 0u);
  EXPECT_EQ(got[6], 0u);           // 2^-1022 * 0.5 = 2^-1023, a denormal result: flushed
  EXPECT_EQ(got[7], 0u);
  EXPECT_EQ(got[8], 0u);           // f16 flushed
  EXPECT_EQ(got[9], 0u);           // packed f16, both halves flushed
  EXPECT_EQ(got[10], 1u);          // f32 keeps its own mode
  EXPECT_EQ(got[11], 0x330u);      // FP_DENORM[7:6] cleared by s_setreg
  EXPECT_EQ(got[12], 0x3f800001u); // 1 + 0.75 ulp, nearest even: 1 + ulp
  EXPECT_EQ(got[13], 0x3f800000u); // toward zero: 1
  EXPECT_EQ(got[14], 0xbf800000u); // -(1 + 0.75 ulp) toward +inf: -1
  EXPECT_EQ(got[15], 0u);          // f64 1 + 0.75 ulp toward -inf: 1.0
  EXPECT_EQ(got[16], 0x3ff00000u);
  EXPECT_EQ(got[17], 0x3f800001u); // f32 in the same MODE uses its own field (nearest even)
}

INSTANTIATE_TEST_SUITE_P(Archs, FloatMode, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

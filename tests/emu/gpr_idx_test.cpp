// GPR indexing mode (s_set_gpr_idx_*), on kernels/gpr_idx.s; expectations from the ISA text:
// M0[7:0] = index, M0[15:12] = enabled operands (src0, src1, src2, dst), MODE[27] = enable. The
// index applies to the vector register an enabled operand slot names, VGPR or AccVGPR.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class GprIdxTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GprIdxTest, OffsetsEnabledVgprOperandsOfValuInstructions) {
  auto co = load_kernel_file("gpr_idx", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(11 * 64, 0));
  Dispatch d;
  d.kernel = *co->find("gpr_idx");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  LaunchOptions opt;
  opt.strict = true;
  auto r = launch(dev, d, opt);
  ASSERT_EQ(r.fault_count, 0u) << describe(r);
  // The only strict report: index 200 pushes v10 past the 32 VGPRs (v0 is read instead).
  ASSERT_EQ(r.strict_count, 1u) << describe(r);
  EXPECT_NE(r.strict[0].message.find("v10 by 200"), std::string::npos) << r.strict[0].message;
  auto got = download<uint32_t>(dev, out, 11 * 64);
  for (uint32_t lane = 0; lane < 64; lane++) {
    auto at = [&](int k) { return got[k * 64 + lane]; };
    EXPECT_EQ(at(0), 113u) << lane;        // v_mov_b32 v1, v10 with src0 index 3 reads v13
    EXPECT_EQ(at(1), 7u) << lane;          // v_mov_b32 v20, 7 with dst index 3 writes v23
    EXPECT_EQ(at(2), 111u + 112u) << lane; // v_add_u32 v20, v10, v11, index 1 on src0/src1/dst: v21 = v11 + v12
    EXPECT_EQ(at(3), 100u) << lane;        // indexing off: v10 itself
    EXPECT_EQ(at(4), 112u + 111u) << lane; // v_add_u32 v3, v10, v11, src0 index 2: v12 + v11
    EXPECT_EQ(at(5), 112u) << lane;        // v_mov_b64 v[6:7], v[10:11], src0 index 2: v[12:13]
    EXPECT_EQ(at(6), 113u) << lane;
    EXPECT_EQ(at(7), lane) << lane;        // past the VGPRs: v0 (the work-item id)
    EXPECT_EQ(at(8), 1u) << lane;          // MODE[27] while on
    EXPECT_EQ(at(9), 0u) << lane;          // and after s_set_gpr_idx_off
    // M0: 0xffff0000, then the last s_set_gpr_idx_on 200, SRC0 sets [7:0] = 0xc8, [15:12] = 1,
    // keeping the other bits.
    EXPECT_EQ(at(10), 0xffff10c8u) << lane;
  }
}

TEST_P(GprIdxTest, OffsetsEnabledAccVgprOperands) {
  auto co = load_kernel_file("gpr_idx", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(5 * 64, 0));
  Dispatch d;
  d.kernel = *co->find("gpr_idx_agpr");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev, out, 5 * 64);
  for (uint32_t lane = 0; lane < 64; lane++) {
    auto at = [&](int k) { return got[k * 64 + lane]; };
    EXPECT_EQ(at(0), 203u) << lane;  // v_accvgpr_read v1, a0 with SRC0 index 3 reads a3
    EXPECT_EQ(at(1), 100u) << lane;  // v_accvgpr_write a0, v10 with DST index 3 writes a3
    EXPECT_EQ(at(2), 201u) << lane;  // v_accvgpr_read v20, a1 with DST index 3 writes v23
    EXPECT_EQ(at(3), 112u) << lane;  // v_accvgpr_write a6, v10 with SRC0 index 2: a6 = v12
    EXPECT_EQ(at(4), 201u) << lane;  // v_accvgpr_mov a10, a0 with SRC0, DST index 1: a11 = a1
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, GprIdxTest, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

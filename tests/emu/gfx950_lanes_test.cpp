// gfx950 v_permlane16_swap / v_permlane32_swap and v_bitop3_b16 (kernels/gfx950_lanes.s),
// against the LLVM intrinsic descriptions written as row gathers: after a 16-lane swap of
// (A, B), A holds rows (A0, B0, A2, B2) and B holds (A1, B1, A3, B3); after the 32-lane swap, A
// holds (A0, A1, B0, B1) and B holds (A2, A3, B2, B3).
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

uint32_t a_start(int lane) { return 1000u + lane; }
uint32_t b_start(int lane) { return 2000u + lane; }

/// Lane `lane` of a register assembled from 16-lane rows: rows[i] = {is_b, source row}.
uint32_t gather(const std::array<std::pair<bool, int>, 4>& rows, int lane) {
  auto [is_b, row] = rows[lane / 16];
  int src = row * 16 + lane % 16;
  return is_b ? b_start(src) : a_start(src);
}

TEST(Gfx950Lanes, PermlaneSwapsAndBitop3B16) {
  auto co = load_kernel_file("gfx950_lanes", "gfx950");
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(7 * 64, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("gfx950_lanes");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev, out, 7 * 64);
  const std::array<std::pair<bool, int>, 4> swap16_a{{{false, 0}, {true, 0}, {false, 2}, {true, 2}}};
  const std::array<std::pair<bool, int>, 4> swap16_b{{{false, 1}, {true, 1}, {false, 3}, {true, 3}}};
  const std::array<std::pair<bool, int>, 4> swap32_a{{{false, 0}, {false, 1}, {true, 0}, {true, 1}}};
  const std::array<std::pair<bool, int>, 4> swap32_b{{{false, 2}, {false, 3}, {true, 2}, {true, 3}}};
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(got[0 * 64 + l], gather(swap16_a, l)) << "permlane16 vdst lane " << l;
    EXPECT_EQ(got[1 * 64 + l], gather(swap16_b, l)) << "permlane16 src0 lane " << l;
    EXPECT_EQ(got[2 * 64 + l], gather(swap32_a, l)) << "permlane32 vdst lane " << l;
    EXPECT_EQ(got[3 * 64 + l], gather(swap32_b, l)) << "permlane32 src0 lane " << l;
    // EXEC = lanes 0-7, 16-19: only the pairs (vdst lane 16+i, src0 lane i), i < 4, have both
    // lanes active and swap; every other lane keeps its value.
    const bool swapped_d = l >= 16 && l < 20, swapped_s = l < 4;
    EXPECT_EQ(got[4 * 64 + l], swapped_d ? b_start(l - 16) : a_start(l)) << "masked permlane16 vdst lane " << l;
    EXPECT_EQ(got[5 * 64 + l], swapped_s ? a_start(l + 16) : b_start(l)) << "masked permlane16 src0 lane " << l;
    // bitop3 0xe8 is the bitwise majority; op_sel [1,0,1,1] reads S0.hi, S1.lo, S2.hi and writes
    // the high half, keeping the low half of the old v7 (0x1234).
    const uint32_t v8 = (uint32_t(l) * 0x10001u) ^ 0xf0f0ff00u, v9 = 0xcccc3333u + l,
                   v10 = (uint32_t(l) << 20) ^ 0xaaaa5555u;
    const uint32_t a = v8 >> 16, b = v9 & 0xffff, c = v10 >> 16;
    const uint32_t majority = ((a & b) | (a & c) | (b & c)) & 0xffff;
    EXPECT_EQ(got[6 * 64 + l], majority << 16 | 0x1234u) << "bitop3_b16 lane " << l;
  }
}

}  // namespace
}  // namespace asmk::emu::test

// v_smfmac through the emulator's MFMA entry (kernels/smfmac.s): the index comes from a VGPR,
// abid:1 selects its second 8-bit set, D is the accumulator. The expected D is a dense product
// written here from the layouts of AMD's matrix instruction calculator for
// v_smfmac_f32_16x16x32_f16: lane l holds row (A) / column (B) l % 16 and K 8 * (l / 16) + 0..7;
// A stores 2 values per group of 4 K (dword g holds group g), index bits [2t+1 : 2t] of the set
// give stored value t's position; D register r of lane l is D[4 * (l / 16) + r][l % 16].
#include <random>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

uint16_t half(int v) { return std::bit_cast<uint16_t>(_Float16(float(v))); }

class Smfmac : public ::testing::TestWithParam<std::string> {};

TEST_P(Smfmac, DenseProductOfTheIndexedA) {
  auto co = load_kernel_file("smfmac", GetParam());
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-4, 4);
  int a[16][32] = {}, b[32][16] = {}, c[16][16] = {};
  std::vector<uint32_t> in(11 * 64, 0);
  for (int l = 0; l < 64; l++) {
    const int row = l % 16, k0 = 8 * (l / 16);
    uint32_t index = rng() & 0xffff00ffu;  // garbage outside set 1 (bits 15:8)
    for (int g = 0; g < 2; g++) {
      const int p0 = int(rng() % 3), p1 = p0 + 1 + int(rng() % (3 - p0));  // p0 < p1
      const int pos[2] = {p0, p1};
      for (int s = 0; s < 2; s++) {
        const int v = small(rng), t = 2 * g + s;
        a[row][k0 + 4 * g + pos[s]] = v;
        in[g * 64 + l] |= uint32_t(half(v)) << (16 * s);
        index |= uint32_t(pos[s]) << (8 + 2 * t);
      }
    }
    in[6 * 64 + l] = index;
    for (int t = 0; t < 8; t++) {
      const int v = small(rng);
      b[k0 + t][row] = v;
      in[(2 + t / 2) * 64 + l] |= uint32_t(half(v)) << (16 * (t % 2));
    }
    for (int r = 0; r < 4; r++) {
      const int v = small(rng);
      c[4 * (l / 16) + r][row] = v;
      in[(7 + r) * 64 + l] = std::bit_cast<uint32_t>(float(v));
    }
  }
  Device dev;
  uint64_t din = upload(dev, in), dout = upload(dev, std::vector<uint32_t>(4 * 64, 0));
  Dispatch d;
  d.kernel = *co->find("smfmac");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(din).add(dout).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_TRUE(r.strict.empty()) << describe(r);
  auto out = download<uint32_t>(dev, dout, 4 * 64);
  for (int l = 0; l < 64; l++)
    for (int reg = 0; reg < 4; reg++) {
      const int i = 4 * (l / 16) + reg, j = l % 16;
      int expect = c[i][j];
      for (int k = 0; k < 32; k++) expect += a[i][k] * b[k][j];
      EXPECT_EQ(out[reg * 64 + l], std::bit_cast<uint32_t>(float(expect))) << "D[" << i << "][" << j << "]";
    }
}

TEST_P(Smfmac, StrictModeSeesTheDestinationAsSrcC) {
  auto co = load_kernel_file("smfmac", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  Dispatch d;
  d.kernel = *co->find("smfmac_hazard");
  d.block = {64, 1, 1};
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.faults.empty()) << describe(r);
  ASSERT_EQ(r.strict.size(), 1u) << describe(r);
  EXPECT_NE(r.strict[0].message.find("SrcC reads"), std::string::npos) << describe(r);
  EXPECT_NE(r.strict[0].message.find("srcc_overlap"), std::string::npos) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(Arches, Smfmac, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

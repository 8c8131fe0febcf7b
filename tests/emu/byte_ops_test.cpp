// v_sad_u8 / v_sad_hi_u8 / v_sad_u16 / v_sad_u32 / v_lerp_u8 / v_msad_u8 (kernels/byte_ops.s) against the
// ISA definitions written out per element here, on edge values: 0 vs 0xff bytes, accumulators
// that wrap (or saturate with clamp), lerp's rounding bit taken from bit 0 of each S2 byte,
// msad's mask (bytes whose reference S1 byte is 0 do not count).
#include <array>
#include <cstdlib>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

uint32_t field(uint32_t v, int i, int bits) { return (v >> (i * bits)) & ((1u << bits) - 1); }
uint32_t sad(uint32_t a, uint32_t b, int bits) {
  uint32_t s = 0;
  for (int i = 0; i < 32 / bits; i++) s += uint32_t(std::abs(int64_t(field(a, i, bits)) - int64_t(field(b, i, bits))));
  return s;
}

class ByteOps : public ::testing::TestWithParam<std::string> {};

TEST_P(ByteOps, SadAndLerpFollowTheIsaDefinitions) {
  auto co = load_kernel_file("byte_ops", GetParam());
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  // Hand-picked edge cases first, then a deterministic spread of values.
  std::vector<std::array<uint32_t, 3>> cases = {
      {0x00000000u, 0xffffffffu, 0u},          {0xffffffffu, 0x00000000u, 0xfffffc04u},  // sum wraps
      {0x12345678u, 0x12345678u, 7u},          {0x80007fffu, 0x7fff8000u, 1u},
      {0xff00ff00u, 0x00ff00ffu, 0x01010101u}, {0x01010101u, 0x00000000u, 0x00000000u},   // lerp rounding
      {0x01010101u, 0x00000000u, 0x01010101u}, {0xffffffffu, 0xffffffffu, 0x01010101u},  // lerp 0xff + 0xff + 1
      {0u, 0xffffffffu, 0xffffffffu},                                                     // sad_u32 saturates with clamp
      {0x10ff2030u, 0x00010040u, 100u},                                                   // msad: bytes 1 and 3 masked
  };
  uint32_t x = 0x9e3779b9u;
  auto next = [&x] { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; };
  while (cases.size() < 64) cases.push_back({next(), next(), next()});

  std::vector<uint32_t> in(192);
  for (int l = 0; l < 64; l++)
    for (int k = 0; k < 3; k++) in[k * 64 + l] = cases[l][k];
  Device dev;
  uint64_t din = upload(dev, in);
  uint64_t dout = upload(dev, std::vector<uint32_t>(7 * 64, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("sad_lerp");
  d.grid = {1, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(din).add(dout).bytes();
  LaunchReport r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<uint32_t>(dev, dout, 7 * 64);
  for (int l = 0; l < 64; l++) {
    auto [a, b, c] = cases[l];
    uint32_t lerp = 0;
    for (int i = 0; i < 4; i++) lerp |= ((field(a, i, 8) + field(b, i, 8) + (field(c, i, 8) & 1)) / 2) << (8 * i);
    uint64_t sad32 = uint64_t(a > b ? a - b : b - a) + c;
    EXPECT_EQ(out[0 * 64 + l], sad(a, b, 8) + c) << "v_sad_u8 lane " << l;
    EXPECT_EQ(out[1 * 64 + l], (sad(a, b, 8) << 16) + c) << "v_sad_hi_u8 lane " << l;
    EXPECT_EQ(out[2 * 64 + l], sad(a, b, 16) + c) << "v_sad_u16 lane " << l;
    EXPECT_EQ(out[3 * 64 + l], uint32_t(sad32)) << "v_sad_u32 lane " << l;
    EXPECT_EQ(out[4 * 64 + l], lerp) << "v_lerp_u8 lane " << l;
    EXPECT_EQ(out[5 * 64 + l], sad32 > 0xffffffffu ? 0xffffffffu : uint32_t(sad32)) << "v_sad_u32 clamp lane " << l;
    uint32_t msad = c;
    for (int i = 0; i < 4; i++)
      if (field(b, i, 8)) msad += uint32_t(std::abs(int(field(a, i, 8)) - int(field(b, i, 8))));
    EXPECT_EQ(out[6 * 64 + l], msad) << "v_msad_u8 lane " << l;
  }
  // Spot values straight from the definitions, independent of the helpers above.
  EXPECT_EQ(out[0 * 64 + 0], 4u * 255u);
  EXPECT_EQ(out[0 * 64 + 1], 0u);  // 1020 + 0xfffffc04 wraps to 0
  EXPECT_EQ(out[4 * 64 + 5], 0x00000000u);
  EXPECT_EQ(out[4 * 64 + 6], 0x01010101u);
  EXPECT_EQ(out[4 * 64 + 7], 0xffffffffu);
  EXPECT_EQ(out[5 * 64 + 8], 0xffffffffu);
  EXPECT_EQ(out[3 * 64 + 8], 0xfffffffeu);
  EXPECT_EQ(out[6 * 64 + 0], 4u * 255u);    // no reference byte is 0
  EXPECT_EQ(out[6 * 64 + 1], 0xfffffc04u);  // every reference byte is 0: just S2
  // a bytes (low first) 30 20 ff 10, reference 40 00 01 00: |0x30-0x40| + |0xff-0x01| + 100.
  EXPECT_EQ(out[6 * 64 + 9], 16u + 254u + 100u);
}

INSTANTIATE_TEST_SUITE_P(Archs, ByteOps, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

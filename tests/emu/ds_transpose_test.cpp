// gfx950 ds_read_b64_tr_b4/_b8/_b16 and ds_read_b96_tr_b6 (kernels/ds_transpose.s), against a
// tile formulation: the bytes the 16 lanes of a group read, concatenated in lane order, are the
// rows of a tile of 16 columns (each row 16 elements wide); lane c of the group receives column c,
// row r in its element r. The mapping follows the CDNA4 ISA guide's description (each lane holds
// 4 consecutive M/N values of a column-major A / row-major B tile); see emu/README.md.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

/// Bits [first, first + count) of a little-endian byte string.
uint32_t bits_of(const std::vector<uint8_t>& bytes, size_t first, int count) {
  uint32_t v = 0;
  for (int b = 0; b < count; b++) v |= uint32_t((bytes[(first + b) / 8] >> ((first + b) % 8)) & 1) << b;
  return v;
}

/// Expected result dwords of lane `lane` for a transposing read of `lane_bytes` per lane with
/// `bits`-wide elements, lane l reading LDS at address(l).
std::vector<uint32_t> expected(const std::vector<uint8_t>& lds, int lane, int bits, int lane_bytes,
                               uint32_t (*address)(int)) {
  const int group = lane / 16, column = lane % 16;
  std::vector<uint8_t> concat;  // the group's data in lane order
  for (int l = 16 * group; l < 16 * group + 16; l++)
    concat.insert(concat.end(), lds.begin() + address(l), lds.begin() + address(l) + lane_bytes);
  const int rows = lane_bytes * 8 / bits;
  const size_t row_bits = size_t(16) * bits;
  std::vector<uint8_t> result(lane_bytes, 0);
  for (int r = 0; r < rows; r++) {
    uint32_t v = bits_of(concat, r * row_bits + size_t(column) * bits, bits);
    for (int b = 0; b < bits; b++) result[(r * bits + b) / 8] |= uint8_t(((v >> b) & 1) << ((r * bits + b) % 8));
  }
  std::vector<uint32_t> dwords(lane_bytes / 4);
  std::memcpy(dwords.data(), result.data(), lane_bytes);
  return dwords;
}

TEST(DsTranspose, Gfx950TransposingReadsDeliverColumnsOfTheGroupTile) {
  auto co = load_kernel_file("ds_transpose", "gfx950");
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  std::vector<uint8_t> lds(1024);
  uint32_t x = 0x2545f491u;
  for (auto& b : lds) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    b = uint8_t(x >> 7);
  }
  Device dev;
  uint64_t in = upload(dev, lds);
  uint64_t out = upload(dev, std::vector<uint32_t>(11 * 64, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("ds_transpose");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(in).add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev, out, 11 * 64);
  auto contiguous8 = [](int l) { return uint32_t(l * 8); };
  auto contiguous12 = [](int l) { return uint32_t(l * 12); };
  auto permuted = [](int l) { return uint32_t((l ^ 5) * 8 + 8); };
  struct Read {
    const char* name;
    int bits, lane_bytes, first_k;
    uint32_t (*address)(int);
  };
  const Read reads[] = {{"tr_b16", 16, 8, 0, contiguous8}, {"tr_b8", 8, 8, 2, contiguous8},
                        {"tr_b4", 4, 8, 4, contiguous8},   {"b96_tr_b6", 6, 12, 6, contiguous12},
                        {"tr_b16 permuted", 16, 8, 9, permuted}};
  for (const Read& rd : reads)
    for (int l = 0; l < 64; l++) {
      auto want = expected(lds, l, rd.bits, rd.lane_bytes, rd.address);
      for (size_t i = 0; i < want.size(); i++)
        ASSERT_EQ(got[(rd.first_k + i) * 64 + l], want[i]) << rd.name << " lane " << l << " dword " << i;
    }
  // A spot check by hand: tr_b16, lane 1 of group 0 gets column 1 of the 4 x 16 tile of halves,
  // i.e. half 1 of lane 0 (row 0), half 1 of lane 4 (row 1), of lane 8, and of lane 12.
  auto half = [&](int byte) { return uint32_t(lds[byte]) | uint32_t(lds[byte + 1]) << 8; };
  EXPECT_EQ(got[0 * 64 + 1], half(0 * 8 + 2) | half(4 * 8 + 2) << 16);
  EXPECT_EQ(got[1 * 64 + 1], half(8 * 8 + 2) | half(12 * 8 + 2) << 16);
  // Lane 6 (column 6): element 2 of lanes 1, 5, 9, 13.
  EXPECT_EQ(got[0 * 64 + 6], half(1 * 8 + 4) | half(5 * 8 + 4) << 16);
}

}  // namespace
}  // namespace asmk::emu::test

// Loads to LDS (kernels/lds_dma_forms.s): buffer_load_* ... lds reads its address from vaddr
// (the LDS form has no vdata), every width lands at M0 + instruction offset + lane stride (4
// bytes, 16 for dwordx3/x4; dwordx3 leaves the 4th dword), sub-dword elements are extended to a
// dword, and M0 reaches past 64 KiB on gfx950. Expectations are computed from the source bytes.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

std::vector<uint8_t> source_bytes(size_t n) {
  std::vector<uint8_t> src(n);
  for (size_t i = 0; i < n; i++) src[i] = uint8_t(i * 37 + 11);  // every other byte has bit 7 set
  return src;
}
uint32_t dword_at(const std::vector<uint8_t>& b, size_t i) {
  uint32_t v;
  std::memcpy(&v, b.data() + i, 4);
  return v;
}

/// Runs `kernel` (one wave) with src = source_bytes(1024) and returns out (`out_dwords`).
std::vector<uint32_t> run(const std::string& arch, const std::string& kernel, size_t out_dwords,
                          const std::vector<uint8_t>& src) {
  auto co = load_kernel_file("lds_dma_forms", arch);
  if (!co) return {};
  Device dev;
  uint64_t s = upload(dev, src), o = upload(dev, std::vector<uint32_t>(out_dwords, 0x55555555u));
  Dispatch d;
  auto k = co->find(kernel);
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error());
  if (!k.ok()) return {};
  d.kernel = *k;
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(s).add(o).bytes();
  auto r = launch(dev, d, {.strict = true});
  EXPECT_TRUE(r.ok()) << describe(r);
  return download<uint32_t>(dev, o, out_dwords);
}

/// Regions 0..5 of buffer_lds / global_lds: dword, ubyte (byte 4l+1), sbyte (4l+3), ushort and
/// sshort (4l+2), and region 5 as each kernel's comment says.
void expect_regions(const std::vector<uint32_t>& out, const std::vector<uint8_t>& src, size_t region5_byte,
                    bool region5_per_lane) {
  ASSERT_EQ(out.size(), 6u * 64);
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(out[l], dword_at(src, 4 * l)) << "dword, lane " << l;
    EXPECT_EQ(out[64 + l], src[4 * l + 1]) << "ubyte, lane " << l;
    EXPECT_EQ(out[128 + l], uint32_t(int32_t(int8_t(src[4 * l + 3])))) << "sbyte, lane " << l;
    const uint16_t half = uint16_t(src[4 * l + 2] | src[4 * l + 3] << 8);
    EXPECT_EQ(out[192 + l], half) << "ushort, lane " << l;
    EXPECT_EQ(out[256 + l], uint32_t(int32_t(int16_t(half)))) << "sshort, lane " << l;
    EXPECT_EQ(out[320 + l], dword_at(src, region5_byte + (region5_per_lane ? 4 * l : 0))) << "region 5, lane " << l;
  }
}

class LdsDmaForms : public ::testing::TestWithParam<std::string> {};

TEST_P(LdsDmaForms, BufferLoadsToLdsReadVaddrAndExtendSubDwords) {
  const auto src = source_bytes(1024);
  // Region 5: `off` form, soffset 4 + offset 8: every lane loads bytes 12..15.
  expect_regions(run(GetParam(), "buffer_lds", 6 * 64, src), src, 12, false);
}

TEST_P(LdsDmaForms, GlobalLoadLdsEveryWidth) {
  const auto src = source_bytes(1024);
  // Region 5: M0 0x3f0 + offset 0x110 (the offset moves the memory address too): dword 68 + l.
  expect_regions(run(GetParam(), "global_lds", 6 * 64, src), src, 0x110, true);
}

TEST(LdsDmaFormsGfx950, WideLoadsUse16ByteLanesAboveSixtyFourKiB) {
  const auto src = source_bytes(1024);
  const auto out = run("gfx950", "wide_lds", 1024, src);
  ASSERT_EQ(out.size(), 1024u);
  for (int region = 0; region < 4; region++) {
    const bool x3 = region % 2 == 1;
    for (int l = 0; l < 64; l++)
      for (int i = 0; i < 4; i++) {
        const uint32_t want = x3 ? (i < 3 ? dword_at(src, 16 * l + 4 + 4 * i) : 0xdeadbeefu) : dword_at(src, 16 * l + 4 * i);
        ASSERT_EQ(out[256 * region + 4 * l + i], want) << "region " << region << " lane " << l << " dword " << i;
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, LdsDmaForms, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

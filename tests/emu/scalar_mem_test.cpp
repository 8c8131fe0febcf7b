// Scalar atomics (s_atomic_*, s_buffer_atomic_*, with and without glc) and scalar stores
// (s_store_dword, s_buffer_store_dwordx2) on kernels/scalar_mem.s; expectations from the ISA
// definitions of each operation, worked out in the kernel's comments.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class ScalarMem : public ::testing::TestWithParam<std::string> {};

TEST_P(ScalarMem, AtomicsReturnOldValuesWithGlcAndBufferFormsRespectNumRecords) {
  auto co = load_kernel_file("scalar_mem", GetParam());
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  std::vector<uint32_t> buf(80);
  for (uint32_t i = 0; i < buf.size(); i++) buf[i] = 100 * i;
  buf[8] = 0;
  Device dev;
  uint64_t dbuf = upload(dev, buf);
  uint64_t out = upload(dev, std::vector<uint32_t>(11, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("scalar_mem");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(dbuf).add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto mem = download<uint32_t>(dev, dbuf, 80);
  auto ret = download<uint32_t>(dev, out, 11);
  EXPECT_EQ(mem[0], 5u);    EXPECT_EQ(ret[0], 0u);     // add with glc returns the old value
  EXPECT_EQ(mem[1], 107u);  EXPECT_EQ(ret[1], 7u);     // without glc the data SGPR is kept
  EXPECT_EQ(mem[2], 42u);   EXPECT_EQ(ret[2], 200u);   // cmpswap, compare matches
  EXPECT_EQ(mem[3], 300u);  EXPECT_EQ(ret[3], 300u);   // cmpswap, compare differs
  const uint64_t wide = (uint64_t(500) << 32 | 400) + 0xffffffffull;  // add_x2 carries into the high dword
  EXPECT_EQ(mem[4], uint32_t(wide));
  EXPECT_EQ(mem[5], uint32_t(wide >> 32));
  EXPECT_EQ(ret[4], 400u);  EXPECT_EQ(ret[5], 500u);
  EXPECT_EQ(mem[6], 1000u); EXPECT_EQ(ret[6], 600u);   // umax with an SGPR offset
  EXPECT_EQ(mem[7], 0u);    EXPECT_EQ(ret[7], 700u);   // inc: old >= source wraps to 0
  EXPECT_EQ(mem[8], 9u);    EXPECT_EQ(ret[8], 0u);     // dec: old == 0 becomes the source
  EXPECT_EQ(mem[16], 1597u); EXPECT_EQ(ret[9], 1600u); // buffer sub
  EXPECT_EQ(mem[20], 2000u); EXPECT_EQ(ret[10], 0u);   // buffer add past num_records: dropped, returns 0
  EXPECT_EQ(mem[19], 0xaaaau);                          // buffer store: the dword in range
  EXPECT_EQ(mem[64], 0x1234u);                          // s_store_dword
  EXPECT_EQ(r.stats.scalar_bytes_written, 4u * 8 + 8 + 4 + 4);  // 8 dword atomics in range, add_x2, 2 stored dwords
}

INSTANTIATE_TEST_SUITE_P(Archs, ScalarMem, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

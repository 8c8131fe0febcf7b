// MUBUF scratch through the private segment buffer resource (kernels/scratch_buffer.s, whose
// descriptors ask for s[0:3] and the scratch wave offset): loads, stores (off/offen/soffset) and
// a returning atomic reach the lane's private segment; beyond it is a fault.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class ScratchBuffer : public ::testing::TestWithParam<std::string> {};

TEST_P(ScratchBuffer, BufferAccessesThroughThePrivateSegmentResourceAreLanePrivate) {
  auto co = load_kernel_file("scratch_buffer", GetParam());
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty());
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(5 * 64, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("scratch_buffer");
  d.block = {64, 1, 1};
  d.grid = {2, 1, 1};  // two workgroups: each wave has its own scratch
  d.kernargs = Kernargs().add(out).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev, out, 5 * 64);
  for (uint32_t l = 0; l < 64; l++) {
    EXPECT_EQ(got[0 * 64 + l], 1000 + l) << l;  // private[4]
    EXPECT_EQ(got[1 * 64 + l], 2000 + l) << l;  // private[12] (offen 8 + offset 4)
    EXPECT_EQ(got[2 * 64 + l], 2000 + l) << l;  // the same through soffset 8
    EXPECT_EQ(got[3 * 64 + l], 1000 + l) << l;  // atomic add's old value
    EXPECT_EQ(got[4 * 64 + l], 1005 + l) << l;  // and the new one
  }
}

TEST_P(ScratchBuffer, AccessBeyondThePrivateSegmentFaults) {
  auto co = load_kernel_file("scratch_buffer", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  Dispatch d;
  d.kernel = *co->find("scratch_buffer_oob");
  d.block = {64, 1, 1};
  auto r = launch(dev, d);
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  ASSERT_FALSE(r.faults.empty());
  EXPECT_EQ(r.faults[0].kind, FaultKind::unmapped_address);
  EXPECT_EQ(r.faults[0].address, 64u);  // the offset in the lane's segment
  EXPECT_NE(r.faults[0].message.find("private segment of 64 bytes"), std::string::npos) << r.faults[0].message;
}

INSTANTIATE_TEST_SUITE_P(Archs, ScratchBuffer, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

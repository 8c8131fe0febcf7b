// Kernel-argument preloading (kernels/kernarg_preload.s): a descriptor with a non-zero
// KERNARG_PRELOAD_SPEC_LENGTH starts 256 bytes past the kernel entry (LLVM AMDGPUUsage,
// "Preloaded Kernel Arguments"), skipping the s_trap 2 header, with the arguments in the user
// SGPRs after the kernarg segment pointer.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class KernargPreload : public ::testing::TestWithParam<std::string> {};

TEST_P(KernargPreload, StartsPastThe256ByteHeaderWithArgumentsInSgprs) {
  auto co = load_kernel_file("kernarg_preload", GetParam());
  ASSERT_TRUE(co);
  const Kernel& k = **co->find("kernarg_preload");
  EXPECT_EQ(k.descriptor.kernarg_preload_length, 3u);
  EXPECT_EQ(k.descriptor.kernarg_preload_offset, 0u);
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(64, 0));
  Dispatch d;
  d.kernel = &k;
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).add(uint32_t(5000)).bytes();
  auto r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);  // started at the entry, s_trap 2 would fault
  auto got = download<uint32_t>(dev, out, 64);
  for (uint32_t lane = 0; lane < 64; lane++) EXPECT_EQ(got[lane], 5000 + lane) << lane;
}

INSTANTIATE_TEST_SUITE_P(Archs, KernargPreload, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

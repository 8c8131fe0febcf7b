// Running hand-written assembly kernels: results computed on the host from the ISA's definitions,
// faults, strict-mode reports, statistics.
#include <cmath>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class ScaleAdd : public ::testing::TestWithParam<std::string> {};

TEST_P(ScaleAdd, ComputesWithTailMasking) {
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  Device d;
  const uint32_t n = 1000;  // not a multiple of 256: the last workgroup is partial
  std::vector<float> x(n);
  for (uint32_t i = 0; i < n; i++) x[i] = float(i) * 0.25f - 17.0f;
  uint64_t in = upload(d, x);
  uint64_t out = upload(d, std::vector<float>(1024, -1.0f));
  Dispatch disp;
  disp.kernel = *co->find("scale_add");
  disp.grid = {4, 1, 1};
  disp.block = {256, 1, 1};
  disp.kernargs = Kernargs().add(in).add(out).add(1.5f).add(-2.0f).add(n).bytes();
  LaunchOptions opt;
  opt.strict = true;
  auto rep = launch(d, disp, opt);
  ASSERT_TRUE(rep.ok()) << describe(rep);
  auto y = download<float>(d, out, 1024);
  for (uint32_t i = 0; i < n; i++) ASSERT_EQ(y[i], std::fma(x[i], 1.5f, -2.0f)) << i;
  for (uint32_t i = n; i < 1024; i++) ASSERT_EQ(y[i], -1.0f) << i;  // masked lanes untouched
  EXPECT_EQ(rep.stats.workgroups, 4u);
  EXPECT_EQ(rep.stats.waves, 16u);
  EXPECT_EQ(rep.stats.by_mnemonic.at("global_store_dword"), 16u);
  EXPECT_EQ(rep.stats.global_bytes_written, 4u * n);
  EXPECT_GT(rep.stats.by_class.at("salu"), 0u);
}

TEST_P(ScaleAdd, SameResultForAnyThreadCount) {
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  std::vector<std::vector<float>> results;
  for (unsigned threads : {1u, 2u, 3u}) {
    Device d;
    std::vector<float> x(4096);
    for (size_t i = 0; i < x.size(); i++) x[i] = std::sin(float(i));
    uint64_t in = upload(d, x), out = upload(d, std::vector<float>(4096, 0.0f));
    Dispatch disp;
    disp.kernel = *co->find("scale_add");
    disp.grid = {16, 1, 1};
    disp.block = {256, 1, 1};
    disp.kernargs = Kernargs().add(in).add(out).add(3.0f).add(0.5f).add(uint32_t(4096)).bytes();
    LaunchOptions opt;
    opt.threads = threads;
    ASSERT_TRUE(launch(d, disp, opt).ok());
    results.push_back(download<float>(d, out, 4096));
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
}

TEST_P(ScaleAdd, OutOfBoundsStoreIsAFaultReport) {
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  Device d;
  uint64_t in = upload(d, std::vector<float>(256, 1.0f));
  uint64_t out = upload(d, std::vector<float>(100, 0.0f));  // too small for n = 256
  Dispatch disp;
  disp.kernel = *co->find("scale_add");
  disp.grid = {1, 1, 1};
  disp.block = {256, 1, 1};
  disp.kernargs = Kernargs().add(in).add(out).add(1.0f).add(0.0f).add(uint32_t(256)).bytes();
  auto rep = launch(d, disp);
  ASSERT_EQ(rep.status, LaunchStatus::faulted);
  ASSERT_FALSE(rep.faults.empty());
  const Report& f = rep.faults[0];
  EXPECT_EQ(f.kind, FaultKind::unmapped_address);
  EXPECT_EQ(f.kernel, "scale_add");
  EXPECT_EQ(f.wave, 1u);  // element 100 is lane 36 of wave 1
  EXPECT_EQ(f.lane, 36);
  EXPECT_EQ(f.address, out + 400);
  EXPECT_EQ(f.instruction, "global_store_dword v2, v3, s[6:7]");
  EXPECT_EQ(f.pc, 0x54u);
}

TEST_P(ScaleAdd, F32DenormalsFollowTheDescriptorMode) {
  // scale_add.s leaves .amdhsa_float_denorm_mode_32 at its default, 0: inputs and results flushed.
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  Device d;
  std::vector<float> x = {1e-40f, -1e-40f, 1e-30f, 2.0f};
  uint64_t in = upload(d, x), out = upload(d, std::vector<float>(4, 7.0f));
  Dispatch disp;
  disp.kernel = *co->find("scale_add");
  disp.block = {64, 1, 1};
  // y = x * 1e-10 + 0: a denormal input flushes to 0; 1e-30 * 1e-10 = 1e-40 is a denormal result.
  disp.kernargs = Kernargs().add(in).add(out).add(1e-10f).add(0.0f).add(uint32_t(4)).bytes();
  ASSERT_TRUE(launch(d, disp).ok());
  auto y = download<float>(d, out, 4);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 2e-10f);
}

INSTANTIATE_TEST_SUITE_P(Archs, ScaleAdd, ::testing::Values("gfx942", "gfx950"));

TEST(Launch, InvalidDispatchesAreRejected) {
  Device d;
  Dispatch disp;
  auto rep = launch(d, disp);
  EXPECT_EQ(rep.status, LaunchStatus::invalid);
  auto co = load_kernel_file("scale_add", "gfx942");
  ASSERT_TRUE(co);
  disp.kernel = *co->find("scale_add");
  disp.block = {2048, 1, 1};
  EXPECT_EQ(launch(d, disp).status, LaunchStatus::invalid);
}

}  // namespace
}  // namespace asmk::emu::test

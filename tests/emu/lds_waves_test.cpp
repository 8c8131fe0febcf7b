// Wave interleaving, asynchronous LDS DMA and the strict-mode LDS race report
// (kernels/lds_waves.s). Each kernel's comment says what its waves do; PCs are looked up in the
// kernel's listing by instruction text.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

struct Outcome {
  LaunchReport report;
  std::vector<uint32_t> out;
};

class LdsWaves : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co = load_kernel_file("lds_waves", GetParam());
    ASSERT_TRUE(co);
    for (uint32_t i = 0; i < 256; i++) src.push_back(1000 + i);
  }
  Outcome run(const std::string& kernel, uint32_t waves, LaunchOptions options) {
    Device dev;
    const uint64_t s = upload(dev, src), o = upload(dev, std::vector<uint32_t>(256, 0));
    Dispatch d;
    d.kernel = *co->find(kernel);
    d.block = {64 * waves, 1, 1};
    d.kernargs = Kernargs().add(s).add(o).bytes();
    Outcome r{launch(dev, d, options), {}};
    r.out = download<uint32_t>(dev, o, 256);
    return r;
  }
  /// Byte offset of the `nth` instruction of `kernel` whose text starts with `text`.
  int64_t pc_of(const std::string& kernel, const std::string& text, int nth = 0) {
    auto listing = co->listing(kernel);
    EXPECT_TRUE(listing.ok());
    if (!listing.ok()) return -1;
    for (const ListingLine& line : *listing)
      if (line.text.rfind(text, 0) == 0 && nth-- == 0) return int64_t(line.pc);
    ADD_FAILURE() << "no " << text << " in " << kernel;
    return -1;
  }
  std::shared_ptr<const CodeObject> co;
  std::vector<uint32_t> src;
};

TEST_P(LdsWaves, DmaLandsOnlyWhenVmcntCoversIt) {
  Outcome r = run("dma_timing", 1, {});
  ASSERT_TRUE(r.report.ok()) << describe(r.report);
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(r.out[l], 7u) << "read before any s_waitcnt vmcnt, lane " << l;
    EXPECT_EQ(r.out[64 + l], src[l]) << "first DMA after vmcnt(1), lane " << l;
    EXPECT_EQ(r.out[128 + l], 7u) << "second DMA after vmcnt(1), lane " << l;
    EXPECT_EQ(r.out[192 + l], src[64 + l]) << "second DMA after vmcnt(0), lane " << l;
  }
}

TEST_P(LdsWaves, StrictReportsReadsOfTheWavesOwnDmaBeforeItsWait) {
  Outcome r = run("dma_timing", 1, {.strict = true});
  ASSERT_EQ(r.report.strict.size(), 2u) << describe(r.report);
  for (const Report& f : r.report.strict) EXPECT_EQ(f.kind, FaultKind::missing_waitcnt) << f.to_string();
  EXPECT_EQ(r.report.strict[0].pc, pc_of("dma_timing", "ds_read_b32", 0));
  EXPECT_EQ(r.report.strict[0].other_pc, pc_of("dma_timing", "global_load_lds_dword", 0));
  EXPECT_EQ(r.report.strict[1].pc, pc_of("dma_timing", "ds_read_b32", 2));
  EXPECT_EQ(r.report.strict[1].other_pc, pc_of("dma_timing", "global_load_lds_dword", 1));
}

TEST_P(LdsWaves, PingPongWithoutWaitReadsOldDataAndReportsTheRace) {
  Outcome r = run("pingpong_race", 2, {.strict = true});
  EXPECT_EQ(r.report.status, LaunchStatus::ok) << describe(r.report);
  for (int l = 0; l < 64; l++) EXPECT_EQ(r.out[l], 7u) << "wave 1 must see the old contents, lane " << l;
  ASSERT_EQ(r.report.strict.size(), 1u) << describe(r.report);
  const Report& f = r.report.strict[0];
  EXPECT_EQ(f.kind, FaultKind::lds_race) << f.to_string();
  EXPECT_EQ(f.wave, 1u);
  EXPECT_EQ(f.pc, pc_of("pingpong_race", "ds_read_b32"));
  EXPECT_EQ(f.other_wave, 0);
  EXPECT_EQ(f.other_pc, pc_of("pingpong_race", "global_load_lds_dword"));
  EXPECT_NE(f.message.find("not yet landed"), std::string::npos) << f.message;
}

TEST_P(LdsWaves, PingPongWithWaitAndBarrierReadsNewDataWithoutReports) {
  Outcome r = run("pingpong_synced", 2, {.strict = true});
  EXPECT_TRUE(r.report.ok()) << describe(r.report);
  for (int l = 0; l < 64; l++) EXPECT_EQ(r.out[l], src[l]) << "lane " << l;
}

TEST_P(LdsWaves, DsWriteAndReadOfTwoWavesWithoutBarrierIsARace) {
  Outcome r = run("ds_race", 2, {.strict = true});
  ASSERT_EQ(r.report.strict.size(), 1u) << describe(r.report);
  const Report& f = r.report.strict[0];
  EXPECT_EQ(f.kind, FaultKind::lds_race);
  // Wave 0 runs first (turns go in wave order), so wave 1's read finds wave 0's write.
  EXPECT_EQ(f.wave, 1u);
  EXPECT_EQ(f.pc, pc_of("ds_race", "ds_read_b32"));
  EXPECT_EQ(f.other_wave, 0);
  EXPECT_EQ(f.other_pc, pc_of("ds_race", "ds_write_b32"));
  EXPECT_EQ(f.address, 0u);
  EXPECT_NE(f.to_string().find("pc 0x"), std::string::npos);
}

TEST_P(LdsWaves, BarrierOrdersDsWriteAndRead) {
  Outcome r = run("ds_synced", 2, {.strict = true});
  EXPECT_TRUE(r.report.ok()) << describe(r.report);
}

TEST_P(LdsWaves, WavesInterleaveWithinABarrierInterval) {
  LaunchOptions options;
  options.max_wave_instructions = 100000;
  Outcome r = run("spin_flag", 2, options);
  ASSERT_TRUE(r.report.ok()) << describe(r.report);
  EXPECT_EQ(r.out[0], 42u);
  // One wave at a time (the old policy, still available): wave 0 spins until the runaway limit.
  options.wave_quantum = 0;
  Outcome old = run("spin_flag", 2, options);
  ASSERT_EQ(old.report.status, LaunchStatus::faulted);
  EXPECT_EQ(old.report.faults[0].kind, FaultKind::runaway);
}

TEST_P(LdsWaves, ResultsDoNotDependOnHostThreads) {
  std::vector<uint32_t> first;
  for (unsigned threads : {1u, 2u, 3u}) {
    Device dev;
    const uint64_t s = upload(dev, src), o = upload(dev, std::vector<uint32_t>(256, 0));
    Dispatch d;
    d.kernel = *co->find("pingpong_race");
    d.grid = {4, 1, 1};
    d.block = {128, 1, 1};
    d.kernargs = Kernargs().add(s).add(o).bytes();
    LaunchOptions options;
    options.threads = threads;
    options.strict = true;
    auto r = launch(dev, d, options);
    EXPECT_EQ(r.strict_count, 4u) << "one race per workgroup, " << threads << " threads";
    auto out = download<uint32_t>(dev, o, 256);
    if (first.empty()) first = out;
    EXPECT_EQ(out, first) << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, LdsWaves, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test

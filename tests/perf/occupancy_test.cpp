// Occupancy against figures derived by hand from the register and LDS granules (CDNA3 ISA guide,
// AMDGPUUsage): 512 unified registers per lane in granules of 8, 800 SGPRs per SIMD in granules of
// 16, at most 8 waves per SIMD, 64 KiB (gfx942) / 160 KiB (gfx950) of LDS in 512-byte granules,
// 16 barriers per CU for multi-wave workgroups.
#include <gtest/gtest.h>

#include "asmk/perf/machine.hpp"
#include "asmk/perf/occupancy.hpp"

namespace asmk::perf {
namespace {

Machine machine(const char* name) {
  auto m = find_machine(ASMK_MACHINES_DIR, name);
  EXPECT_TRUE(m.ok()) << m.error();
  return *m;
}

Footprint footprint(uint32_t vgpr, uint32_t agpr, uint32_t accum_offset, uint32_t sgpr, uint32_t lds, uint32_t items) {
  return {vgpr, agpr, accum_offset, sgpr, lds, items};
}

TEST(Occupancy, VgprTableOfTheIsaGuide) {
  const Machine m = machine("MI300X");
  // 512 / registers per lane: 512 -> 1, 256 -> 2, 128 -> 4, <= 64 -> 8.
  EXPECT_EQ(occupancy(m, footprint(256, 256, 256, 32, 0, 256)).waves_per_simd, 1u);
  EXPECT_EQ(occupancy(m, footprint(256, 0, 256, 32, 0, 256)).waves_per_simd, 2u);
  EXPECT_EQ(occupancy(m, footprint(128, 0, 128, 32, 0, 256)).waves_per_simd, 4u);
  EXPECT_EQ(occupancy(m, footprint(64, 0, 64, 32, 0, 256)).waves_per_simd, 8u);
  EXPECT_EQ(occupancy(m, footprint(24, 0, 24, 32, 0, 256)).waves_per_simd, 8u);
}

TEST(Occupancy, GranuleRoundsUp) {
  const Machine m = machine("MI300X");
  // 130 VGPRs -> 136 allocated -> floor(512 / 136) = 3 waves.
  const Occupancy o = occupancy(m, footprint(130, 0, 132, 60, 0, 256));
  EXPECT_EQ(o.unified_vgprs, 136u);
  EXPECT_EQ(o.waves_per_simd_by_vgpr, 3u);
  // 65 VGPRs -> 72 -> floor(512 / 72) = 7.
  EXPECT_EQ(occupancy(m, footprint(65, 0, 68, 32, 0, 64)).waves_per_simd, 7u);
}

TEST(Occupancy, AccVgprsStartAtAccumOffset) {
  const Machine m = machine("MI300X");
  // 70 arch VGPRs, AccVGPRs from 72: 72 + 64 = 136 -> 3 waves.
  const Occupancy o = occupancy(m, footprint(70, 64, 72, 32, 0, 256));
  EXPECT_EQ(o.unified_vgprs, 136u);
  EXPECT_EQ(o.waves_per_simd, 3u);
}

TEST(Occupancy, SgprLimit) {
  const Machine m = machine("MI300X");
  // 102 SGPRs -> 112 allocated -> floor(800 / 112) = 7 waves; 96 -> 8 (the maximum).
  const Occupancy o = occupancy(m, footprint(32, 0, 32, 102, 0, 64));
  EXPECT_EQ(o.waves_per_simd_by_sgpr, 7u);
  EXPECT_EQ(o.waves_per_simd, 7u);
  EXPECT_EQ(o.limiter, "sgpr");
  EXPECT_EQ(occupancy(m, footprint(32, 0, 32, 96, 0, 64)).waves_per_simd, 8u);
}

TEST(Occupancy, LdsLimitsWorkgroups) {
  // 130 VGPRs (3 waves per SIMD: 3 four-wave workgroups by waves) with 32 KiB of LDS: 64 KiB / 32 KiB = 2.
  const Occupancy o = occupancy(machine("MI300X"), footprint(130, 0, 132, 60, 32768, 256));
  EXPECT_EQ(o.waves_per_workgroup, 4u);
  EXPECT_EQ(o.workgroups_by_waves, 3u);
  EXPECT_EQ(o.workgroups_by_lds, 2u);
  EXPECT_EQ(o.workgroups_per_cu, 2u);
  EXPECT_EQ(o.limiter, "lds");
  // The same kernel on gfx950 (160 KiB): 5 by LDS, so the 3 by registers bound it.
  const Occupancy o950 = occupancy(machine("MI355X"), footprint(130, 0, 132, 60, 32768, 256));
  EXPECT_EQ(o950.workgroups_by_lds, 5u);
  EXPECT_EQ(o950.workgroups_per_cu, 3u);
}

TEST(Occupancy, LdsGranule) {
  // 100 bytes of LDS allocate one 512-byte granule; 40000 bytes allocate 79 granules = 40448 bytes.
  const Machine m = machine("MI300X");
  EXPECT_EQ(occupancy(m, footprint(32, 0, 32, 32, 100, 256)).lds_allocated, 512u);
  const Occupancy o = occupancy(m, footprint(32, 0, 32, 32, 40000, 256));
  EXPECT_EQ(o.lds_allocated, 40448u);
  EXPECT_EQ(o.workgroups_per_cu, 1u);  // 65536 / 40448 = 1
}

TEST(Occupancy, BarriersAndSingleWaveWorkgroups) {
  const Machine m = machine("MI300X");
  // 2-wave workgroups at 8 waves per SIMD: 8 * 4 / 2 = 16 by waves, 16 barriers -> 16.
  EXPECT_EQ(occupancy(m, footprint(32, 0, 32, 32, 0, 128)).workgroups_per_cu, 16u);
  // Single-wave workgroups use no barrier: 8 * 4 = 32.
  const Occupancy single = occupancy(m, footprint(32, 0, 32, 32, 0, 64));
  EXPECT_EQ(single.workgroups_per_cu, 32u);
}

TEST(Occupancy, DoesNotFit) {
  // 80 KiB of LDS does not fit gfx942's 64 KiB.
  EXPECT_EQ(occupancy(machine("MI300X"), footprint(32, 0, 32, 32, 81920, 256)).workgroups_per_cu, 0u);
}

}  // namespace
}  // namespace asmk::perf

// Machine files: every committed model loads, carries a source for every figure, and agrees with
// the published table of /work/shared/facts/cdna.md; malformed files give errors naming the figure.
#include <gtest/gtest.h>

#include "asmk/perf/machine.hpp"

namespace asmk::perf {
namespace {

TEST(Machine, EveryModelLoadsWithSources) {
  const auto names = machine_names(ASMK_MACHINES_DIR);
  EXPECT_EQ(names, (std::vector<std::string>{"MI300X", "MI308X", "MI325X", "MI350X", "MI355X"}));
  for (const auto& name : names) {
    auto m = find_machine(ASMK_MACHINES_DIR, name);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->name, name);
    EXPECT_TRUE(m->sources.contains("compute_units"));
    EXPECT_TRUE(m->sources.contains("hbm_tbps"));
    EXPECT_FALSE(m->mfma_cycles.empty());
  }
}

TEST(Machine, PublishedFigures) {
  // cdna.md: MI300X 304 CUs, 2100 MHz, 1307.4 TF bf16, 5.3 TB/s; MI355X 256 CUs, 2400 MHz, 8.0 TB/s.
  auto mi300x = find_machine(ASMK_MACHINES_DIR, "mi300x");  // case-insensitive
  ASSERT_TRUE(mi300x.ok()) << mi300x.error();
  EXPECT_EQ(mi300x->arch, "gfx942");
  EXPECT_EQ(mi300x->compute_units, 304u);
  EXPECT_DOUBLE_EQ(mi300x->clock_ghz, 2.1);
  EXPECT_DOUBLE_EQ(mi300x->hbm_tbps, 5.3);
  // The peak is consistent with the MFMA cost: 16384 FLOP per v_mfma_f32_32x32x8_bf16 in 32 cycles
  // per SIMD, 4 SIMDs, 304 CUs, 2.1 GHz = 1307.4 TFLOP/s.
  const double peak = 16384.0 / mi300x->mfma_cycles.at("v_mfma_f32_32x32x8_bf16") * 4 * 304 * 2.1e9 / 1e12;
  EXPECT_NEAR(peak, mi300x->peak_tflops_bf16, 0.1);

  auto mi355x = find_machine(ASMK_MACHINES_DIR, "MI355X");
  ASSERT_TRUE(mi355x.ok()) << mi355x.error();
  EXPECT_EQ(mi355x->arch, "gfx950");
  EXPECT_EQ(mi355x->compute_units, 256u);
  EXPECT_EQ(mi355x->lds_bytes_per_cu, 160u * 1024);
  // 32768 FLOP per v_mfma_f32_32x32x16_bf16 in 32 cycles: 1024 per SIMD per clock -> 2516.6 TF.
  const double peak950 = 32768.0 / mi355x->mfma_cycles.at("v_mfma_f32_32x32x16_bf16") * 4 * 256 * 2.4e9 / 1e12;
  EXPECT_NEAR(peak950, mi355x->peak_tflops_bf16, 0.1);
}

TEST(Machine, Errors) {
  auto missing = find_machine(ASMK_MACHINES_DIR, "MI999");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("MI300X"), std::string::npos) << missing.error();  // lists what exists
  auto no_source = parse_machine(R"({"name":"X","arch":"gfx942","figures":{"compute_units":{"value":4}}})", "x.json");
  ASSERT_FALSE(no_source.ok());
  EXPECT_NE(no_source.error().find("compute_units"), std::string::npos) << no_source.error();
  auto not_json = parse_machine("{", "y.json");
  EXPECT_FALSE(not_json.ok());
}

}  // namespace
}  // namespace asmk::perf

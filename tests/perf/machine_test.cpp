// Machine files: every committed model loads, carries a source for every figure, and agrees with
// the published table of /work/shared/facts/cdna.md; malformed files give errors naming the figure.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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

// The MI300X file with `figure` as its sustained clock (replacing the file's own, if any).
std::string mi300x_with(const std::string& figure) {
  std::ifstream in(std::string(ASMK_MACHINES_DIR) + "/MI300X.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string json = text.str();
  if (const auto own = json.find("\"sustained_clock_ghz\""); own != std::string::npos)
    json.erase(own, json.find("},", own) + 2 - own);
  const auto at = json.find("\"figures\": {");
  EXPECT_NE(at, std::string::npos);
  return json.insert(at + 12, figure + ",");
}

TEST(Machine, SustainedClockCountsCycles) {
  // Cycles become time at the sustained clock when the file gives one: 3000 cycles at 1.5 GHz = 2 us.
  auto sustained = parse_machine(mi300x_with(R"("sustained_clock_ghz": {"value": 1.5, "source": "test"})"), "s.json");
  ASSERT_TRUE(sustained.ok()) << sustained.error();
  EXPECT_DOUBLE_EQ(sustained->cycles_to_us(3000), 2.0);
  EXPECT_DOUBLE_EQ(sustained->clock_ghz, 2.1);  // the peak clock (and the published peaks) unchanged
  // Without it, the peak clock: 4200 cycles at 2.1 GHz = 2 us.
  auto peak = parse_machine(mi300x_with(R"("sustained_clock_ghz": {"value": 0, "source": "test"})"), "p.json");
  ASSERT_TRUE(peak.ok()) << peak.error();
  EXPECT_DOUBLE_EQ(peak->cycles_to_us(4200), 2.0);
  // Above the peak clock: an error naming the figure.
  auto above = parse_machine(mi300x_with(R"("sustained_clock_ghz": {"value": 2.5, "source": "test"})"), "a.json");
  ASSERT_FALSE(above.ok());
  EXPECT_NE(above.error().find("sustained_clock_ghz"), std::string::npos) << above.error();
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

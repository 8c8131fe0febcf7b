// gfx950 f8f6f4 instructions: every A/B format combination (cbsz/blgp), the fp8/fp6/fp4 operand
// packing probed element by element, and the block-scaled forms with non-trivial e8m0 scales.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mfma_compare.hpp"

namespace mfma_test {
namespace {

constexpr DataType kFormats[] = {DataType::fp8, DataType::bf8, DataType::fp6, DataType::bf6, DataType::fp4};

TEST(MfmaF8F6F4, EveryFormatCombination) {
  for (const char* name : {"v_mfma_f32_32x32x64_f8f6f4", "v_mfma_f32_16x16x128_f8f6f4"}) {
    const MfmaOp& op = get(name, Arch::gfx950);
    for (std::uint32_t cbsz = 0; cbsz < 5; ++cbsz)
      for (std::uint32_t blgp = 0; blgp < 5; ++blgp) {
        Problem p = make_problem(op, kFormats[cbsz], kFormats[blgp], 500 + cbsz * 5 + blgp);
        p.mods.cbsz = cbsz;
        p.mods.blgp = blgp;
        EXPECT_EQ(p.a.count, asmk::mfma::a_registers(op, cbsz));
        EXPECT_EQ(p.b.count, asmk::mfma::b_registers(op, blgp));
        EXPECT_TRUE(run_and_compare(p)) << name << " cbsz " << cbsz << " blgp " << blgp;
      }
  }
}

TEST(MfmaF8F6F4, OperandRegisterCounts) {
  const MfmaOp& op = get("v_mfma_f32_16x16x128_f8f6f4", Arch::gfx950);
  EXPECT_EQ(asmk::mfma::a_registers(op, 0), 8);  // fp8
  EXPECT_EQ(asmk::mfma::a_registers(op, 1), 8);  // bf8
  EXPECT_EQ(asmk::mfma::a_registers(op, 2), 6);  // fp6
  EXPECT_EQ(asmk::mfma::a_registers(op, 3), 6);  // bf6
  EXPECT_EQ(asmk::mfma::b_registers(op, 4), 4);  // fp4
}

Scales random_scales(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Scales s;
  s.enabled = true;
  s.a_byte = static_cast<std::uint32_t>(rng() % 4);
  s.b_byte = static_cast<std::uint32_t>(rng() % 4);
  for (int lane = 0; lane < kLanes; ++lane) {
    // Random garbage everywhere, then a scale 2^-10 .. 2^10 in the selected byte.
    std::uint32_t wa = static_cast<std::uint32_t>(rng()), wb = static_cast<std::uint32_t>(rng());
    wa = (wa & ~(0xffu << (8 * s.a_byte))) | ((117u + rng() % 21) << (8 * s.a_byte));
    wb = (wb & ~(0xffu << (8 * s.b_byte))) | ((117u + rng() % 21) << (8 * s.b_byte));
    s.a_words.push_back(wa);
    s.b_words.push_back(wb);
  }
  return s;
}

TEST(MfmaScale, NonTrivialScalesEveryFormatCombination) {
  for (const char* name : {"v_mfma_scale_f32_32x32x64_f8f6f4", "v_mfma_scale_f32_16x16x128_f8f6f4"}) {
    const MfmaOp& op = get(name, Arch::gfx950);
    for (std::uint32_t cbsz = 0; cbsz < 5; ++cbsz)
      for (std::uint32_t blgp = 0; blgp < 5; ++blgp) {
        Problem p = make_problem(op, kFormats[cbsz], kFormats[blgp], 600 + cbsz * 5 + blgp);
        p.mods.cbsz = cbsz;
        p.mods.blgp = blgp;
        RunOptions options;
        options.scales = random_scales(700 + cbsz * 5 + blgp);
        EXPECT_TRUE(run_and_compare(p, options)) << name << " cbsz " << cbsz << " blgp " << blgp
                                                 << " bytes " << options.scales.a_byte << "," << options.scales.b_byte;
      }
  }
}

TEST(MfmaScale, NanScaleMakesItsRowNan) {
  const MfmaOp& op = get("v_mfma_scale_f32_16x16x128_f8f6f4", Arch::gfx950);
  Problem p = make_problem(op, DataType::fp4, DataType::fp4, 42);
  p.mods.cbsz = p.mods.blgp = 4;
  RunOptions options;
  options.scales = random_scales(43);
  const int lane = 5 + 16 * 2;  // row 5, K block 2
  options.scales.a_words[lane] |= 0xffu << (8 * options.scales.a_byte);
  EXPECT_TRUE(run_and_compare(p, options));
  // And directly: every D[5][j] is NaN, D[4][j] is not.
  Regs d(op.cd_regs);
  const auto result = asmk::mfma::execute(op, operands_for(p, options, d));
  ASSERT_TRUE(result.ok()) << result.error;
  for (int ln = 0; ln < kLanes; ++ln)
    for (int s = 0; s < op.cd_regs; ++s) {
      const OutputElement e = output_element(op, ln, s);
      const float v = std::bit_cast<float>(d.at(s, ln));
      if (e.row == 5) {
        EXPECT_TRUE(std::isnan(v));
      } else if (e.row == 4) {
        EXPECT_FALSE(std::isnan(v));
      }
    }
}

// Probes: one A element and one row of B set by hand at literally stated bit positions;
// D[i][j] = a * b only where the statement says the two meet.
struct Probe {
  const char* mnemonic;
  DataType a_type, b_type;
  std::uint32_t cbsz, blgp;
  int a_lane, a_bit;        // where the A code is written
  int row;                  // ... which the layout says is row i of A,
  int b_bit;                // and where B[k][j] is written in lane j + N * b_lane_group,
  int b_lane_group;         // for every column j.
  std::uint32_t a_code, b_code;
  double product;
};

void run_probe(const Probe& pr) {
  const MfmaOp& op = get(pr.mnemonic, Arch::gfx950);
  Regs a(asmk::mfma::a_registers(op, pr.cbsz)), b(asmk::mfma::b_registers(op, pr.blgp)), c(op.cd_regs), d(op.cd_regs);
  a.put_bits(pr.a_lane, pr.a_bit, bits_of(pr.a_type), pr.a_code);
  for (int j = 0; j < op.n; ++j) b.put_bits(j + op.n * pr.b_lane_group, pr.b_bit, bits_of(pr.b_type), pr.b_code);
  asmk::mfma::MfmaOperands ops;
  ops.a = a.words.data();
  ops.b = b.words.data();
  ops.c = c.words.data();
  ops.d = d.words.data();
  ops.cbsz = pr.cbsz;
  ops.blgp = pr.blgp;
  const auto result = asmk::mfma::execute(op, ops);
  ASSERT_TRUE(result.ok()) << result.error;
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op.cd_regs; ++s) {
      const OutputElement e = output_element(op, lane, s);
      const double want = e.row == pr.row ? pr.product : 0.0;
      ASSERT_EQ(std::bit_cast<float>(d.at(s, lane)), want)
          << pr.mnemonic << " D[" << e.row << "][" << e.col << "] (A lane " << pr.a_lane << " bit " << pr.a_bit << ")";
    }
}

TEST(MfmaF8F6F4, PackingProbes) {
  // OCP codes: e4m3 1.5 = 0x3c, e5m2 2.0 = 0x40, e2m3 1.0 = 0x08, e3m2 3.0 = 0x12, e2m1 1.5 = 0x3, 6.0 = 0x7.
  const Probe probes[] = {
      // 32x32x64 fp8: lane 0 register 4 byte 0 is A[0][32]; B[32][j] is lane j register 4 byte 0.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp8, DataType::fp8, 0, 0, 0, 4 * 32, 0, 4 * 32, 0, 0x3c, 0x3c, 2.25},
      // lane 33 register 1 byte 2 is A[1][16 + 6]; B[22][j] is lane 32 + j register 1 byte 2.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp8, DataType::bf8, 0, 1, 33, 32 + 16, 1, 32 + 16, 1, 0x3c, 0x40, 3.0},
      // lane 40 register 7 byte 3 is A[8][32 + 16 + 15]; B[63][j] is lane 32 + j register 7 byte 3.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp8, DataType::fp8, 0, 0, 40, 7 * 32 + 24, 8, 7 * 32 + 24, 1, 0x3c, 0x3c, 2.25},
      // 32x32x64 fp4: lane 32 register 0 bits 4..7 is A[0][33] (low nibble first); B[33][j] likewise.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp4, DataType::fp4, 4, 4, 32, 4, 0, 4, 1, 0x3, 0x7, 9.0},
      // fp4 A with fp8 B: A[2][3] at lane 2 bits 12..15; B[3][j] at lane j byte 3 of register 0.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp4, DataType::fp8, 4, 0, 2, 12, 2, 24, 0, 0x7, 0x3c, 9.0},
      // 16x16x128 fp4: lane 16 + 3 register 1 bits 0..3 is A[3][32 + 8]; B[40][j] at lane 16 + j.
      {"v_mfma_f32_16x16x128_f8f6f4", DataType::fp4, DataType::fp4, 4, 4, 19, 32, 3, 32, 1, 0x7, 0x3, 9.0},
      // 16x16x128 fp8: lane 48 + 7 register 5 byte 1 is A[7][64 + 48 + 5]; B[117][j] at lane 48 + j.
      {"v_mfma_f32_16x16x128_f8f6f4", DataType::fp8, DataType::fp8, 0, 0, 55, 5 * 32 + 8, 7, 5 * 32 + 8, 3, 0x3c, 0x3c, 2.25},
      // fp6: 32 values of 6 bits in one stream; A[0][5] straddles register 0 bits 30..31 and register 1 bits 0..3.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::fp6, DataType::fp6, 2, 2, 0, 30, 0, 30, 0, 0x08, 0x08, 1.0},
      // bf6: lane 63 element 31 (bits 186..191) is A[31][63]; B[63][j] at lane 32 + j bits 186..191.
      {"v_mfma_f32_32x32x64_f8f6f4", DataType::bf6, DataType::bf6, 3, 3, 63, 186, 31, 186, 1, 0x12, 0x12, 9.0},
  };
  for (const Probe& p : probes) run_probe(p);
}

}  // namespace
}  // namespace mfma_test

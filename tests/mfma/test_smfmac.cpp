// Sparse MFMAs (v_smfmac_*): every instruction of both arches against a dense product computed
// here from the 4:2-sparse A matrix, with the operands laid out by the layouts of AMD's matrix
// instruction calculator (CDNA3 smfmac tables, extended to the CDNA4 K-doubled forms):
//  - A: lane l holds row l % M and the run of `run` = M*K/64 consecutive K starting at
//    (l / M) * run; it stores 2 values of every group of 4 (stored value t belongs to group t / 2),
//    packed from bit 0 as dense operands are.
//  - index word of lane l: bits [2t+1 : 2t] of the selected set = position of stored value t in
//    its group; a set is 2 * (stored values) bits wide; with cbsz = 0, abid picks the set.
//  - B and D: the dense layouts (mfma_reference.hpp).
// Each A row keeps 2 of every 4 K at positions drawn at random; the index sets other than the
// selected one hold garbage, so a wrong set choice changes the result.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mfma_reference.hpp"

namespace {

using namespace mfma_test;

struct SparseCase {
  Arch arch;
  std::string mnemonic;
};

std::vector<SparseCase> all_cases() {
  std::vector<SparseCase> cases;
  for (Arch arch : {Arch::gfx942, Arch::gfx950})
    for (const MfmaOp& op : asmk::mfma::all_smfmac(arch)) cases.push_back({arch, std::string(op.mnemonic)});
  return cases;
}

class Smfmac : public ::testing::TestWithParam<SparseCase> {};

// Small integers are exact in every input format, so the dense sums are exact and the result
// must match bit for bit.
std::uint64_t code_of(DataType t, Arch arch, int v) {
  switch (t) {
    case DataType::f16: return asmk::ref::f32_to_fp16(float(v));
    case DataType::bf16: return asmk::ref::f32_to_bf16(float(v));
    case DataType::i8: return std::uint8_t(std::int8_t(v));
    default: return asmk::ref::encode(narrow_format(t, arch), v, asmk::ref::Overflow::saturate);
  }
}

void run_case(const MfmaOp& op, Arch arch, std::uint32_t cbsz, std::uint32_t abid, std::mt19937_64& rng) {
  const int M = op.m, N = op.n, K = op.k, run = M * K / kLanes, stored = run / 2;
  const int bits = bits_of(op.a_type);
  ASSERT_EQ(op.a_regs * 32, stored * bits) << "A registers hold the stored half";
  std::uniform_int_distribution<int> small(-3, 3);

  // Dense A with 2 non-zeros per group of 4, and its compressed registers and index words.
  std::vector<int> a(M * K, 0), b(K * N, 0);
  Regs a_regs(op.a_regs), b_regs(op.b_regs), d(op.cd_regs);
  std::vector<std::uint32_t> index(kLanes);
  const int set_bits = 2 * stored, sets = 32 / set_bits;
  const int set = cbsz == 0 ? int(abid) : 0;
  for (int lane = 0; lane < kLanes; ++lane) {
    std::uint64_t idx = rng();  // garbage in the other sets
    const int i = lane % M, k0 = (lane / M) * run;
    for (int g = 0; g < run / 4; ++g) {
      int p0 = int(rng() % 4), p1 = int(rng() % 3);
      if (p1 >= p0) ++p1;  // two distinct positions
      const int pos[2] = {p0, p1};
      for (int s = 0; s < 2; ++s) {
        const int t = 2 * g + s, v = small(rng), k = k0 + 4 * g + pos[s];
        a[i * K + k] = v;
        a_regs.put_bits(lane, t * bits, bits, code_of(op.a_type, arch, v));
        const int at = set * set_bits + 2 * t;
        idx = (idx & ~(std::uint64_t{3} << at)) | std::uint64_t(pos[s]) << at;
      }
    }
    index[lane] = std::uint32_t(idx);
    if (sets == 1) ASSERT_EQ(set, 0);
  }
  // B in the dense layout; C = D starts with small values.
  const int b_per_lane = op.b_regs * 32 / bits_of(op.b_type);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int t = 0; t < b_per_lane; ++t) {
      const InputElement e = input_element(op, N, op.b_type, lane, t);
      const int v = small(rng);
      b[e.k * N + e.row] = v;
      b_regs.put_bits(lane, t * bits_of(op.b_type), bits_of(op.b_type), code_of(op.b_type, arch, v));
    }
  std::vector<int> c(M * N);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op.cd_regs; ++s) {
      const OutputElement e = output_element(op, lane, s);
      const int v = small(rng);
      c[e.row * N + e.col] = v;
      d.at(s, lane) = op.out_type == DataType::i32 ? std::uint32_t(v) : std::bit_cast<std::uint32_t>(float(v));
    }

  asmk::mfma::MfmaOperands o;
  o.a = a_regs.words.data();
  o.b = b_regs.words.data();
  o.c = d.words.data();
  o.d = d.words.data();
  o.sparse_index = index.data();
  o.cbsz = cbsz;
  o.abid = abid;
  const asmk::mfma::MfmaResult r = asmk::mfma::execute(op, o);
  ASSERT_TRUE(r.ok()) << r.error;

  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op.cd_regs; ++s) {
      const OutputElement e = output_element(op, lane, s);
      long expect = c[e.row * N + e.col];
      for (int k = 0; k < K; ++k) expect += long(a[e.row * K + k]) * b[k * N + e.col];
      const std::uint32_t want = op.out_type == DataType::i32 ? std::uint32_t(expect)
                                                              : std::bit_cast<std::uint32_t>(float(expect));
      ASSERT_EQ(d.at(s, lane), want) << op.mnemonic << " D[" << e.row << "][" << e.col << "] cbsz " << cbsz
                                     << " abid " << abid;
    }
}

TEST_P(Smfmac, MatchesTheDenseProductOfTheExpandedA) {
  const MfmaOp* op = asmk::mfma::find_mfma(GetParam().mnemonic, GetParam().arch);
  ASSERT_NE(op, nullptr);
  ASSERT_TRUE(op->sparse);
  std::mt19937_64 rng(12345);
  const int stored = op->m * op->k / kLanes / 2, sets = 32 / (2 * stored);
  for (std::uint32_t abid = 0; abid < std::uint32_t(sets); ++abid) run_case(*op, GetParam().arch, 0, abid, rng);
  run_case(*op, GetParam().arch, 1, std::uint32_t(sets - 1), rng);  // cbsz != 0: set 0 whatever abid says
}

TEST_P(Smfmac, RejectsAnAbidBeyondTheIndexSets) {
  const MfmaOp* op = asmk::mfma::find_mfma(GetParam().mnemonic, GetParam().arch);
  ASSERT_NE(op, nullptr);
  Regs a(op->a_regs), b(op->b_regs), d(op->cd_regs);
  std::vector<std::uint32_t> index(kLanes, 0);
  asmk::mfma::MfmaOperands o;
  o.a = a.words.data();
  o.b = b.words.data();
  o.c = o.d = d.words.data();
  o.sparse_index = index.data();
  o.abid = std::uint32_t(32 / (op->m * op->k / kLanes));  // sets = 32 / (2 * stored)
  EXPECT_FALSE(asmk::mfma::execute(*op, o).ok());
  o.abid = 0;
  o.sparse_index = nullptr;
  EXPECT_FALSE(asmk::mfma::execute(*op, o).ok()) << "the index words are required";
}

TEST(SmfmacTable, InstructionsPerArch) {
  EXPECT_EQ(asmk::mfma::all_smfmac(Arch::gfx942).size(), 14u);
  EXPECT_EQ(asmk::mfma::all_smfmac(Arch::gfx950).size(), 28u);
  EXPECT_EQ(asmk::mfma::find_mfma("v_smfmac_f32_16x16x64_f16", Arch::gfx942), nullptr);
  const MfmaOp* op = asmk::mfma::find_mfma("v_smfmac_f32_32x32x16_f16", Arch::gfx942);
  ASSERT_NE(op, nullptr);  // register widths as llvm-mc accepts them: A 2, B 4, D 16
  EXPECT_EQ(op->a_regs, 2);
  EXPECT_EQ(op->b_regs, 4);
  EXPECT_EQ(op->cd_regs, 16);
  EXPECT_EQ(op->passes, 8);
}

INSTANTIATE_TEST_SUITE_P(All, Smfmac, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  return std::string(asmk::arch_name(info.param.arch)) + "_" + info.param.mnemonic;
});

}  // namespace

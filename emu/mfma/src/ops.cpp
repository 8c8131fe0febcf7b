// The MFMA instruction table of gfx942 and gfx950.
//
// Mnemonics: the spelling LLVM 22's instruction printer uses (checked by assembling every
// candidate with llvm-mc -mcpu=gfx942/gfx950 -show-encoding; legacy spellings such as
// v_mfma_f32_32x32x8bf16_1k print as v_mfma_f32_32x32x8_bf16). Register counts are the tuple
// widths llvm-mc accepts. Cycles: AMD's matrix instruction calculator (CDNA3) and the AMD
// CDNA3/CDNA4 matrix-core article (ROCm blogs, "Matrix Core Programming on AMD CDNA3 and CDNA4");
// where neither states a figure (f64 4x4x4_4b on gfx950, the gfx950 i8 K-doubled forms) it is
// derived from the part's peak rate and marked below.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "asmk/mfma/mfma.hpp"

namespace asmk::mfma {
namespace {

using DT = DataType;

constexpr int bits_of(DT type) {
  switch (type) {
    case DT::f64: return 64;
    case DT::f32: case DT::xf32: case DT::i32: return 32;
    case DT::f16: case DT::bf16: return 16;
    case DT::i8: case DT::fp8: case DT::bf8: return 8;
    case DT::fp6: case DT::bf6: return 6;
    case DT::fp4: return 4;
  }
  return 0;
}

// Builds one row of the table; registers, passes, FLOPs and modifier support follow from the shape.
// Passes (4 cycles each) equal LLVM 22's scheduling-model figures, which the tests check against
// llvm-mca (and, for the f8f6f4 formats, against the wait states llc inserts).
constexpr MfmaOp op(std::string_view mnemonic, Arch arch, int m, int n, int k, int blocks, DT a, DT b,
                    DT out, int cycles, bool f8f6f4 = false, bool scaled = false) {
  MfmaOp o{};
  o.mnemonic = mnemonic;
  o.arch = arch;
  o.m = m;
  o.n = n;
  o.k = k;
  o.blocks = blocks;
  o.a_type = a;
  o.b_type = b;
  o.out_type = out;
  o.f8f6f4 = f8f6f4;
  o.scaled = scaled;
  // Each lane holds (rows * K * blocks / 64) elements of A (and likewise of B).
  o.a_regs = (m * k * blocks / kWaveSize) * bits_of(a) / 32;
  o.b_regs = (n * k * blocks / kWaveSize) * bits_of(b) / 32;
  o.cd_regs = (m * n * blocks / kWaveSize) * bits_of(out) / 32;
  o.cycles = cycles;
  o.passes = cycles / 4;
  o.flops = 2ull * static_cast<std::uint64_t>(m) * n * k * blocks;
  o.has_broadcast = blocks > 1;
  o.has_blgp = out != DT::f64 && !f8f6f4;
  o.has_neg = out == DT::f64;
  return o;
}

constexpr Arch g942 = Arch::gfx942;
constexpr Arch g950 = Arch::gfx950;

// Instructions with the same shape, types and cost on both architectures.
template <Arch A>
constexpr auto common_ops() {
  return std::array{
      // f32 inputs
      op("v_mfma_f32_32x32x1_2b_f32", A, 32, 32, 1, 2, DT::f32, DT::f32, DT::f32, 64),
      op("v_mfma_f32_16x16x1_4b_f32", A, 16, 16, 1, 4, DT::f32, DT::f32, DT::f32, 32),
      op("v_mfma_f32_4x4x1_16b_f32", A, 4, 4, 1, 16, DT::f32, DT::f32, DT::f32, 8),
      op("v_mfma_f32_32x32x2_f32", A, 32, 32, 2, 1, DT::f32, DT::f32, DT::f32, 64),
      op("v_mfma_f32_16x16x4_f32", A, 16, 16, 4, 1, DT::f32, DT::f32, DT::f32, 32),
      // f16 inputs
      op("v_mfma_f32_32x32x4_2b_f16", A, 32, 32, 4, 2, DT::f16, DT::f16, DT::f32, 64),
      op("v_mfma_f32_16x16x4_4b_f16", A, 16, 16, 4, 4, DT::f16, DT::f16, DT::f32, 32),
      op("v_mfma_f32_4x4x4_16b_f16", A, 4, 4, 4, 16, DT::f16, DT::f16, DT::f32, 8),
      op("v_mfma_f32_32x32x8_f16", A, 32, 32, 8, 1, DT::f16, DT::f16, DT::f32, 32),
      op("v_mfma_f32_16x16x16_f16", A, 16, 16, 16, 1, DT::f16, DT::f16, DT::f32, 16),
      // bf16 inputs
      op("v_mfma_f32_32x32x4_2b_bf16", A, 32, 32, 4, 2, DT::bf16, DT::bf16, DT::f32, 64),
      op("v_mfma_f32_16x16x4_4b_bf16", A, 16, 16, 4, 4, DT::bf16, DT::bf16, DT::f32, 32),
      op("v_mfma_f32_4x4x4_16b_bf16", A, 4, 4, 4, 16, DT::bf16, DT::bf16, DT::f32, 8),
      op("v_mfma_f32_32x32x8_bf16", A, 32, 32, 8, 1, DT::bf16, DT::bf16, DT::f32, 32),
      op("v_mfma_f32_16x16x16_bf16", A, 16, 16, 16, 1, DT::bf16, DT::bf16, DT::f32, 16),
      // i8 inputs
      op("v_mfma_i32_32x32x4_2b_i8", A, 32, 32, 4, 2, DT::i8, DT::i8, DT::i32, 64),
      op("v_mfma_i32_16x16x4_4b_i8", A, 16, 16, 4, 4, DT::i8, DT::i8, DT::i32, 32),
      op("v_mfma_i32_4x4x4_16b_i8", A, 4, 4, 4, 16, DT::i8, DT::i8, DT::i32, 8),
      op("v_mfma_i32_32x32x16_i8", A, 32, 32, 16, 1, DT::i8, DT::i8, DT::i32, 32),
      op("v_mfma_i32_16x16x32_i8", A, 16, 16, 32, 1, DT::i8, DT::i8, DT::i32, 16),
      // fp8/bf8 inputs (fnuz on gfx942, OCP on gfx950)
      op("v_mfma_f32_32x32x16_fp8_fp8", A, 32, 32, 16, 1, DT::fp8, DT::fp8, DT::f32, 32),
      op("v_mfma_f32_32x32x16_fp8_bf8", A, 32, 32, 16, 1, DT::fp8, DT::bf8, DT::f32, 32),
      op("v_mfma_f32_32x32x16_bf8_fp8", A, 32, 32, 16, 1, DT::bf8, DT::fp8, DT::f32, 32),
      op("v_mfma_f32_32x32x16_bf8_bf8", A, 32, 32, 16, 1, DT::bf8, DT::bf8, DT::f32, 32),
      op("v_mfma_f32_16x16x32_fp8_fp8", A, 16, 16, 32, 1, DT::fp8, DT::fp8, DT::f32, 16),
      op("v_mfma_f32_16x16x32_fp8_bf8", A, 16, 16, 32, 1, DT::fp8, DT::bf8, DT::f32, 16),
      op("v_mfma_f32_16x16x32_bf8_fp8", A, 16, 16, 32, 1, DT::bf8, DT::fp8, DT::f32, 16),
      op("v_mfma_f32_16x16x32_bf8_bf8", A, 16, 16, 32, 1, DT::bf8, DT::bf8, DT::f32, 16),
  };
}

constexpr auto gfx942_only = std::array{
    // f64: MI300X FP64 matrix 163.4 TF = 64 FLOP per SIMD per clock.
    op("v_mfma_f64_16x16x4_f64", g942, 16, 16, 4, 1, DT::f64, DT::f64, DT::f64, 32),
    op("v_mfma_f64_4x4x4_4b_f64", g942, 4, 4, 4, 4, DT::f64, DT::f64, DT::f64, 16),
    op("v_mfma_f32_32x32x4_xf32", g942, 32, 32, 4, 1, DT::xf32, DT::xf32, DT::f32, 32),
    op("v_mfma_f32_16x16x8_xf32", g942, 16, 16, 8, 1, DT::xf32, DT::xf32, DT::f32, 16),
};

constexpr auto gfx950_only = std::array{
    // f64: MI355X FP64 matrix 78.6 TF, half of CDNA3's per-SIMD rate for 16x16x4; LLVM's gfx950
    // scheduling model keeps 4x4x4_4b at 4 passes.
    op("v_mfma_f64_16x16x4_f64", g950, 16, 16, 4, 1, DT::f64, DT::f64, DT::f64, 64),
    op("v_mfma_f64_4x4x4_4b_f64", g950, 4, 4, 4, 4, DT::f64, DT::f64, DT::f64, 16),
    op("v_mfma_f32_32x32x16_f16", g950, 32, 32, 16, 1, DT::f16, DT::f16, DT::f32, 32),
    op("v_mfma_f32_16x16x32_f16", g950, 16, 16, 32, 1, DT::f16, DT::f16, DT::f32, 16),
    op("v_mfma_f32_32x32x16_bf16", g950, 32, 32, 16, 1, DT::bf16, DT::bf16, DT::f32, 32),
    op("v_mfma_f32_16x16x32_bf16", g950, 16, 16, 32, 1, DT::bf16, DT::bf16, DT::f32, 16),
    // i8 K-doubled forms: derived from INT8 peak = FP8 peak (2048 OP per SIMD per clock).
    op("v_mfma_i32_32x32x32_i8", g950, 32, 32, 32, 1, DT::i8, DT::i8, DT::i32, 32),
    op("v_mfma_i32_16x16x64_i8", g950, 16, 16, 64, 1, DT::i8, DT::i8, DT::i32, 16),
    // f8f6f4: the fp8 cost (either operand fp8/bf8: 2x, as the FP8 peak is half the FP6/FP4 peak,
    // and as LLVM's code generator counts passes for its hazard rules); fp6/fp4 on both sides take
    // half, see cycles_for(). (llvm-mca's MC-level model shows the half figure for all formats.)
    op("v_mfma_f32_32x32x64_f8f6f4", g950, 32, 32, 64, 1, DT::fp8, DT::fp8, DT::f32, 64, true),
    op("v_mfma_f32_16x16x128_f8f6f4", g950, 16, 16, 128, 1, DT::fp8, DT::fp8, DT::f32, 32, true),
    op("v_mfma_scale_f32_32x32x64_f8f6f4", g950, 32, 32, 64, 1, DT::fp8, DT::fp8, DT::f32, 64, true, true),
    op("v_mfma_scale_f32_16x16x128_f8f6f4", g950, 16, 16, 128, 1, DT::fp8, DT::fp8, DT::f32, 32, true, true),
};

// Sparse v_smfmac_*: the shape is the dense one (K counts the uncompressed A); A stores half.
// Cycles: AMD's matrix instruction calculator (CDNA3: 16 for 16x16, 32 for 32x32), equal to
// LLVM 22's gfx950 scheduling model (4 / 8 passes) for the CDNA4 forms.
constexpr MfmaOp sparse_op(std::string_view mnemonic, Arch arch, int m, int n, int k, DT a, DT b, DT out) {
  MfmaOp o = op(mnemonic, arch, m, n, k, 1, a, b, out, m == 16 ? 16 : 32);
  o.a_regs /= 2;
  o.has_blgp = false;
  o.sparse = true;
  return o;
}

template <Arch A>
constexpr auto common_sparse_ops() {
  return std::array{
      sparse_op("v_smfmac_f32_16x16x32_f16", A, 16, 16, 32, DT::f16, DT::f16, DT::f32),
      sparse_op("v_smfmac_f32_32x32x16_f16", A, 32, 32, 16, DT::f16, DT::f16, DT::f32),
      sparse_op("v_smfmac_f32_16x16x32_bf16", A, 16, 16, 32, DT::bf16, DT::bf16, DT::f32),
      sparse_op("v_smfmac_f32_32x32x16_bf16", A, 32, 32, 16, DT::bf16, DT::bf16, DT::f32),
      sparse_op("v_smfmac_i32_16x16x64_i8", A, 16, 16, 64, DT::i8, DT::i8, DT::i32),
      sparse_op("v_smfmac_i32_32x32x32_i8", A, 32, 32, 32, DT::i8, DT::i8, DT::i32),
      sparse_op("v_smfmac_f32_16x16x64_bf8_bf8", A, 16, 16, 64, DT::bf8, DT::bf8, DT::f32),
      sparse_op("v_smfmac_f32_16x16x64_bf8_fp8", A, 16, 16, 64, DT::bf8, DT::fp8, DT::f32),
      sparse_op("v_smfmac_f32_16x16x64_fp8_bf8", A, 16, 16, 64, DT::fp8, DT::bf8, DT::f32),
      sparse_op("v_smfmac_f32_16x16x64_fp8_fp8", A, 16, 16, 64, DT::fp8, DT::fp8, DT::f32),
      sparse_op("v_smfmac_f32_32x32x32_bf8_bf8", A, 32, 32, 32, DT::bf8, DT::bf8, DT::f32),
      sparse_op("v_smfmac_f32_32x32x32_bf8_fp8", A, 32, 32, 32, DT::bf8, DT::fp8, DT::f32),
      sparse_op("v_smfmac_f32_32x32x32_fp8_bf8", A, 32, 32, 32, DT::fp8, DT::bf8, DT::f32),
      sparse_op("v_smfmac_f32_32x32x32_fp8_fp8", A, 32, 32, 32, DT::fp8, DT::fp8, DT::f32),
  };
}

constexpr auto gfx950_only_sparse = std::array{
    sparse_op("v_smfmac_f32_16x16x64_f16", g950, 16, 16, 64, DT::f16, DT::f16, DT::f32),
    sparse_op("v_smfmac_f32_32x32x32_f16", g950, 32, 32, 32, DT::f16, DT::f16, DT::f32),
    sparse_op("v_smfmac_f32_16x16x64_bf16", g950, 16, 16, 64, DT::bf16, DT::bf16, DT::f32),
    sparse_op("v_smfmac_f32_32x32x32_bf16", g950, 32, 32, 32, DT::bf16, DT::bf16, DT::f32),
    sparse_op("v_smfmac_i32_16x16x128_i8", g950, 16, 16, 128, DT::i8, DT::i8, DT::i32),
    sparse_op("v_smfmac_i32_32x32x64_i8", g950, 32, 32, 64, DT::i8, DT::i8, DT::i32),
    sparse_op("v_smfmac_f32_16x16x128_bf8_bf8", g950, 16, 16, 128, DT::bf8, DT::bf8, DT::f32),
    sparse_op("v_smfmac_f32_16x16x128_bf8_fp8", g950, 16, 16, 128, DT::bf8, DT::fp8, DT::f32),
    sparse_op("v_smfmac_f32_16x16x128_fp8_bf8", g950, 16, 16, 128, DT::fp8, DT::bf8, DT::f32),
    sparse_op("v_smfmac_f32_16x16x128_fp8_fp8", g950, 16, 16, 128, DT::fp8, DT::fp8, DT::f32),
    sparse_op("v_smfmac_f32_32x32x64_bf8_bf8", g950, 32, 32, 64, DT::bf8, DT::bf8, DT::f32),
    sparse_op("v_smfmac_f32_32x32x64_bf8_fp8", g950, 32, 32, 64, DT::bf8, DT::fp8, DT::f32),
    sparse_op("v_smfmac_f32_32x32x64_fp8_bf8", g950, 32, 32, 64, DT::fp8, DT::bf8, DT::f32),
    sparse_op("v_smfmac_f32_32x32x64_fp8_fp8", g950, 32, 32, 64, DT::fp8, DT::fp8, DT::f32),
};

template <std::size_t N1, std::size_t N2>
std::vector<MfmaOp> concat(const std::array<MfmaOp, N1>& first, const std::array<MfmaOp, N2>& second) {
  std::vector<MfmaOp> all(first.begin(), first.end());
  all.insert(all.end(), second.begin(), second.end());
  return all;
}

const std::vector<MfmaOp>& table(Arch arch) {
  static const std::vector<MfmaOp> t942 = concat(common_ops<g942>(), gfx942_only);
  static const std::vector<MfmaOp> t950 = concat(common_ops<g950>(), gfx950_only);
  return arch == Arch::gfx942 ? t942 : t950;
}

const std::vector<MfmaOp>& sparse_table(Arch arch) {
  static const std::vector<MfmaOp> t942 = concat(common_sparse_ops<g942>(), std::array<MfmaOp, 0>{});
  static const std::vector<MfmaOp> t950 = concat(common_sparse_ops<g950>(), gfx950_only_sparse);
  return arch == Arch::gfx942 ? t942 : t950;
}

bool is_fp8_code(std::uint32_t code) { return code == 0 || code == 1; }

}  // namespace

std::string_view data_type_name(DataType type) {
  switch (type) {
    case DT::f64: return "f64";
    case DT::f32: return "f32";
    case DT::xf32: return "xf32";
    case DT::f16: return "f16";
    case DT::bf16: return "bf16";
    case DT::i8: return "i8";
    case DT::i32: return "i32";
    case DT::fp8: return "fp8";
    case DT::bf8: return "bf8";
    case DT::fp6: return "fp6";
    case DT::bf6: return "bf6";
    case DT::fp4: return "fp4";
  }
  return "unknown";
}

int data_type_bits(DataType type) { return bits_of(type); }

bool f8f6f4_format(std::uint32_t code, DataType& type) {
  static constexpr std::array<DT, 5> formats = {DT::fp8, DT::bf8, DT::fp6, DT::bf6, DT::fp4};
  if (code >= formats.size()) return false;
  type = formats[code];
  return true;
}

const MfmaOp* find_mfma(std::string_view mnemonic, Arch arch) {
  for (const auto* ops : {&table(arch), &sparse_table(arch)}) {
    auto it = std::find_if(ops->begin(), ops->end(), [&](const MfmaOp& o) { return o.mnemonic == mnemonic; });
    if (it != ops->end()) return &*it;
  }
  return nullptr;
}

std::span<const MfmaOp> all_mfma(Arch arch) { return table(arch); }
std::span<const MfmaOp> all_smfmac(Arch arch) { return sparse_table(arch); }

std::string unknown_mfma_message(std::string_view mnemonic, Arch arch) {
  std::string message = "MFMA instruction '";
  message.append(mnemonic).append("' is not supported on ").append(arch_name(arch)).append("; supported:");
  for (const auto* ops : {&table(arch), &sparse_table(arch)})
    for (const MfmaOp& o : *ops) message.append(" ").append(o.mnemonic);
  return message;
}

int a_registers(const MfmaOp& op, std::uint32_t cbsz) {
  DataType type;
  if (!op.f8f6f4 || !f8f6f4_format(cbsz, type)) return op.a_regs;
  return op.m * op.k / kWaveSize * bits_of(type) / 32;
}

int b_registers(const MfmaOp& op, std::uint32_t blgp) {
  DataType type;
  if (!op.f8f6f4 || !f8f6f4_format(blgp, type)) return op.b_regs;
  return op.n * op.k / kWaveSize * bits_of(type) / 32;
}

int cycles_for(const MfmaOp& op, std::uint32_t cbsz, std::uint32_t blgp) {
  if (!op.f8f6f4 || is_fp8_code(cbsz) || is_fp8_code(blgp)) return op.cycles;
  return op.cycles / 2;
}

int passes_for(const MfmaOp& op, std::uint32_t cbsz, std::uint32_t blgp) { return cycles_for(op, cbsz, blgp) / 4; }

}  // namespace asmk::mfma

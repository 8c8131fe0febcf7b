// MFMA execution: validate the modifiers, gather A and B as matrices (with the broadcast and
// lane-pattern modifiers applied), multiply, and scatter D. The arithmetic model is documented
// at execute() in mfma.hpp.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "asmk/mfma/mfma.hpp"
#include "operands.hpp"
#include "plan.hpp"

namespace asmk::mfma {
namespace {

// Largest operand of any MFMA: 32 elements per lane (f8f6f4) and 32 registers of C/D.
constexpr int kMaxElements = 32 * kWaveSize;
constexpr int kMaxCdWords = 32 * kWaveSize;
constexpr int kScaleBlock = 32;      // K elements sharing one e8m0 scale
constexpr int kMaxScaleBlocks = 4;   // 16x16x128: 128 / 32

std::string where(const MfmaOp& op) { return std::string(op.mnemonic) + " (" + std::string(arch_name(op.arch)) + ")"; }

// The lane whose B data lane `lane` uses under the CDNA3 BLGP field (ISA "B-matrix lane group
// pattern"): 0 as is; 1/2 broadcast the first/second 32 lanes to both halves; 3 rotates so that
// lane l takes lane l+16 (lane 16's data arrives in lane 0); 4..7 broadcast lanes 0-15, 16-31,
// 32-47, 48-63 to every group of 16.
int blgp_source_lane(std::uint32_t blgp, int lane) {
  switch (blgp) {
    case 1: return lane % 32;
    case 2: return 32 + lane % 32;
    case 3: return (lane + 16) % kWaveSize;
    case 4: case 5: case 6: case 7: return 16 * static_cast<int>(blgp - 4) + lane % 16;
    default: return lane;
  }
}

// The block whose A matrix block `block` uses under CBSZ/ABID: blocks form groups of 2^cbsz and
// every block of a group takes block `abid` of its group.
int broadcast_source_block(std::uint32_t cbsz, std::uint32_t abid, int block) {
  const int group = 1 << cbsz;
  return block - block % group + static_cast<int>(abid);
}

struct InputTypes {
  DataType a, b;
};

InputTypes input_types(const MfmaOp& op, const MfmaOperands& operands) {
  InputTypes types{op.a_type, op.b_type};
  if (op.f8f6f4) {
    f8f6f4_format(operands.cbsz, types.a);
    f8f6f4_format(operands.blgp, types.b);
  }
  return types;
}

// Raw codes of A as a [block][i][k] matrix, with the CBSZ/ABID broadcast applied.
void gather_a(const MfmaOp& op, const MfmaOperands& operands, const detail::Plan& plan,
              std::array<std::uint64_t, kMaxElements>& out) {
  const bool broadcast = op.has_broadcast && !op.f8f6f4;
  const int per_block = op.m * op.k;
  for (int block = 0; block < op.blocks; ++block) {
    const int source = broadcast ? broadcast_source_block(operands.cbsz, operands.abid, block) : block;
    const detail::ElementLocation* from = &plan.a[static_cast<std::size_t>(source) * per_block];
    std::uint64_t* to = &out[static_cast<std::size_t>(block) * per_block];
    for (int e = 0; e < per_block; ++e) to[e] = detail::read_element(operands.a, from[e], from[e].lane, plan.a_bits);
  }
}

// Sparse forms: A of one lane stores `stored` values, 2 per dense group of 4 consecutive K.
int sparse_stored_per_lane(const MfmaOp& op) { return op.m * op.k / kWaveSize / 2; }
int sparse_index_sets(const MfmaOp& op) { return 32 / (2 * sparse_stored_per_lane(op)); }

// Raw codes of the dense A ([i][k], one block) of a sparse instruction: each stored value goes to
// the K position its 2-bit index names within its group; the other positions hold code 0 (+0).
// The dense layout is the plain one: lane = i + M * (k / run), run = M * K / 64 consecutive K.
void gather_sparse_a(const MfmaOp& op, const MfmaOperands& operands, int bits, std::array<std::uint64_t, kMaxElements>& out) {
  const int stored = sparse_stored_per_lane(op), run = 2 * stored;
  const int set = operands.cbsz == 0 ? static_cast<int>(operands.abid) : 0;
  const int set_shift = set * 2 * stored;
  std::fill_n(out.begin(), op.m * op.k, std::uint64_t{0});
  for (int lane = 0; lane < kWaveSize; ++lane) {
    const int i = lane % op.m, k0 = (lane / op.m) * run;
    const std::uint32_t index = set_shift < 32 ? operands.sparse_index[lane] >> set_shift : 0;
    for (int t = 0; t < stored; ++t) {
      const detail::ElementLocation at{static_cast<std::uint16_t>(t * bits / 32), static_cast<std::uint8_t>(lane),
                                       static_cast<std::uint8_t>(t * bits % 32)};
      const int k = k0 + 4 * (t / 2) + static_cast<int>((index >> (2 * t)) & 3);
      out[static_cast<std::size_t>(i) * op.k + k] = detail::read_element(operands.a, at, lane, bits);
    }
  }
}

// Raw codes of B as a [block][k][j] matrix (j innermost: the products of one A element with a
// row of B are independent, which lets the compiler vectorize them), with BLGP applied.
void gather_b(const MfmaOp& op, const MfmaOperands& operands, const detail::Plan& plan,
              std::array<std::uint64_t, kMaxElements>& out) {
  const std::uint32_t blgp = op.has_blgp ? operands.blgp : 0;
  for (int block = 0; block < op.blocks; ++block)
    for (int j = 0; j < op.n; ++j)
      for (int k = 0; k < op.k; ++k) {
        const detail::ElementLocation& at = plan.b[(block * op.n + j) * op.k + k];
        out[(block * op.k + k) * op.n + j] =
            detail::read_element(operands.b, at, blgp_source_lane(blgp, at.lane), plan.b_bits);
      }
}

// e8m0 scale of (row, K block) for a scaled operand with `rows` rows: lane row + rows * kblock.
double scale_factor(const std::uint32_t* words, std::uint32_t byte, int rows, int row, int kblock) {
  const auto code = static_cast<std::uint8_t>(words[row + rows * kblock] >> (8 * byte));
  if (code == 0xff) return std::nan("");
  return std::ldexp(1.0, static_cast<int>(code) - 127);
}

std::uint64_t c_element(const MfmaOperands& operands, const detail::ElementLocation& at, int words) {
  if (operands.c == nullptr) return operands.c_constant;
  const std::uint32_t* word = operands.c + at.reg * kWaveSize + at.lane;
  return words == 2 ? (word[0] | std::uint64_t{word[kWaveSize]} << 32) : word[0];
}

void put(std::array<std::uint32_t, kMaxCdWords>& d, const detail::ElementLocation& at, std::uint64_t bits, int words) {
  std::uint32_t* word = &d[at.reg * kWaveSize + at.lane];
  word[0] = static_cast<std::uint32_t>(bits);
  if (words == 2) word[kWaveSize] = static_cast<std::uint32_t>(bits >> 32);
}

struct Workspace {
  std::array<std::uint64_t, kMaxElements> a_codes;  // A[block][i][k]
  std::array<std::uint64_t, kMaxElements> b_codes;  // B[block][k][j]
  std::array<double, kMaxElements> a_vals;          // decoded, same order
  std::array<double, kMaxElements> b_vals;
  std::array<std::uint32_t, kMaxCdWords> d;         // D registers, register-major
};

constexpr int kMaxN = 32;

// Each row of D is computed with one accumulator per column (the inner loops over j are
// independent, so they vectorize); every element still sums its products in increasing k.

// i8 x i8 -> i32: exact products, wrapping 32-bit sum starting from C.
void multiply_integer(const MfmaOp& op, const MfmaOperands& operands, const detail::Plan& plan, Workspace& w) {
  const int m = op.m, n = op.n, k_size = op.k;
  for (int block = 0; block < op.blocks; ++block)
    for (int i = 0; i < m; ++i) {
      const detail::ElementLocation* row_slots = &plan.d[(block * m + i) * n];
      std::array<std::uint32_t, kMaxN> acc;
      for (int j = 0; j < n; ++j) acc[j] = static_cast<std::uint32_t>(c_element(operands, row_slots[j], 1));
      for (int k = 0; k < k_size; ++k) {
        const std::int32_t a = static_cast<std::int8_t>(w.a_codes[(block * m + i) * k_size + k]);
        const std::uint64_t* b_row = &w.b_codes[(block * k_size + k) * n];
        for (int j = 0; j < n; ++j)  // wraps modulo 2^32
          acc[j] += static_cast<std::uint32_t>(a * static_cast<std::int8_t>(b_row[j]));
      }
      for (int j = 0; j < n; ++j) put(w.d, row_slots[j], acc[j], 1);
    }
}

// Decodes A and B into exact binary64 values, applying the f64 neg bits of A and B.
void decode_inputs(const MfmaOp& op, const MfmaOperands& operands, const InputTypes& types, Workspace& w) {
  const int a_count = op.blocks * op.m * op.k;
  const int b_count = op.blocks * op.n * op.k;
  detail::decode_all(types.a, op.arch, w.a_codes.data(), w.a_vals.data(), a_count);
  detail::decode_all(types.b, op.arch, w.b_codes.data(), w.b_vals.data(), b_count);
  if (op.has_neg && (operands.neg & 1u))
    for (int e = 0; e < a_count; ++e) w.a_vals[e] = -w.a_vals[e];
  if (op.has_neg && (operands.neg & 2u))
    for (int e = 0; e < b_count; ++e) w.b_vals[e] = -w.b_vals[e];
}

// f64: acc = C (negated by neg bit 2), then a fused multiply-add per k.
void multiply_f64(const MfmaOp& op, const MfmaOperands& operands, const detail::Plan& plan, Workspace& w) {
  const int m = op.m, n = op.n, k_size = op.k;
  const double c_sign = (operands.neg & 4u) ? -1.0 : 1.0;
  for (int block = 0; block < op.blocks; ++block)
    for (int i = 0; i < m; ++i) {
      const detail::ElementLocation* row_slots = &plan.d[(block * m + i) * n];
      const double* a_row = &w.a_vals[(block * m + i) * k_size];
      const double* b_block = &w.b_vals[block * k_size * n];
      std::array<double, kMaxN> acc;
      for (int j = 0; j < n; ++j) acc[j] = c_sign * std::bit_cast<double>(c_element(operands, row_slots[j], 2));
      for (int k = 0; k < k_size; ++k)
        for (int j = 0; j < n; ++j) acc[j] = std::fma(a_row[k], b_block[k * n + j], acc[j]);
      for (int j = 0; j < n; ++j) put(w.d, row_slots[j], std::bit_cast<std::uint64_t>(acc[j]), 2);
    }
}

// Float inputs, f32 output: exact products summed in binary64 (per 32-wide K block times the
// block's scales for the scaled forms), C added last, one rounding to f32.
void multiply_float(const MfmaOp& op, const MfmaOperands& operands, const detail::Plan& plan, Workspace& w) {
  const int m = op.m, n = op.n, k_size = op.k;
  std::array<double, kMaxN * kMaxScaleBlocks> b_scales{};  // per (K block, column), looked up once
  if (op.scaled)
    for (int kb = 0; kb < k_size / kScaleBlock; ++kb)
      for (int j = 0; j < n; ++j) b_scales[kb * n + j] = scale_factor(operands.scale_b, operands.scale_b_byte, n, j, kb);

  for (int block = 0; block < op.blocks; ++block)
    for (int i = 0; i < m; ++i) {
      const detail::ElementLocation* row_slots = &plan.d[(block * m + i) * n];
      const double* a_row = &w.a_vals[(block * m + i) * k_size];
      const double* b_block = &w.b_vals[block * k_size * n];
      std::array<double, kMaxN> dot{};
      if (op.scaled) {
        for (int kb = 0; kb < k_size / kScaleBlock; ++kb) {
          std::array<double, kMaxN> partial{};
          for (int k = kb * kScaleBlock; k < (kb + 1) * kScaleBlock; ++k)
            for (int j = 0; j < n; ++j) partial[j] += a_row[k] * b_block[k * n + j];
          const double scale_a = scale_factor(operands.scale_a, operands.scale_a_byte, m, i, kb);
          for (int j = 0; j < n; ++j) dot[j] += partial[j] * scale_a * b_scales[kb * n + j];
        }
      } else {
        for (int k = 0; k < k_size; ++k)
          for (int j = 0; j < n; ++j) dot[j] += a_row[k] * b_block[k * n + j];
      }
      for (int j = 0; j < n; ++j) {
        const double c = std::bit_cast<float>(static_cast<std::uint32_t>(c_element(operands, row_slots[j], 1)));
        put(w.d, row_slots[j], std::bit_cast<std::uint32_t>(static_cast<float>(dot[j] + c)), 1);
      }
    }
}

}  // namespace

MfmaResult check(const MfmaOp& op, const MfmaOperands& operands) {
  auto fail = [&](const std::string& why) { return MfmaResult{where(op) + ": " + why}; };
  if (operands.a == nullptr || operands.b == nullptr || operands.d == nullptr)
    return fail("operand A, B and D register arrays are required");

  if (op.sparse) {
    if (operands.sparse_index == nullptr) return fail("sparse MFMA needs the index words");
    if (operands.cbsz == 0 && operands.abid >= static_cast<std::uint32_t>(sparse_index_sets(op)))
      return fail("abid:" + std::to_string(operands.abid) + " selects an index set beyond the " +
                  std::to_string(sparse_index_sets(op)) + " this instruction's index word holds");
    if (operands.cbsz > 7) return fail("cbsz:" + std::to_string(operands.cbsz) + " is out of range 0..7");
  } else if (op.f8f6f4) {
    DataType type;
    if (!f8f6f4_format(operands.cbsz, type))
      return fail("cbsz:" + std::to_string(operands.cbsz) + " is not an A format (0 fp8, 1 bf8, 2 fp6, 3 bf6, 4 fp4)");
    if (!f8f6f4_format(operands.blgp, type))
      return fail("blgp:" + std::to_string(operands.blgp) + " is not a B format (0 fp8, 1 bf8, 2 fp6, 3 bf6, 4 fp4)");
    if (operands.abid != 0) return fail("abid is not defined for f8f6f4 instructions");
  } else if (op.has_broadcast) {
    const int max_cbsz = std::countr_zero(static_cast<unsigned>(op.blocks));  // log2(blocks)
    if (operands.cbsz > static_cast<std::uint32_t>(max_cbsz))
      return fail("cbsz:" + std::to_string(operands.cbsz) + " exceeds log2(" + std::to_string(op.blocks) + " blocks)");
    if (operands.abid >= (1u << operands.cbsz))
      return fail("abid:" + std::to_string(operands.abid) + " must be below 2^cbsz = " + std::to_string(1u << operands.cbsz));
  } else if (operands.cbsz != 0 || operands.abid != 0) {
    return fail("cbsz/abid broadcast needs a multi-block instruction (this one has 1 block)");
  }

  if (!op.f8f6f4) {
    if (op.has_blgp && operands.blgp > 7) return fail("blgp:" + std::to_string(operands.blgp) + " is out of range 0..7");
    if (!op.has_blgp && operands.blgp != 0) return fail("blgp is not used by this instruction (f64 uses neg)");
  }
  if (op.has_neg ? operands.neg > 7 : operands.neg != 0)
    return fail("neg:" + std::to_string(operands.neg) + " is only defined for f64 instructions (3 bits)");

  if (op.scaled) {
    if (operands.scale_a == nullptr || operands.scale_b == nullptr) return fail("scaled MFMA needs scale_a and scale_b words");
    if (operands.scale_a_byte > 3 || operands.scale_b_byte > 3) return fail("scale byte selection must be 0..3");
  }
  return {};
}

MfmaResult execute(const MfmaOp& op, const MfmaOperands& operands) {
  if (MfmaResult checked = check(op, operands); !checked) return checked;

  const InputTypes types = input_types(op, operands);
  const detail::Plan& plan = detail::plan_for(op, types.a, types.b);

  // Per-thread scratch (about 80 KB) instead of the stack, so that callers running many small
  // threads or fibers are safe.
  thread_local Workspace w;
  if (op.sparse) gather_sparse_a(op, operands, plan.a_bits, w.a_codes);
  else gather_a(op, operands, plan, w.a_codes);
  gather_b(op, operands, plan, w.b_codes);

  // D is assembled in w.d first so that C may alias D.
  w.d.fill(0);
  if (op.out_type == DataType::i32) {
    multiply_integer(op, operands, plan, w);
  } else {
    decode_inputs(op, operands, types, w);
    if (op.out_type == DataType::f64) {
      multiply_f64(op, operands, plan, w);
    } else {
      multiply_float(op, operands, plan, w);
    }
  }
  std::memcpy(operands.d, w.d.data(), sizeof(std::uint32_t) * static_cast<std::size_t>(op.cd_regs) * kWaveSize);
  return {};
}

}  // namespace asmk::mfma

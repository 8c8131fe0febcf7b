// Independent reference for the MFMA tests.
//
// The register layouts are written here again, in the other direction from the library: "which
// matrix element does item t of lane l hold", taken from the public descriptions, not from the
// library's formulas:
//  - AMD's matrix instruction calculator / CDNA3 ISA operand tables: single-block shapes keep
//    row (or column) l % M in lane l and give each group of M lanes the next run of K values;
//    multi-block shapes put block b in lanes [b*M, (b+1)*M) with all of K in the lane.
//  - The ROCm blog "Matrix Core Programming on AMD CDNA3 and CDNA4": its 32x32x2 f32 kernel
//    stores c_reg[4*g + r] of lane l to C[8*g + 4*(l/32) + r][l % 32]; 16x16x16 f16 stores
//    c_reg[r] to C[4*(l/16) + r][l % 16]; its 32x32x64 fp8 kernel loads a_reg[16*h + e] of
//    lane l from A[l % 32][32*h + 16*(l/32) + e]; the fp4 kernel loads 32 contiguous fp4 values
//    A[l % 32][32*(l/32) + e], low nibble first.
//  - f64 16x16x4 (composable_kernel's xdlops description, and a public hardware probe): double d
//    of lane l is D[4*d + l/16][l % 16]. f64 4x4x4_4b (the same probe): lane S = 16a + 4g + b
//    holds A_g[b][a], B_g[a][b] and D_g[a][b] for block g.
// Packing: element t of a lane's tuple occupies bits [t*w, t*w + w) of the registers read as
// one little-endian bit string (register 0 = bits 0..31).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "asmk/mfma/mfma.hpp"
#include "asmk/ref/numeric.hpp"

namespace mfma_test {

using asmk::Arch;
using asmk::mfma::DataType;
using asmk::mfma::MfmaOp;

// The MFMA a test names (a misspelt name is the test's bug: it throws, never skips the check).
inline const MfmaOp& get(const char* mnemonic, Arch arch = Arch::gfx942) {
  const MfmaOp* op = asmk::mfma::find_mfma(mnemonic, arch);
  if (op == nullptr) throw std::logic_error(std::string("no ") + mnemonic);
  return *op;
}

constexpr int kLanes = 64;

struct InputElement {
  int block, row, k;  // row = i for A, column j for B
};
struct OutputElement {
  int block, row, col;
};

inline int bits_of(DataType t) {
  switch (t) {
    case DataType::f64: return 64;
    case DataType::f32: case DataType::xf32: case DataType::i32: return 32;
    case DataType::f16: case DataType::bf16: return 16;
    case DataType::i8: case DataType::fp8: case DataType::bf8: return 8;
    case DataType::fp6: case DataType::bf6: return 6;
    case DataType::fp4: return 4;
  }
  return 0;
}

// Which element item `t` of lane `lane` holds, for A (rows = M) or B (rows = N).
inline InputElement input_element(const MfmaOp& op, int rows, DataType type, int lane, int t) {
  const bool f8f6f4_fp8 = op.f8f6f4 && (type == DataType::fp8 || type == DataType::bf8);
  if (f8f6f4_fp8) {
    // Two halves of 16: a_reg[16*h + e] <- A[row][h*K/2 + 16*(lane/rows) + e].
    return {0, lane % rows, (t / 16) * (op.k / 2) + 16 * (lane / rows) + t % 16};
  }
  if (op.blocks == 1) {
    // Lane groups of `rows` lanes, each holding the next run of per_lane K values.
    const int per_lane = rows * op.k / kLanes;
    return {0, lane % rows, (lane / rows) * per_lane + t};
  }
  if (op.out_type == DataType::f64) {
    // v_mfma_f64_4x4x4_4b: lane S = 16a + 4g + b holds A_g[m = b][k = a] (B_g[k = a][n = b]).
    return {(lane / 4) % 4, lane % 4, lane / 16};
  }
  // Block forms: block b in lanes [b*rows, (b+1)*rows), all of K inside the lane.
  return {lane / rows, lane % rows, t};
}

// Which D element register slot `s` (element index within the lane) of lane `lane` holds.
inline OutputElement output_element(const MfmaOp& op, int lane, int s) {
  if (op.out_type == DataType::f64) {
    if (op.m == 16) return {0, 4 * s + lane / 16, lane % 16};
    // 4x4x4_4b, one double per lane; lane S = 16a + 4g + b holds D_g[a][b] (public hardware
    // probe of v_mfma_f64_4x4x4f64: "D (4x4): lane S holds D_g[m = a][n = b]", g = block).
    return {(lane / 4) % 4, lane / 16, lane % 4};
  }
  if (op.m == 32) {
    const int block = s / 16, r = s % 16;
    return {block, 8 * (r / 4) + 4 * (lane / 32) + r % 4, lane % 32};
  }
  if (op.m == 16) {
    const int block = s / 4, r = s % 4;
    return {block, 4 * (lane / 16) + r, lane % 16};
  }
  return {lane / 4, s, lane % 4};  // 4x4, 16 blocks: register r holds row r
}

// ---------------------------------------------------------------------------------------------
// Register files: register-major lane arrays, word (r, lane) at r * 64 + lane.

struct Regs {
  int count = 0;
  std::vector<std::uint32_t> words;
  explicit Regs(int registers = 0) : count(registers), words(static_cast<std::size_t>(registers) * kLanes, 0) {}
  std::uint32_t& at(int reg, int lane) { return words.at(static_cast<std::size_t>(reg) * kLanes + lane); }
  std::uint32_t at(int reg, int lane) const { return words.at(static_cast<std::size_t>(reg) * kLanes + lane); }

  // Writes a `width`-bit field at bit `pos` of the lane's bit string, one bit at a time.
  void put_bits(int lane, int pos, int width, std::uint64_t value) {
    for (int b = 0; b < width; ++b) {
      const int bit = pos + b;
      std::uint32_t& w = at(bit / 32, lane);
      const std::uint32_t mask = 1u << (bit % 32);
      w = ((value >> b) & 1u) ? (w | mask) : (w & ~mask);
    }
  }
  std::uint64_t get_bits(int lane, int pos, int width) const {
    std::uint64_t value = 0;
    for (int b = 0; b < width; ++b) {
      const int bit = pos + b;
      if ((at(bit / 32, lane) >> (bit % 32)) & 1u) value |= std::uint64_t{1} << b;
    }
    return value;
  }
};

// ---------------------------------------------------------------------------------------------
// Values.

inline asmk::ref::Format narrow_format(DataType t, Arch arch) {
  using asmk::ref::Format;
  switch (t) {
    case DataType::fp8: return arch == Arch::gfx942 ? Format::e4m3fnuz : Format::e4m3fn;
    case DataType::bf8: return arch == Arch::gfx942 ? Format::e5m2fnuz : Format::e5m2;
    case DataType::fp6: return Format::e2m3;
    case DataType::bf6: return Format::e3m2;
    case DataType::fp4: return Format::e2m1;
    default: throw std::logic_error("not a narrow format");
  }
}

// xf32: keep 11 significant bits (1 + 10 explicit), round to nearest even.
inline double xf32_value(float f) {
  if (!std::isfinite(f) || f == 0.0f) return f;
  int exponent = 0;
  const double m = std::frexp(static_cast<double>(f), &exponent);  // f = m * 2^exponent, 0.5 <= |m| < 1
  return std::ldexp(std::nearbyint(std::ldexp(m, 11)), exponent - 11);
}

inline double value_of(DataType t, Arch arch, std::uint64_t code) {
  switch (t) {
    case DataType::f64: return std::bit_cast<double>(code);
    case DataType::f32: return std::bit_cast<float>(static_cast<std::uint32_t>(code));
    case DataType::xf32: return xf32_value(std::bit_cast<float>(static_cast<std::uint32_t>(code)));
    case DataType::f16: return asmk::ref::fp16_to_f32(static_cast<std::uint16_t>(code));
    case DataType::bf16: return asmk::ref::bf16_to_f32(static_cast<std::uint16_t>(code));
    case DataType::i8: return static_cast<std::int8_t>(code);
    case DataType::i32: return static_cast<std::int32_t>(code);
    default: return asmk::ref::decode(narrow_format(t, arch), static_cast<std::uint32_t>(code));
  }
}

// A random finite code of moderate magnitude.
inline std::uint64_t random_code(DataType t, Arch arch, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> real(-4.0, 4.0);
  switch (t) {
    case DataType::f64: return std::bit_cast<std::uint64_t>(real(rng));
    case DataType::f32: return std::bit_cast<std::uint32_t>(static_cast<float>(real(rng)));
    case DataType::xf32: return std::bit_cast<std::uint32_t>(static_cast<float>(real(rng)));  // full mantissa
    case DataType::f16: return asmk::ref::f32_to_fp16(static_cast<float>(real(rng)));
    case DataType::bf16: return asmk::ref::f32_to_bf16(static_cast<float>(real(rng)));
    case DataType::i8: return rng() & 0xff;
    default: {
      const int bits = bits_of(t);
      for (;;) {
        const std::uint64_t code = rng() & ((1u << bits) - 1);
        if (std::isfinite(value_of(t, arch, code))) return code;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One random problem, laid out by the documented layouts.

struct Modifiers {
  std::uint32_t cbsz = 0, abid = 0, blgp = 0, neg = 0;
};

struct Problem {
  const MfmaOp* op = nullptr;
  Arch arch = Arch::gfx942;
  DataType a_type{}, b_type{};
  Regs a, b, c;
  // Matrices in "register order": A[block][row][k], B[block][col][k], codes.
  std::vector<std::uint64_t> a_code, b_code;
  Modifiers mods;

  std::uint64_t& a_at(int block, int i, int k) { return a_code.at(a_index(block, i, k)); }
  std::uint64_t& b_at(int block, int j, int k) { return b_code.at(b_index(block, j, k)); }
  std::uint64_t a_at(int block, int i, int k) const { return a_code.at(a_index(block, i, k)); }
  std::uint64_t b_at(int block, int j, int k) const { return b_code.at(b_index(block, j, k)); }
  std::size_t a_index(int block, int i, int k) const { return (static_cast<std::size_t>(block) * op->m + i) * op->k + k; }
  std::size_t b_index(int block, int j, int k) const { return (static_cast<std::size_t>(block) * op->n + j) * op->k + k; }
};

inline int registers_for(int rows, int k, int blocks, DataType t) { return rows * k * blocks / kLanes * bits_of(t) / 32; }

// Fills A and B with random codes through the documented input layouts (and checks that every
// matrix element is held by exactly one (lane, item)); C with random output values.
inline Problem make_problem(const MfmaOp& op, DataType a_type, DataType b_type, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Problem p;
  p.op = &op;
  p.arch = op.arch;
  p.a_type = a_type;
  p.b_type = b_type;
  p.a = Regs(registers_for(op.m, op.k, op.blocks, a_type));
  p.b = Regs(registers_for(op.n, op.k, op.blocks, b_type));
  p.c = Regs(op.cd_regs);
  p.a_code.assign(static_cast<std::size_t>(op.blocks) * op.m * op.k, ~0ull);
  p.b_code.assign(static_cast<std::size_t>(op.blocks) * op.n * op.k, ~0ull);

  auto fill = [&](Regs& regs, DataType type, int rows, bool is_a) {
    const int per_lane = rows * op.k * op.blocks / kLanes;
    const int width = bits_of(type);
    for (int lane = 0; lane < kLanes; ++lane)
      for (int t = 0; t < per_lane; ++t) {
        const InputElement e = input_element(op, rows, type, lane, t);
        std::uint64_t& slot = is_a ? p.a_at(e.block, e.row, e.k) : p.b_at(e.block, e.row, e.k);
        if (slot != ~0ull) throw std::logic_error("layout maps two items to one element");
        slot = random_code(type, op.arch, rng);
        regs.put_bits(lane, t * width, width, slot);
      }
  };
  fill(p.a, a_type, op.m, true);
  fill(p.b, b_type, op.n, false);
  for (auto code : p.a_code)
    if (code == ~0ull) throw std::logic_error("layout leaves an A element unset");
  for (auto code : p.b_code)
    if (code == ~0ull) throw std::logic_error("layout leaves a B element unset");

  const DataType out = op.out_type;
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op.cd_regs * 32 / bits_of(out); ++s) {
      const std::uint64_t code = out == DataType::i32 ? (rng() & 0xffffffffu) : random_code(out, op.arch, rng);
      p.c.put_bits(lane, s * bits_of(out), bits_of(out), code);
    }
  return p;
}

// B lane pattern of the CDNA3 ISA: the lane whose B data lane `lane` receives.
inline int blgp_lane(std::uint32_t blgp, int lane) {
  switch (blgp) {
    case 0: return lane;
    case 1: return lane < 32 ? lane : lane - 32;        // lanes 0-31 broadcast to 32-63
    case 2: return lane < 32 ? lane + 32 : lane;        // lanes 32-63 broadcast to 0-31
    case 3: return lane < 48 ? lane + 16 : lane - 48;   // rotate down by 16: lane 0 gets lane 16
    default: return 16 * static_cast<int>(blgp - 4) + (lane & 15);  // one group of 16 to all
  }
}

struct Expected {
  double value = 0;      // float/f64 result before final rounding, or int result
  double magnitude = 0;  // sum of |terms|, for the tolerance
  std::uint32_t int_bits = 0;
};

// Optional per-(row, k-block) scales for the scaled forms: factor_a(i, kb), factor_b(j, kb).
struct Scales {
  bool enabled = false;
  std::vector<std::uint32_t> a_words, b_words;  // 64 lanes each
  std::uint32_t a_byte = 0, b_byte = 0;
  // Lane l holds the scale of row/column l % rows for K block l / rows.
  double factor(const std::vector<std::uint32_t>& words, std::uint32_t byte, int rows, int row, int kb) const {
    const unsigned code = (words.at(row + rows * kb) >> (8 * byte)) & 0xffu;
    return code == 0xff ? std::nan("") : std::ldexp(1.0, static_cast<int>(code) - 127);
  }
};

// The reference D element (block, i, j): a plain loop over k in the element's own terms.
inline Expected expected_element(const Problem& p, const Scales& scales, int block, int i, int j, std::uint64_t c_bits) {
  const MfmaOp& op = *p.op;
  const Problem& q = p;
  // CBSZ/ABID: block b reads the A matrix of block (b rounded down to a multiple of 2^cbsz) + abid.
  const int group = 1 << p.mods.cbsz;
  const int a_block = op.f8f6f4 ? block : (block / group) * group + static_cast<int>(p.mods.abid);
  Expected e;
  if (op.out_type == DataType::i32) {
    std::int64_t sum = static_cast<std::int32_t>(c_bits);
    for (int k = 0; k < op.k; ++k)
      sum += static_cast<std::int64_t>(static_cast<std::int8_t>(q.a_at(a_block, i, k))) *
             static_cast<std::int8_t>(q.b_at(block, j, k));
    e.int_bits = static_cast<std::uint32_t>(static_cast<std::uint64_t>(sum));  // wraps mod 2^32
    return e;
  }
  const double na = (p.mods.neg & 1u) ? -1.0 : 1.0, nb = (p.mods.neg & 2u) ? -1.0 : 1.0, nc = (p.mods.neg & 4u) ? -1.0 : 1.0;
  double c = op.out_type == DataType::f64 ? std::bit_cast<double>(c_bits)
                                          : static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(c_bits)));
  c *= nc;
  double sum = 0, magnitude = std::fabs(c);
  for (int k = 0; k < op.k; ++k) {
    double term = na * value_of(p.a_type, p.arch, q.a_at(a_block, i, k)) * nb * value_of(p.b_type, p.arch, q.b_at(block, j, k));
    if (scales.enabled)
      term *= scales.factor(scales.a_words, scales.a_byte, op.m, i, k / 32) *
              scales.factor(scales.b_words, scales.b_byte, op.n, j, k / 32);
    sum += term;
    magnitude += std::fabs(term);
  }
  e.value = sum + c;
  e.magnitude = magnitude;
  return e;
}

// Re-reads B's codes from registers through the documented layout (used after a lane swizzle).
inline void reload_b(Problem& p, const Regs& regs) {
  const MfmaOp& op = *p.op;
  const int per_lane = op.n * op.k * op.blocks / kLanes;
  const int width = bits_of(p.b_type);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int t = 0; t < per_lane; ++t) {
      const InputElement e = input_element(op, op.n, p.b_type, lane, t);
      p.b_at(e.block, e.row, e.k) = regs.get_bits(lane, t * width, width);
    }
}

// The B lanes seen through BLGP: a copy of B's registers where lane l holds what lane
// blgp_lane(l) held, so that the documented layout applies unchanged.
inline Regs apply_blgp_to_b(const Regs& b, std::uint32_t blgp) {
  Regs out(b.count);
  for (int r = 0; r < b.count; ++r)
    for (int lane = 0; lane < kLanes; ++lane) out.at(r, lane) = b.at(r, blgp_lane(blgp, lane));
  return out;
}

}  // namespace mfma_test

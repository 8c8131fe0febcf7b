// Matrix-core (MFMA) semantics of CDNA3 (gfx942) and CDNA4 (gfx950) as pure functions.
//
// The emulator calls execute() from its MFMA instruction entry; the performance model and the
// hazard checker read the shape data (cycles, passes, FLOPs, wait states). Nothing here prints,
// aborts or throws: a rejected call returns a message and writes nothing.
//
// Register convention: every operand is "register-major lane arrays": word (r, lane) of an
// operand whose register tuple holds R registers is at index r * 64 + lane, the tuple contiguous.
// This is how the emulator stores VGPRs/AGPRs, so it passes pointers into its register file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "asmk/ref/arch.hpp"

namespace asmk::mfma {

using asmk::Arch;

inline constexpr int kWaveSize = 64;

/// Element type of an MFMA input (A, B) or output (C, D) operand.
enum class DataType : std::uint8_t {
  f64,
  f32,
  xf32,  // f32 storage, reduced-precision multiply (CDNA3 only)
  f16,
  bf16,
  i8,
  i32,
  fp8,  // gfx942: e4m3fnuz, gfx950: OCP e4m3fn
  bf8,  // gfx942: e5m2fnuz, gfx950: OCP e5m2
  fp6,  // OCP e2m3 (gfx950 f8f6f4 only)
  bf6,  // OCP e3m2 (gfx950 f8f6f4 only)
  fp4,  // OCP e2m1 (gfx950 f8f6f4 only)
};

std::string_view data_type_name(DataType type);
/// Storage width of one element in bits (64, 32, 16, 8, 6 or 4).
int data_type_bits(DataType type);

/// The format codes of the gfx950 f8f6f4 instructions: cbsz picks A's format, blgp picks B's.
/// Returns false for codes the ISA does not define (5..7).
bool f8f6f4_format(std::uint32_t code, DataType& type);

/// Static description of one MFMA instruction on one architecture.
struct MfmaOp {
  std::string_view mnemonic;  // as LLVM 22's instruction printer prints it, e.g. "v_mfma_f32_32x32x8_bf16"
  Arch arch;

  // D[b] = A[b] (M x K) * B[b] (K x N) + C[b] (M x N) for each block b < blocks.
  int m, n, k, blocks;

  // Element types. For f8f6f4 instructions a_type/b_type are fp8: the real formats come from
  // cbsz/blgp at execution (see a_registers() / b_registers()).
  DataType a_type, b_type, out_type;

  bool f8f6f4;  // v_mfma[_scale]_f32_*_f8f6f4: cbsz/blgp select the A/B formats
  bool scaled;  // v_mfma_scale_*: per-lane e8m0 block scales (one per 32 K-elements)

  // Registers per lane of each operand (for f8f6f4: with fp8 inputs; fp6 needs 6, fp4 needs 4).
  int a_regs, b_regs, cd_regs;

  // Cost on one SIMD: issue cycles and XDL passes (cycles / 4), the unit of the ISA's wait-state
  // rules. For f8f6f4 these are the fp8 figures; use cycles_for()/passes_for() with the actual
  // formats (fp6/fp4 on both sides take half).
  int cycles;
  int passes;

  // 2 * M * N * K * blocks.
  std::uint64_t flops;

  // Which modifier fields the instruction honours (the encoding always has them).
  bool has_broadcast;  // cbsz/abid broadcast of A between blocks (blocks > 1)
  bool has_blgp;       // blgp lane-group pattern of B (all but f64 and f8f6f4)
  bool has_neg;        // neg:[a,b,c] (f64 only; it reuses the blgp field)

  // v_smfmac_* (4:2 structured sparsity): A holds 2 of every 4 consecutive K-elements of each
  // row (a_regs is half the dense count); a per-lane index word (SrcC's field) says which, and
  // D is also the accumulator. See MfmaOperands::sparse_index.
  bool sparse;
};

/// Instruction by printed mnemonic (lower case) for an arch; nullptr if it does not exist there.
const MfmaOp* find_mfma(std::string_view mnemonic, Arch arch);

/// Every dense MFMA instruction supported for `arch` (for tests, tools and error messages).
std::span<const MfmaOp> all_mfma(Arch arch);

/// Every sparse v_smfmac_* instruction supported for `arch` (find_mfma finds them too).
std::span<const MfmaOp> all_smfmac(Arch arch);

/// A message for an unknown mnemonic: what was asked and which MFMA mnemonics exist on the arch.
std::string unknown_mfma_message(std::string_view mnemonic, Arch arch);

/// Registers per lane of A (cbsz) and B (blgp) for f8f6f4 instructions; op.a_regs/op.b_regs otherwise.
int a_registers(const MfmaOp& op, std::uint32_t cbsz);
int b_registers(const MfmaOp& op, std::uint32_t blgp);

/// Issue cycles and passes with the actual operand formats (f8f6f4: 2x when either operand is
/// fp8/bf8); op.cycles / op.passes for other instructions.
int cycles_for(const MfmaOp& op, std::uint32_t cbsz, std::uint32_t blgp);
int passes_for(const MfmaOp& op, std::uint32_t cbsz, std::uint32_t blgp);

/// Where one matrix element lives in an operand's register tuple: register index within the
/// tuple, lane, and first bit within that register (an fp6 element may continue into reg + 1;
/// an f64 element occupies reg and reg + 1).
struct ElementPlace {
  int reg;
  int lane;
  int bit;
};

/// Layout queries (for kernel authors' checks and tools; execute() uses the same tables).
/// f8f6f4 instructions take the A/B format code (cbsz for A, blgp for B); other instructions
/// ignore it. BLGP lane patterns and CBSZ/ABID broadcasts are not applied here.
/// For sparse instructions a_place describes the dense (uncompressed) A operand of 2x a_regs.
ElementPlace a_place(const MfmaOp& op, int block, int i, int k, std::uint32_t a_format = 0);
ElementPlace b_place(const MfmaOp& op, int block, int k, int j, std::uint32_t b_format = 0);
ElementPlace d_place(const MfmaOp& op, int block, int i, int j);

/// Operands of one execution. All pointers are register-major lane arrays (index r * 64 + lane).
struct MfmaOperands {
  const std::uint32_t* a = nullptr;  // a_registers(op, cbsz) registers
  const std::uint32_t* b = nullptr;  // b_registers(op, blgp) registers
  // C: op.cd_regs registers, or nullptr when SrcC is an inline constant: then every C element is
  // c_constant (its bit pattern in the output type: f32/i32 use the low 32 bits, f64 all 64).
  const std::uint32_t* c = nullptr;
  std::uint64_t c_constant = 0;
  std::uint32_t* d = nullptr;  // op.cd_regs registers; may alias c (or any input)

  std::uint32_t cbsz = 0;  // CDNA3 broadcast size / f8f6f4: A format code
  std::uint32_t abid = 0;  // A-matrix broadcast block id
  std::uint32_t blgp = 0;  // B lane-group pattern / f8f6f4: B format code
  std::uint32_t neg = 0;   // f64 only: bit 0 negates A, bit 1 B, bit 2 C

  // Sparse forms (op.sparse): 64 per-lane index words. Stored A value t of a lane (t counted from
  // bit 0 of its tuple) belongs to the lane's dense K-group t / 2 (4 consecutive K); bits
  // [2t+1 : 2t] of the lane's index set give its position in that group. The index sets are
  // 2 * (stored values per lane) bits wide; with cbsz == 0, abid picks the set (16-bit sources on
  // gfx942: four 8-bit sets; 8-bit sources on gfx942 and 16-bit on gfx950: two 16-bit sets;
  // 8-bit sources on gfx950: the whole word), otherwise set 0 (AMD's matrix instruction calculator).
  const std::uint32_t* sparse_index = nullptr;

  // Scaled forms: 64 per-lane 32-bit words (a VGPR, or an SGPR/constant broadcast by the caller)
  // and which byte of each word holds the e8m0 scale: byte = op_sel | (op_sel_hi << 1), see
  // scale_byte_from_op_sel().
  const std::uint32_t* scale_a = nullptr;
  const std::uint32_t* scale_b = nullptr;
  std::uint32_t scale_a_byte = 0;
  std::uint32_t scale_b_byte = 0;
};

/// Byte of the scale word selected by an operand's op_sel / op_sel_hi bits (0..3).
constexpr std::uint32_t scale_byte_from_op_sel(bool op_sel, bool op_sel_hi) {
  return (op_sel ? 1u : 0u) | (op_sel_hi ? 2u : 0u);
}

/// Outcome of execute()/check(): ok, or why the operands were rejected.
struct MfmaResult {
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
  explicit operator bool() const { return ok(); }
};

/// Validates modifiers and pointers without computing anything.
MfmaResult check(const MfmaOp& op, const MfmaOperands& operands);

/// Computes D = A * B + C for every block, with the modifiers applied. On error, d is untouched.
/// All 64 lanes are computed and written (EXEC is the caller's business). Thread-safe (per-thread
/// scratch; layout tables are built once per instruction and format).
///
/// Arithmetic (the ISA leaves internal precision and order unspecified; this is the model):
///  - float inputs with f32 output: every product is exact (inputs are widened exactly), the
///    products of one output element are summed in binary64 in increasing k, and C is added
///    last with one round-to-nearest-even to f32. NaN/Inf propagate as IEEE arithmetic does;
///    denormals are kept, not flushed.
///  - xf32: inputs are first rounded (nearest-even) to 10 explicit mantissa bits.
///  - f64: acc = C; acc = fma(a, b, acc) in increasing k.
///  - i8 -> i32: exact products, wrapping (two's complement) 32-bit sum including C.
///  - sparse (v_smfmac): the stored A values are placed at their dense K positions (the others
///    are zero) and the dense product is computed as above, C being D. Two indices of one group
///    naming the same position: the later stored value wins (the ISA leaves this undefined).
///  - scaled f8f6f4: each 32-element K block's dot product is multiplied by
///    2^(sa-127) * 2^(sb-127) before being added; an e8m0 code 0xFF (NaN) makes the result NaN.
MfmaResult execute(const MfmaOp& op, const MfmaOperands& operands);

// ------------------------------------------------------------------------------------------
// Hazards: the wait states the ISA requires between an MFMA and a dependent instruction
// (CDNA3 ISA "Dependency Resolution: Required Independent Instructions"; the figures are those
// LLVM 22's GCNHazardRecognizer uses for gfx940/gfx950, see hazards.cpp).

enum class DependencyKind : std::uint8_t {
  srcc_same,            // next MFMA reads the producer's vDst as SrcC, exactly the same registers
  srcc_overlap,         // next MFMA's SrcC overlaps the producer's vDst partially
  srcab_overlap,        // next MFMA reads the producer's vDst as SrcA or SrcB
  valu_read,            // a VALU (incl. v_accvgpr_read/write) reads the producer's vDst
  mem_read,             // a VMEM/FLAT/DS/export instruction reads the producer's vDst
  valu_write_waw,       // a VALU writes a register the producer writes (write after write)
  valu_write_war_srcc,  // a VALU writes a register the producer reads as SrcC (write after read)
};

std::string_view dependency_kind_name(DependencyKind kind);

struct HazardQuery {
  const MfmaOp* producer = nullptr;
  std::uint32_t producer_cbsz = 0;  // f8f6f4: the producer's formats set its pass count
  std::uint32_t producer_blgp = 0;
  DependencyKind kind = DependencyKind::valu_read;
  // The dependent MFMA for srcc_same/srcc_overlap/srcab_overlap (its class matters for SrcC);
  // nullptr means "an instruction like the producer".
  const MfmaOp* consumer = nullptr;
};

/// Wait states (independent instructions, or s_nop N counting N+1) required between the
/// producer and the dependent instruction; 0 when the hardware interlocks.
int required_wait_states(const HazardQuery& query);

/// Convenience for the common case (f8f6f4 producer with fp8 formats, consumer like the producer).
int required_wait_states(const MfmaOp& producer, DependencyKind kind);

/// Hazards that do not depend on which MFMA is involved (same source).
enum class FixedHazard : std::uint8_t {
  valu_write_then_mfma_read,  // a VALU (not a dot op) writes a VGPR an MFMA then reads: 2
  valu_write_exec_then_mfma,  // a VALU writes EXEC, then any MFMA issues: 4
  dgemm_then_fma64,           // v_fma_f64 / v_fmac_f64 after any f64 MFMA: 2
};

int required_wait_states(FixedHazard hazard);

/// The hazard class of an MFMA on its arch: "xdl" (f16/bf16/i8/xf32/fp8/f8f6f4), "sgemm"
/// (f32 inputs, not XDL on gfx94x) or "dgemm" (f64).
std::string_view hazard_class(const MfmaOp& op);

}  // namespace asmk::mfma

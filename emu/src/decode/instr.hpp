// The compact internal form of a decoded kernel: per instruction a semantics function and
// operands resolved once at load time (register file + index, constants, modifiers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"

namespace asmk::emu::detail {

struct Wave;
struct Instr;
using SemanticsFn = void (*)(Wave&, const Instr&);

/// Scalar register indices as the ISA encodes them; one array holds them all.
enum SRegIndex : uint16_t {
  kFlatScratchLo = 102, kXnackMaskLo = 104, kVccLo = 106, kVccHi = 107, kTtmp0 = 108,
  kM0 = 124, kExecLo = 126, kExecHi = 127, kNumSRegs = 128,
};

enum class OpKind : uint8_t { none, sgpr, vgpr, agpr, constant, scc, special, off };
enum class SpecialReg : uint8_t { shared_base, shared_limit, private_base, private_limit, vccz, execz, lds_direct,
                                  pops_exiting_wave_id };

struct Operand {
  OpKind kind = OpKind::none;
  uint8_t dwords = 1;    // tuple length for registers
  uint16_t reg = 0;      // sgpr encoding index, vgpr or agpr number
  bool neg = false, abs = false, sext = false;
  SpecialReg special = SpecialReg::shared_base;
  // Constant values (inline constant or literal), pre-resolved for each operand width:
  uint32_t k32 = 0;      // 32-bit operand (f32 bits for float text)
  uint16_t k16 = 0;      // 16-bit operand (f16 bits for float text)
  uint64_t k64 = 0;      // 64-bit integer operand (sign-extended)
  uint64_t k64f = 0;     // 64-bit float operand (f64 bits; a 32-bit literal is the high half)
  bool is_register() const { return kind == OpKind::sgpr || kind == OpKind::vgpr || kind == OpKind::agpr; }
};

enum class DppCtrl : uint8_t { none, quad_perm, row_shl, row_shr, row_ror, wave_shl, wave_rol, wave_shr, wave_ror,
                               row_mirror, row_half_mirror, row_bcast15, row_bcast31, row_newbcast };

struct Modifiers {
  bool clamp = false;
  uint8_t omod = 0;  // 0 none, 1 mul:2, 2 mul:4, 3 div:2
  uint8_t op_sel = 0, op_sel_hi = 0, neg_lo = 0, neg_hi = 0;
  int32_t offset = 0;
  uint16_t offset0 = 0, offset1 = 0;
  bool offen = false, idxen = false, lds = false, gds = false;
  bool sc0 = false, sc1 = false, nt = false;  // cache bits (glc = sc0, slc = nt on gfx940+ naming)
  uint8_t cbsz = 0, abid = 0, blgp = 0;
  uint8_t bitop3 = 0;  // gfx950 v_bitop3: truth table of (S0, S1, S2)
  // SDWA
  bool sdwa = false;
  uint8_t dst_sel = 6, dst_unused = 0;  // sel: 0..3 BYTE_n, 4..5 WORD_n, 6 DWORD; unused: 0 PAD, 1 SEXT, 2 PRESERVE
  uint8_t src_sel[2] = {6, 6};          // SDWA selects of the first two sources
  // DPP
  DppCtrl dpp = DppCtrl::none;
  uint8_t dpp_arg = 0;  // quad_perm packed 2 bits per lane, the shift amount, or row_newbcast's lane
  uint8_t row_mask = 0xf, bank_mask = 0xf;
  bool bound_ctrl = false;  // true: invalid source lanes read 0
};

enum class InstrClass : uint8_t { salu, smem, valu, vmem, lds, mfma, branch, special, count };
const char* instr_class_name(InstrClass c);

struct Instr {
  SemanticsFn fn = nullptr;
  int32_t pc = 0;           // byte offset from the kernel entry (negative for code placed before it)
  uint32_t size = 0;
  uint32_t index = 0;       // position in KernelProgram::code
  int32_t target = -1;      // branch target (instruction index), -1 if none or invalid
  uint16_t mnemonic = 0;    // index into KernelProgram::mnemonics
  InstrClass cls = InstrClass::salu;
  uint8_t num_ops = 0;
  uint8_t num_dst = 0;      // the first num_dst operands are written, the rest read
  uint8_t mem_dwords = 0;   // for memory instructions: dwords per lane moved (set by the family)
  int64_t imm = 0;          // raw immediate of SOPP/SOPK-style instructions (simm16, waitcnt, hwreg)
  const void* aux = nullptr;  // family data resolved at load time (e.g. the MFMA shape)
  Operand op[6];
  Modifiers m;
};

}  // namespace asmk::emu::detail

namespace asmk::emu {

/// A kernel's decoded code, shared by all launches of it.
struct KernelProgram {
  std::vector<detail::Instr> code;
  std::vector<std::string> text;       // disassembly per instruction (same index as code)
  std::vector<std::string> mnemonics;  // distinct mnemonics; Instr::mnemonic indexes here
  Arch arch = Arch::gfx942;
  uint64_t entry_vaddr = 0;            // the entry's virtual address in the loaded image
  std::shared_ptr<const std::vector<uint8_t>> image;  // the code object's loadable image (see launch)
  /// Instruction index for a byte offset from the kernel entry, or -1.
  int32_t index_of(int64_t pc) const;
  /// Instruction index for a byte offset from the start of the code section, or -1.
  int32_t index_at_offset(uint64_t offset) const;
  std::vector<int32_t> index_by_dword;  // section offset / 4 -> instruction index or -1
  uint64_t entry_offset = 0;            // the kernel entry's offset in the section
  int32_t entry_index = 0;              // the kernel entry's instruction index
};

}  // namespace asmk::emu

// LLVM MC set-up for AMDGPU (compiled with -fno-rtti, like libLLVM). One context per arch,
// created once and shared; disassembly is serialised because MCContext is not thread-safe.
#include "mc_disassembler.hpp"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstPrinter.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Triple.h>

#include <memory>
#include <mutex>

namespace asmk::emu::detail {
namespace {

struct McContext {
  std::unique_ptr<llvm::MCRegisterInfo> mri;
  std::unique_ptr<llvm::MCAsmInfo> mai;
  std::unique_ptr<llvm::MCSubtargetInfo> sti;
  std::unique_ptr<llvm::MCInstrInfo> mii;
  std::unique_ptr<llvm::MCContext> ctx;
  std::unique_ptr<llvm::MCDisassembler> disassembler;
  std::unique_ptr<llvm::MCInstPrinter> printer;
  std::mutex mutex;
  std::string error;
};

McContext* context_for(Arch arch) {
  static std::once_flag init_once;
  std::call_once(init_once, [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUDisassembler();
  });
  static McContext contexts[2];
  static std::once_flag made[2];
  int i = arch == Arch::gfx942 ? 0 : 1;
  std::call_once(made[i], [&] {
    McContext& c = contexts[i];
    llvm::Triple triple("amdgcn-amd-amdhsa");
    std::string err;
    const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, err);
    if (!target) {
      c.error = "LLVM has no AMDGPU target: " + err;
      return;
    }
    llvm::MCTargetOptions options;
    c.mri.reset(target->createMCRegInfo(triple));
    c.mai.reset(c.mri ? target->createMCAsmInfo(*c.mri, triple, options) : nullptr);
    c.sti.reset(target->createMCSubtargetInfo(triple, std::string(arch_name(arch)), ""));
    c.mii.reset(target->createMCInstrInfo());
    if (!c.mri || !c.mai || !c.sti || !c.mii) {
      c.error = "LLVM AMDGPU target lacks MC components";
      return;
    }
    c.ctx = std::make_unique<llvm::MCContext>(triple, c.mai.get(), c.mri.get(), c.sti.get());
    c.disassembler.reset(target->createMCDisassembler(*c.sti, *c.ctx));
    c.printer.reset(target->createMCInstPrinter(triple, 0, *c.mai, *c.mii, *c.mri));
    if (!c.disassembler || !c.printer) c.error = "LLVM AMDGPU disassembler or printer unavailable";
  });
  return &contexts[i];
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// LLVM 22's AMDGPU disassembler crashes (rather than failing) on a few invalid encodings that
// the fuzzer found; such words are screened here and reported as undecodable instead.
//  - VOP3/VOP3P with a source field of 255 (a literal, which GFX9 VOP3 cannot take);
//  - SDWA with a src/dst select of 7 (selects are 0..6: BYTE_0..3, WORD_0..1, DWORD);
//  - MUBUF/MTBUF with an soffset field of 255 (a literal, which they cannot take);
//  - v_mfma_ld_scale_b32 followed by an f8f6f4 MFMA whose A or B source is not a VGPR/AGPR.
bool crashes_llvm_disassembler(llvm::ArrayRef<uint8_t> bytes) {
  if (bytes.size() < 8) return false;
  auto word = [&](size_t i) {
    return uint32_t(bytes[i]) | uint32_t(bytes[i + 1]) << 8 | uint32_t(bytes[i + 2]) << 16 |
           uint32_t(bytes[i + 3]) << 24;
  };
  const uint32_t w0 = word(0), w1 = word(4);
  const bool mubuf = (w0 >> 26) == 0x38, mtbuf = (w0 >> 26) == 0x3A;
  if ((mubuf || mtbuf) && (w1 >> 24) == 0xFF) return true;
  const bool vop3 = (w0 >> 26) == 0x34;       // VOP3a/b (and VOP3P-MAI, 0xD3...)
  const bool vop3p = (w0 >> 23) == 0x1A7;     // VOP3P
  if (vop3 || vop3p) {
    for (unsigned field : {w1 & 0x1FFu, (w1 >> 9) & 0x1FFu, (w1 >> 18) & 0x1FFu})
      if (field == 0xFF) return true;
    // gfx950 decodes v_mfma_ld_scale_b32 (VOP3P 0x2C) together with the MFMA after it; when that is
    // v_mfma_f32_{16x16x128,32x32x64}_f8f6f4 (VOP3P 0x2D / 0x2E) with an A or B source field below
    // 256 (an SGPR or constant, where the register tuple must be), getSubReg segfaults (found by the
    // code-object fuzzer on a mutated MXFP4 moe_gemm seed). The fields 0..255 are never valid there.
    if (vop3p && ((w0 >> 16) & 0x7F) == 0x2C && bytes.size() >= 16) {
      const uint32_t w2 = word(8), w3 = word(12);
      const unsigned next_op = (w2 >> 16) & 0x7F;
      if ((w2 >> 23) == 0x1A7 && (next_op == 0x2D || next_op == 0x2E) && ((w3 & 0x1FFu) < 256 || ((w3 >> 9) & 0x1FFu) < 256))
        return true;
    }
    // A scalar destination of 255 (a literal, never a destination): VOPC in VOP3 form (opcodes
    // 0x000-0x0FF) and v_readlane_b32 (0x289) put SDST in [7:0]; gfx942's disassembler segfaults on
    // it in the Twine of its error comment (found by the code-object fuzzer).
    const unsigned opcode = (w0 >> 16) & 0x3FF;
    if (vop3 && (w0 & 0xFF) == 0xFF && (opcode < 0x100 || opcode == 0x289)) return true;
    return false;
  }
  const bool vop1 = (w0 >> 25) == 0x3F, vopc = (w0 >> 25) == 0x3E, vop2 = (w0 >> 31) == 0;
  if ((vop1 || vopc || vop2) && (w0 & 0x1FF) == 0xF9) {  // src0 = SDWA
    const unsigned dst_sel = (w1 >> 8) & 7, src0_sel = (w1 >> 16) & 7, src1_sel = (w1 >> 24) & 7;
    return src0_sel == 7 || src1_sel == 7 || (!vopc && dst_sel == 7);
  }
  return false;
}

}  // namespace

Expected<std::vector<RawInstruction>> disassemble(Arch arch, std::span<const uint8_t> code) {
  McContext* c = context_for(arch);
  if (!c->error.empty()) return Status::error(c->error);
  std::lock_guard lock(c->mutex);
  std::vector<RawInstruction> out;
  // LLVM reads a trailing literal without checking the end of the buffer (and crashes on a
  // truncated one), so decode from a zero-padded copy and refuse what runs past the real end.
  std::vector<uint8_t> padded(code.begin(), code.end());
  padded.resize(code.size() + 16, 0);
  llvm::ArrayRef<uint8_t> bytes(padded.data(), padded.size());
  uint64_t offset = 0;
  while (offset + 4 <= code.size()) {
    llvm::MCInst inst;
    uint64_t size = 0;
    RawInstruction raw;
    raw.offset = offset;
    const bool screened = crashes_llvm_disassembler(bytes.slice(offset));
    auto result = screened ? llvm::MCDisassembler::Fail
                           : c->disassembler->getInstruction(inst, size, bytes.slice(offset), offset, llvm::nulls());
    if (result != llvm::MCDisassembler::Success || size == 0 || offset + size > code.size()) {
      raw.size = 4;
      out.push_back(std::move(raw));
      offset += 4;
      continue;
    }
    raw.size = static_cast<uint32_t>(size);
    std::string text;
    llvm::raw_string_ostream os(text);
    c->printer->printInst(&inst, offset, "", *c->sti, os);
    os.flush();
    raw.text = trim(text);
    raw.opcode_name = c->mii->getName(inst.getOpcode()).str();
    for (const llvm::MCOperand& op : inst)
      if (op.isImm()) raw.immediates.push_back(op.getImm());
    out.push_back(std::move(raw));
    offset += size;
  }
  return out;
}

}  // namespace asmk::emu::detail

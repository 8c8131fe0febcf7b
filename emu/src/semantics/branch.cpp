// Program control (SOPP and the SOP1 PC instructions): branches, s_endpgm, s_barrier, s_waitcnt,
// and the instructions that only affect timing (s_nop, s_sleep, s_setprio, ...), which do nothing here.
#include "common.hpp"

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry ctrl(SemanticsFn fn, InstrClass cls = InstrClass::branch, int8_t ndst = 0) {
  return {fn, cls, ndst, 0};
}

void jump(Wave& w, const Instr& in) {
  if (in.target < 0) {
    w.fault(FaultKind::bad_branch, in, -1, uint64_t(in.imm), "branch target is outside the kernel's code");
    return;
  }
  w.pc = uint32_t(in.target);
}

/// Jumps to an absolute code address (s_setpc/s_swappc).
void jump_address(Wave& w, const Instr& in, uint64_t address) {
  const KernelProgram& p = *w.ctx->program;
  int32_t idx = p.index_of(int64_t(address - w.ctx->code_address));
  if (idx < 0) {
    w.fault(FaultKind::bad_branch, in, -1, address, "s_setpc target is not an instruction of this kernel");
    return;
  }
  w.pc = uint32_t(idx);
}

void nothing(Wave&, const Instr&) {}

}  // namespace

void register_branch(Registry& r) {
  r.add("s_endpgm", ctrl([](Wave& w, const Instr&) { w.done = true; }));
  r.add("s_branch", ctrl(jump));
  r.add("s_cbranch_scc0", ctrl([](Wave& w, const Instr& in) { if (!w.scc) jump(w, in); }));
  r.add("s_cbranch_scc1", ctrl([](Wave& w, const Instr& in) { if (w.scc) jump(w, in); }));
  r.add("s_cbranch_vccz", ctrl([](Wave& w, const Instr& in) { if (w.vcc() == 0) jump(w, in); }));
  r.add("s_cbranch_vccnz", ctrl([](Wave& w, const Instr& in) { if (w.vcc() != 0) jump(w, in); }));
  r.add("s_cbranch_execz", ctrl([](Wave& w, const Instr& in) { if (w.exec() == 0) jump(w, in); }));
  r.add("s_cbranch_execnz", ctrl([](Wave& w, const Instr& in) { if (w.exec() != 0) jump(w, in); }));
  r.add("s_setpc_b64", ctrl([](Wave& w, const Instr& in) { jump_address(w, in, sread64(w, in.op[0])); }));
  r.add("s_swappc_b64", ctrl([](Wave& w, const Instr& in) {
          uint64_t target = sread64(w, in.op[1]);
          swrite64(w, in.op[0], w.ctx->code_address + uint64_t(int64_t(in.pc) + in.size));
          jump_address(w, in, target);
        }, InstrClass::branch, 1));
  r.add("s_call_b64", ctrl([](Wave& w, const Instr& in) {
          swrite64(w, in.op[0], w.ctx->code_address + uint64_t(int64_t(in.pc) + in.size));
          jump(w, in);
        }, InstrClass::branch, 1));
  // s_barrier: the wave waits until every live wave of its workgroup arrives (see launch.cpp).
  r.add("s_barrier", ctrl([](Wave& w, const Instr&) { w.at_barrier = true; }, InstrClass::special));
  // s_waitcnt simm16: vmcnt = {[15:14], [3:0]}, expcnt = [6:4], lgkmcnt = [11:8].
  r.add("s_waitcnt", ctrl([](Wave& w, const Instr& in) {
          uint32_t v = uint32_t(in.imm);
          unsigned vm = (v & 0xf) | ((v >> 10) & 0x30);
          unsigned lgkm = (v >> 8) & 0xf;
          wait_counts(w, vm, lgkm);
        }, InstrClass::special));
  r.add("s_trap", ctrl([](Wave& w, const Instr& in) {
          w.fault(FaultKind::bad_instruction, in, -1, 0, "s_trap: the kernel raised a trap");
        }, InstrClass::special));
  for (const char* name : {"s_nop", "s_sleep", "s_setprio", "s_icache_inv", "s_dcache_wb", "s_dcache_inv",
                           "s_dcache_wb_vol", "s_dcache_inv_vol", "s_incperflevel", "s_decperflevel",
                           "s_ttracedata", "s_sendmsg", "s_sendmsghalt", "s_sethalt",
                           "s_setkill", "s_buffer_wbinvl1", "buffer_wbinvl1", "buffer_wbinvl1_vol", "buffer_wbl2",
                           "buffer_inv", "s_endpgm_saved"})
    r.add(name, ctrl(nothing, InstrClass::special));
}

}  // namespace asmk::emu::detail

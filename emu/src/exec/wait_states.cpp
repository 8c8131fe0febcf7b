// Strict mode: the VALU wait-state rules of asmk/emu/wait_states.hpp. The table is data; the
// checker below only matches its writes and reads. Wait states are counted as the MFMA checker
// counts them (Wave::wait_states: each issued instruction one, s_nop N N + 1; a taken branch one).
#include "asmk/emu/wait_states.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "wave.hpp"

namespace asmk::emu {
namespace {

using W = WaitStateWrite;
using R = WaitStateRead;

// CDNA3 ISA (MI300) and CDNA4 ISA (MI355), "Manually Inserted Wait States (NOPs)"; the figures are
// those of LLVM 22's GCNHazardRecognizer for gfx940/gfx950 (checkRWLaneHazards, checkVMEMHazards,
// checkDivFMasHazards, and checkVALUHazards under hasVDecCoExecHazard(), which GCNSubtarget sets for
// GFX940Insts: "does not have HW interlocks for VALU writing and then reading SGPRs"). clang's
// gfx942 output shows them: `v_cmp_lt_f32 vcc, ...; v_readfirstlane_b32 s0, ...; s_nop 0;
// v_cndmask_b32 ..., vcc` and `v_readlane_b32 s0, ...; s_nop 1; v_mov_b32 v2, s0`.
// The three gfx940+ rules (opt_in) are checked only with LaunchOptions::strict_interlocks: the GEMM
// families' shared code (asm_src: the split-K chunk, the setup's v_readfirstlane, the main loops'
// v_cmp/v_cndmask pairs) does not meet them yet; once it does they join the others.
constexpr std::array kRules = {
    WaitStateRule{"valu-sgpr-lane-select", W::sgpr, R::lane_select, 4, false,
                  "ISA: VALU writes SGPR -> V_{READ,WRITE}LANE using that SGPR as the lane select: 4 "
                  "(LLVM checkRWLaneHazards, RWLaneWaitStates = 4; an SALU write has no such rule)"},
    WaitStateRule{"valu-sgpr-vmem", W::sgpr, R::vmem_source, 5, false,
                  "ISA: VALU writes SGPR -> VMEM reads that SGPR: 5 (LLVM checkVMEMHazards, VmemSgprWaitStates)"},
    WaitStateRule{"valu-vcc-div-fmas", W::sgpr, R::div_fmas_vcc, 4, false,
                  "ISA: VALU writes VCC -> V_DIV_FMAS: 4 (LLVM checkDivFMasHazards)"},
    WaitStateRule{"valu-sgpr-valu", W::sgpr, R::valu_source, 2, true,
                  "gfx940+: VALU writes SGPR/VCC -> VALU reads it: 2 (LLVM checkVALUHazards, "
                  "VALUWriteSGPRVALUReadWaitstates, hasVDecCoExecHazard)"},
    WaitStateRule{"valu-exec-rw-lane", W::exec, R::rw_lane, 4, true,
                  "gfx940+: VALU writes EXEC -> v_readlane / v_readfirstlane / v_writelane: 4 (LLVM "
                  "checkVALUHazards, VALUWriteEXECRWLane)"},
    WaitStateRule{"valu-vgpr-readlane", W::vgpr, R::readlane_vsrc, 1, true,
                  "gfx940+: VALU writes VGPR -> v_readlane / v_readfirstlane read it: 1 (LLVM checkVALUHazards, "
                  "VALUWriteVGPRReadlaneRead)"},
};

}  // namespace

std::span<const WaitStateRule> wait_state_rules() { return kRules; }

}  // namespace asmk::emu

namespace asmk::emu::detail {
namespace {

bool overlaps(int r1, int n1, int r2, int n2) { return r1 < r2 + n2 && r2 < r1 + n1; }

struct Kind {
  bool readlane = false, writelane = false, readfirstlane = false, div_fmas = false, cmpx = false;
};
Kind kind_of(std::string_view mn) {
  Kind k;
  k.readlane = mn.starts_with("v_readlane_b32");
  k.writelane = mn.starts_with("v_writelane_b32");
  k.readfirstlane = mn.starts_with("v_readfirstlane_b32");
  k.div_fmas = mn.starts_with("v_div_fmas_");
  k.cmpx = mn.starts_with("v_cmpx_");
  return k;
}

const WaitStateRule& rule_for(WaitStateRead read) {
  for (const WaitStateRule& r : ::asmk::emu::kRules)
    if (r.read == read) return r;
  return ::asmk::emu::kRules[0];  // unreachable: every read kind has a rule
}

}  // namespace

void check_wait_states(Wave& w, const Instr& in) {
  const uint64_t now = w.wait_states;  // this instruction's count (check_mfma_hazards adds it after)
  const bool valu = in.cls == InstrClass::valu || in.cls == InstrClass::mfma;
  if (!valu && in.cls != InstrClass::vmem) return;
  const Kind k = valu ? kind_of(w.ctx->program->mnemonics[in.mnemonic]) : Kind{};
  // the wait states since a write recorded as count + 1 (0: none)
  auto since = [&](uint64_t at1) -> int64_t { return at1 == 0 ? INT64_MAX : int64_t(now) - int64_t(at1); };
  // `what` and `reg` (-1: none) name the read; the message is built only for a finding (this runs per instruction).
  auto check = [&](WaitStateRead read, int64_t got, const char* what, int reg = -1) {
    const WaitStateRule& r = rule_for(read);
    if (r.opt_in && !w.ctx->options.strict_interlocks) return;
    if (got < r.wait_states)
      w.strict_report(FaultKind::hazard, in, -1, 0,
                      std::string(what) + (reg >= 0 ? std::to_string(reg) : "") + " " + std::to_string(got) +
                          " wait states after a VALU wrote it; the ISA requires " + std::to_string(r.wait_states) +
                          " (" + std::string(r.id) + ")");
  };
  auto sgpr_since = [&](const Operand& o) {
    int64_t got = INT64_MAX;
    for (int d = 0; d < o.dwords && o.reg + d < kNumSRegs; d++) got = std::min(got, since(w.valu_sgpr_written[o.reg + d]));
    return got;
  };
  // ---- reads
  for (int i = in.num_dst; i < in.num_ops; i++) {
    const Operand& o = in.op[i];
    if (o.kind == OpKind::sgpr) {
      const int64_t got = sgpr_since(o);
      if (got == INT64_MAX) continue;
      if (!valu) check(WaitStateRead::vmem_source, got, "reads s", o.reg);
      else if ((k.readlane || k.writelane) && i == in.num_dst + 1) check(WaitStateRead::lane_select, got, "lane select s", o.reg);
      else check(WaitStateRead::valu_source, got, "reads s", o.reg);
    } else if (o.kind == OpKind::vgpr && (k.readlane || k.readfirstlane) && i == in.num_dst && w.valu_vgpr_written &&
               overlaps(o.reg, o.dwords, w.valu_vgpr_reg, w.valu_vgpr_count)) {
      check(WaitStateRead::readlane_vsrc, since(w.valu_vgpr_written), "reads v", o.reg);
    }
  }
  if (k.div_fmas) {
    Operand vcc;
    vcc.kind = OpKind::sgpr;
    vcc.reg = kVccLo;
    vcc.dwords = 2;
    if (const int64_t got = sgpr_since(vcc); got != INT64_MAX) check(WaitStateRead::div_fmas_vcc, got, "reads vcc");
  }
  if (k.readlane || k.readfirstlane || k.writelane) {
    const int64_t got = std::min(since(w.valu_sgpr_written[kExecLo]), since(w.valu_sgpr_written[kExecHi]));
    if (got != INT64_MAX) check(WaitStateRead::rw_lane, got, "issues (EXEC)");
  }
  // ---- writes (a VALU's scalar and vector destinations; v_cmpx also writes EXEC)
  if (!valu) return;
  bool wrote_vgpr = false;
  for (int i = 0; i < in.num_dst; i++) {
    const Operand& o = in.op[i];
    if (o.kind == OpKind::sgpr) {
      for (int d = 0; d < o.dwords && o.reg + d < kNumSRegs; d++) w.valu_sgpr_written[o.reg + d] = now + 1;
    } else if (o.kind == OpKind::vgpr && !wrote_vgpr) {
      wrote_vgpr = true;
      w.valu_vgpr_written = now + 1;
      w.valu_vgpr_reg = o.reg;
      w.valu_vgpr_count = o.dwords;
    }
  }
  if (!wrote_vgpr) w.valu_vgpr_written = 0;  // only the last VALU's destination matters (the rule asks 1)
  if (k.cmpx) w.valu_sgpr_written[kExecLo] = w.valu_sgpr_written[kExecHi] = now + 1;
}

}  // namespace asmk::emu::detail

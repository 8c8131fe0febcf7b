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

// Sources, per rule below: the AMD CDNA3 (MI300) and CDNA4 (MI355) ISA guides, section "Manually
// Inserted Wait States (NOPs)", and LLVM's lib/Target/AMDGPU/GCNHazardRecognizer.cpp (main, 2026),
// whose predicates GCNSubtarget.h sets for gfx942 and gfx950 alike: hasVDecCoExecHazard,
// hasTransForwardingHazard and hasDstSelForwardingHazard are `GFX940Insts` ("does not have HW
// interlocks for VALU writing and then reading SGPRs"; "one cycle hazard on transcendental instruction
// feeding a non transcendental VALU"; "... partially writing dst with a shift of result bits feeding
// another VALU"), hasVMEMReadSGPRVALUDefHazard is `generation <= GFX9` and hasReadM0LdsDmaHazard
// `generation == GFX9` (both archs are GFX9), checkDPPHazards and checkRWLaneHazards apply to every
// GFX9 target. LLVM counts wait states as this checker does (an instruction one, s_nop N N + 1). None
// of them differs between gfx942 and gfx950, so the table has no per-arch column. Each figure and
// predicate was checked against LLVM's code (GCNHazardRecognizer.cpp, GCNSubtarget.h); the ISA guides'
// tables were not at hand when the last five rows were added, so their "ISA:" rows are as LLVM
// implements them (LLVM cites the same tables). clang's gfx942
// output shows the interlock rules: `v_cmp_lt_f32 vcc, ...; v_readfirstlane_b32 s0, ...; s_nop 0;
// v_cndmask_b32 ..., vcc` and `v_readlane_b32 s0, ...; s_nop 1; v_mov_b32 v2, s0`.
// v_readfirstlane counts as a readlane for the EXEC and VGPR rules (LLVM's switch lists
// V_READLANE_B32 and V_READFIRSTLANE_B32; V_WRITELANE_B32 only for EXEC), not for the lane select
// (it has none). MFMA producers and consumers are the matrix-core table's (emu/mfma).
constexpr std::array kRules = {
    WaitStateRule{"valu-sgpr-lane-select", W::sgpr, R::lane_select, 4,
                  "ISA: VALU writes SGPR -> V_{READ,WRITE}LANE using that SGPR as the lane select: 4 "
                  "(LLVM checkRWLaneHazards, RWLaneWaitStates = 4; an SALU write has no such rule)"},
    WaitStateRule{"valu-sgpr-vmem", W::sgpr, R::vmem_source, 5,
                  "ISA: VALU writes SGPR -> VMEM reads that SGPR: 5 (LLVM checkVMEMHazards, VmemSgprWaitStates; "
                  "M0 of an LDS DMA included)"},
    WaitStateRule{"valu-vcc-div-fmas", W::sgpr, R::div_fmas_vcc, 4,
                  "ISA: VALU writes VCC -> V_DIV_FMAS: 4 (LLVM checkDivFMasHazards)"},
    WaitStateRule{"valu-sgpr-valu", W::sgpr, R::valu_source, 2,
                  "ISA gfx940+: VALU writes SGPR/VCC -> VALU reads it (explicitly or VCC implicitly): 2 (LLVM "
                  "checkVALUHazards, VALUWriteSGPRVALUReadWaitstates = 2, hasVDecCoExecHazard)"},
    WaitStateRule{"valu-exec-rw-lane", W::exec, R::rw_lane, 4,
                  "ISA gfx940+: VALU writes EXEC -> v_readlane / v_readfirstlane / v_writelane: 4 (LLVM "
                  "checkVALUHazards, VALUWriteEXECRWLane = 4)"},
    WaitStateRule{"valu-vgpr-readlane", W::vgpr, R::readlane_vsrc, 1,
                  "ISA gfx940+: VALU writes VGPR -> v_readlane / v_readfirstlane read it: 1 (LLVM checkVALUHazards, "
                  "VALUWriteVGPRReadlaneRead = 1)"},
    WaitStateRule{"valu-trans-use", W::trans_vgpr, R::nontrans_vsrc, 1,
                  "ISA gfx940+: VALU Trans op -> non-trans VALU consumes its result: 1 (LLVM checkVALUHazards, "
                  "TransDefWaitstates = 1, hasTransForwardingHazard)"},
    WaitStateRule{"valu-dst-sel-use", W::partial_vgpr, R::valu_vsrc, 1,
                  "ISA gfx940+: VALU writes a VGPR with SDWA dst_sel != DWORD or op_sel[3] -> VALU reads it: 1 (LLVM "
                  "checkVALUHazards, Shift16DefWaitstates = 1, hasDstSelForwardingHazard)"},
    WaitStateRule{"valu-vgpr-dpp", W::vgpr, R::dpp_vsrc, 2,
                  "ISA: VALU writes VGPR -> VALU DPP reads that VGPR: 2 (LLVM checkDPPHazards, DppVgprWaitStates)"},
    WaitStateRule{"valu-exec-dpp", W::exec, R::dpp, 5,
                  "ISA: VALU writes EXEC -> VALU DPP op: 5 (LLVM checkDPPHazards, DppExecWaitStates)"},
    WaitStateRule{"salu-m0-lds-dma", W::salu_m0, R::lds_dma, 1,
                  "ISA: SALU writes M0 -> buffer/global load to LDS (reads M0): 1 (LLVM checkReadM0Hazards, "
                  "ReadM0WaitStates = 1, hasReadM0LdsDmaHazard)"},
};

}  // namespace

std::span<const WaitStateRule> wait_state_rules() { return kRules; }

}  // namespace asmk::emu

namespace asmk::emu::detail {
namespace {

bool overlaps(int r1, int n1, int r2, int n2) { return r1 < r2 + n2 && r2 < r1 + n1; }

const WaitStateRule& rule_for(WaitStateRead read) {
  for (const WaitStateRule& r : ::asmk::emu::kRules)
    if (r.read == read) return r;
  return ::asmk::emu::kRules[0];  // unreachable: every read kind has a rule
}

}  // namespace

WaitStateKind wait_state_kind_of(const Instr& in, std::string_view mn) {
  WaitStateKind k;
  k.readlane = mn.starts_with("v_readlane_b32");
  k.writelane = mn.starts_with("v_writelane_b32");
  k.readfirstlane = mn.starts_with("v_readfirstlane_b32");
  k.div_fmas = mn.starts_with("v_div_fmas_");
  k.cmpx = mn.starts_with("v_cmpx_");
  // LLVM's TRANS flag (VOP1Instructions.td): exp, log (and _legacy), rcp (and _iflag), rsq, sqrt, sin, cos
  for (std::string_view t : {"v_exp_", "v_log_", "v_rcp_", "v_rsq_", "v_sqrt_", "v_sin_", "v_cos_"})
    k.trans |= mn.starts_with(t);
  k.lds_dma = in.cls == InstrClass::vmem && (in.m.lds || mn.starts_with("global_load_lds"));
  return k;
}

void check_wait_states(Wave& w, const Instr& in) {
  const uint64_t now = w.wait_states;  // this instruction's count (check_mfma_hazards adds it after)
  // the wait states since a write recorded as count + 1 (0: none)
  auto since = [&](uint64_t at1) -> int64_t { return at1 == 0 ? INT64_MAX : int64_t(now) - int64_t(at1); };
  if (in.cls == InstrClass::salu) {  // only M0's SALU writes matter (salu-m0-lds-dma)
    for (int i = 0; i < in.num_dst; i++)
      if (in.op[i].kind == OpKind::sgpr && overlaps(in.op[i].reg, in.op[i].dwords, kM0, 1)) w.salu_m0_written = now + 1;
    return;
  }
  const bool valu = in.cls == InstrClass::valu || in.cls == InstrClass::mfma;
  if (!valu && in.cls != InstrClass::vmem) return;
  const WaitStateKind& k = w.ctx->wait_state_kinds[in.index];
  const bool dpp = valu && in.m.dpp != DppCtrl::none;
  // `what` and `reg` (-1: none) name the read; the message is built only for a finding (this runs per instruction).
  auto check = [&](WaitStateRead read, int64_t got, const char* what, int reg = -1) {
    const WaitStateRule& r = rule_for(read);
    if (got < r.wait_states)
      w.strict_report(FaultKind::hazard, in, -1, 0,
                      std::string(what) + (reg >= 0 ? std::to_string(reg) : "") + " " + std::to_string(got) +
                          " wait states after " + (r.write == WaitStateWrite::salu_m0 ? "a SALU" : "a VALU") +
                          " wrote it; the ISA requires " + std::to_string(r.wait_states) + " (" + std::string(r.id) +
                          ")");
  };
  auto sgpr_since = [&](int reg, int dwords) {
    int64_t got = INT64_MAX;
    for (int d = 0; d < dwords && reg + d < kNumSRegs; d++) got = std::min(got, since(w.valu_sgpr_written[reg + d]));
    return got;
  };
  // the wait states since the last of the two latest VALU VGPR writes that `o` overlaps and `pick` selects
  auto vgpr_since = [&](const Operand& o, auto pick) {
    int64_t got = INT64_MAX;
    for (const Wave::ValuVgprWrite& wr : w.valu_vgpr_writes)
      if (wr.at && pick(wr) && overlaps(o.reg, o.dwords, wr.reg, wr.count)) got = std::min(got, since(wr.at));
    return got;
  };
  // ---- reads
  for (int i = in.num_dst; i < in.num_ops; i++) {
    const Operand& o = in.op[i];
    if (o.kind == OpKind::sgpr) {
      const int64_t got = sgpr_since(o.reg, o.dwords);
      if (got == INT64_MAX) continue;
      if (!valu) check(WaitStateRead::vmem_source, got, "reads s", o.reg);
      else if ((k.readlane || k.writelane) && i == in.num_dst + 1) check(WaitStateRead::lane_select, got, "lane select s", o.reg);
      else check(WaitStateRead::valu_source, got, "reads s", o.reg);
    } else if (o.kind == OpKind::vgpr && valu) {
      if ((k.readlane || k.readfirstlane) && i == in.num_dst)
        if (const int64_t got = vgpr_since(o, [](const Wave::ValuVgprWrite&) { return true; }); got != INT64_MAX)
          check(WaitStateRead::readlane_vsrc, got, "reads v", o.reg);
      if (!k.trans)
        if (const int64_t got = vgpr_since(o, [](const Wave::ValuVgprWrite& wr) { return wr.trans; }); got != INT64_MAX)
          check(WaitStateRead::nontrans_vsrc, got, "reads v", o.reg);
      if (const int64_t got = vgpr_since(o, [](const Wave::ValuVgprWrite& wr) { return wr.partial; }); got != INT64_MAX)
        check(WaitStateRead::valu_vsrc, got, "reads v", o.reg);
      if (dpp)
        if (const int64_t got = vgpr_since(o, [](const Wave::ValuVgprWrite&) { return true; }); got != INT64_MAX)
          check(WaitStateRead::dpp_vsrc, got, "DPP reads v", o.reg);
    }
  }
  if (k.div_fmas)
    if (const int64_t got = sgpr_since(kVccLo, 2); got != INT64_MAX) check(WaitStateRead::div_fmas_vcc, got, "reads vcc");
  const int64_t exec_got = sgpr_since(kExecLo, 2);
  if ((k.readlane || k.readfirstlane || k.writelane) && exec_got != INT64_MAX)
    check(WaitStateRead::rw_lane, exec_got, "issues (EXEC)");
  if (dpp && exec_got != INT64_MAX) check(WaitStateRead::dpp, exec_got, "DPP issues (EXEC)");
  if (k.lds_dma) {  // reads M0 as the LDS address
    if (const int64_t got = since(w.salu_m0_written); got != INT64_MAX) check(WaitStateRead::lds_dma, got, "reads m0");
    if (const int64_t got = sgpr_since(kM0, 1); got != INT64_MAX) check(WaitStateRead::vmem_source, got, "reads m0");
  }
  // ---- writes (a VALU's scalar and vector destinations; v_cmpx also writes EXEC)
  if (!valu) return;
  Wave::ValuVgprWrite wr;
  for (int i = 0; i < in.num_dst; i++) {
    const Operand& o = in.op[i];
    if (o.kind == OpKind::sgpr) {
      for (int d = 0; d < o.dwords && o.reg + d < kNumSRegs; d++) w.valu_sgpr_written[o.reg + d] = now + 1;
    } else if (o.kind == OpKind::vgpr && wr.at == 0) {
      wr.at = now + 1;
      wr.reg = o.reg;
      wr.count = o.dwords;
      wr.trans = k.trans;
      // SDWA dst_sel other than DWORD (6), or VOP3 op_sel's destination bit (the decoder keeps it as bit 3)
      wr.partial = in.cls == InstrClass::valu && ((in.m.sdwa && in.m.dst_sel != 6) || (in.m.op_sel & 0x8));
    }
  }
  w.valu_vgpr_writes[1] = w.valu_vgpr_writes[0];
  w.valu_vgpr_writes[0] = wr;  // a VALU without a VGPR destination still ages the older writes
  if (k.cmpx) w.valu_sgpr_written[kExecLo] = w.valu_sgpr_written[kExecHi] = now + 1;
}

}  // namespace asmk::emu::detail

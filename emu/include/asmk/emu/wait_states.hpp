// The wait states strict mode checks between an instruction that writes a register and a later
// instruction that reads it (or depends on it) where gfx940+ hardware (gfx942, gfx950) does not
// interlock, so the program must separate them (the MFMA rules live in the matrix-core library's
// table, emu/mfma). One table of data (emu/src/exec/wait_states.cpp), one entry per rule, each with
// its source; every rule is checked in strict mode (they are the hardware's rules on both archs).
// The checker counts wait states as the MFMA checker does: each issued instruction one, `s_nop N`
// N + 1.
#pragma once

#include <span>
#include <string_view>

namespace asmk::emu {

/// What the producer wrote (a VALU instruction unless the name says SALU).
enum class WaitStateWrite {
  sgpr,          // an SGPR, VCC included (v_cmp, v_readlane, v_readfirstlane, carry out, v_div_scale)
  exec,          // EXEC (v_cmpx, or EXEC as a VALU's scalar destination)
  vgpr,          // a VGPR
  trans_vgpr,    // a VGPR, by a transcendental op (v_exp/log/rcp/rsq/sqrt/sin/cos_*)
  partial_vgpr,  // a VGPR, in part: SDWA dst_sel other than DWORD, or VOP3 op_sel on the destination
  salu_m0,       // M0, by a SALU instruction
};

/// Which later read of that register (or which later instruction) needs the wait states.
enum class WaitStateRead {
  lane_select,       // v_readlane_b32 / v_writelane_b32 use it as the lane select (src1)
  valu_source,       // a VALU (or MFMA) instruction reads it as a source operand (VCC implicitly too)
  vmem_source,       // a vector memory instruction reads it (resource, soffset, saddr)
  div_fmas_vcc,      // v_div_fmas_* reads VCC (implicitly)
  rw_lane,           // v_readlane / v_readfirstlane / v_writelane issue (EXEC written)
  readlane_vsrc,     // v_readlane / v_readfirstlane read it as their VGPR source
  nontrans_vsrc,     // a VALU that is not itself transcendental reads it
  valu_vsrc,         // any VALU reads it
  dpp_vsrc,          // a DPP instruction reads it
  dpp,               // a DPP instruction issues (EXEC written)
  lds_dma,           // a buffer/global load to LDS issues (it reads M0 as the LDS address)
};

struct WaitStateRule {
  std::string_view id;      // stable key, named in the strict report
  WaitStateWrite write;
  WaitStateRead read;
  int wait_states;          // required between the two (independent instructions or s_nop states)
  std::string_view source;  // where the figure comes from
};

/// The table (static data).
std::span<const WaitStateRule> wait_state_rules();

}  // namespace asmk::emu

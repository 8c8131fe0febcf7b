// The wait states strict mode checks between a VALU instruction that writes a register and a later
// instruction that reads it, where gfx940+ hardware does not interlock (the MFMA rules live in the
// matrix-core library's table, emu/mfma). One table of data (emu/src/exec/wait_states.cpp); the
// checker counts wait states as the MFMA checker does: each issued instruction one, `s_nop N` N + 1.
#pragma once

#include <span>
#include <string_view>

namespace asmk::emu {

/// What the producer (always a VALU instruction) wrote.
enum class WaitStateWrite {
  sgpr,  // an SGPR, VCC included (v_cmp, v_readlane, v_readfirstlane, carry out, v_div_scale)
  exec,  // EXEC (v_cmpx, or EXEC as a VALU's scalar destination)
  vgpr,  // a VGPR
};

/// Which later read of that register needs the wait states.
enum class WaitStateRead {
  lane_select,    // v_readlane_b32 / v_writelane_b32 use it as the lane select (src1)
  valu_source,    // a VALU (or MFMA) instruction reads it as a source operand
  vmem_source,    // a vector memory instruction reads it (resource, soffset, saddr)
  div_fmas_vcc,   // v_div_fmas_* reads VCC (implicitly)
  rw_lane,        // v_readlane / v_readfirstlane / v_writelane issue (EXEC written)
  readlane_vsrc,  // v_readlane / v_readfirstlane read it as their VGPR source
};

struct WaitStateRule {
  std::string_view id;      // stable key, named in the strict report
  WaitStateWrite write;
  WaitStateRead read;
  int wait_states;          // required between the two (independent instructions or s_nop states)
  bool opt_in;              // checked only with LaunchOptions::strict_interlocks (see wait_states.cpp)
  std::string_view source;  // where the figure comes from
};

/// The table (static data).
std::span<const WaitStateRule> wait_state_rules();

}  // namespace asmk::emu

// Cross-lane and register-file moves: v_readlane, v_writelane, v_readfirstlane, v_mbcnt,
// AccVGPR reads/writes, gfx950 row swaps.
#include <bit>

#include "common.hpp"

namespace asmk::emu::detail {
namespace {
constexpr SemanticsEntry lane(SemanticsFn fn, int8_t ndst = 1) { return {fn, InstrClass::valu, ndst, 0}; }

/// gfx950 v_permlane16_swap / v_permlane32_swap vdst, src0: row r (16 lanes) of vdst is exchanged
/// with row r - RowShift of src0 for the rows r whose bit RowShift is set (16: vdst rows 1, 3 with
/// src0 rows 0, 2; 32: vdst rows 2, 3 with src0 rows 0, 1); both registers are written.
/// A lane is written only when active; a value from an inactive lane is not delivered (the
/// e32 form has fi = 0 and bound_ctrl = 0), so that lane keeps its old value.
template <int RowShift>
void permlane_swap(Wave& w, const Instr& in) {
  constexpr int kLaneShift = 16 * RowShift;
  uint32_t* d = w.vreg(in.op[0]);
  uint32_t* s = w.vreg(in.op[1]);
  const uint64_t exec = w.exec();
  for (int l = 0; l < kLanes; l++) {
    if (!(l & kLaneShift)) continue;  // l: a lane of vdst in a swapped row
    const int partner = l - kLaneShift;  // the lane of src0 it swaps with
    const uint32_t from_d = d[l], from_s = s[partner];
    if (lane_on(exec, l) && lane_on(exec, partner)) {
      d[l] = from_s;
      s[partner] = from_d;
    }
  }
}
}  // namespace

void register_lane_ops(Registry& r) {
  // v_readlane_b32 sdst, vsrc, lane-select (SGPR or constant; only bits [5:0] count).
  r.add("v_readlane_b32", lane([](Wave& w, const Instr& in) {
          uint32_t l = sread32(w, in.op[2]) & 63;
          swrite32(w, in.op[0], w.vreg(in.op[1])[l]);
        }));
  r.add("v_readfirstlane_b32", lane([](Wave& w, const Instr& in) {
          uint64_t exec = w.exec();
          int l = exec ? std::countr_zero(exec) : 0;
          uint32_t scratch[2 * kLanes];
          swrite32(w, in.op[0], lanes32(w, in.op[1], scratch)[l]);
        }));
  // v_writelane_b32 vdst, ssrc, lane-select: writes one lane regardless of EXEC.
  r.add("v_writelane_b32", lane([](Wave& w, const Instr& in) {
          uint32_t l = sread32(w, in.op[2]) & 63;
          w.vreg(in.op[0])[l] = sread32(w, in.op[1]);
        }));
  // v_mbcnt_lo: count of set bits of S0 below this lane among lanes 0-31, plus S1.
  r.add("v_mbcnt_lo_u32_b32", lane([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t exec = w.exec();
          uint32_t* d = w.vreg(in.op[0]);
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            uint32_t below = l >= 32 ? ~0u : (l == 0 ? 0u : (1u << l) - 1);
            d[l] = std::popcount(s.p[0][l] & below) + s.p[1][l];
          }
        }));
  r.add("v_mbcnt_hi_u32_b32", lane([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t exec = w.exec();
          uint32_t* d = w.vreg(in.op[0]);
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            uint32_t below = l < 32 ? 0u : (l == 32 ? 0u : (1u << (l - 32)) - 1);
            d[l] = std::popcount(s.p[0][l] & below) + s.p[1][l];
          }
        }));
  // Reads the ISA for inactive lanes (departure table: "permlane-swap-exec").
  r.add("v_permlane16_swap_b32", lane(permlane_swap<1>));
  r.add("v_permlane32_swap_b32", lane(permlane_swap<2>));
  auto move = [](Wave& w, const Instr& in) { valu_u32<1>(w, in, [](uint32_t a, uint32_t, uint32_t) { return a; }); };
  // Under GPR indexing, past the AccVGPRs: departure table "gpr-index-agpr-overflow".
  r.add("v_accvgpr_read_b32", lane(move));
  r.add("v_accvgpr_write_b32", lane(move));
  r.add("v_accvgpr_mov_b32", lane(move));
}

}  // namespace asmk::emu::detail

// DPP through __builtin_amdgcn_update_dpp: quad_perm, row_shl/shr/ror, row_mirror,
// row_half_mirror, row_bcast:15/31, wave_shl/rol/shr/ror, row and bank masks, bound_ctrl.
// The old value is lane-dependent so the host sees which lanes kept it.
#include "corpus_common.h"

#define DPP(ctrl, rmask, bmask, bc) __builtin_amdgcn_update_dpp(old, v, ctrl, rmask, bmask, bc)

kernel void dpp_row_ops(global const int* in, global int* out) {
  uint i = GID_X();
  int v = in[i];
  int old = -(int)LANE_ID() - 1;
  int r[14];
  r[0] = DPP(0xB1, 0xF, 0xF, false);   // quad_perm [1,0,3,2]
  r[1] = DPP(0x103, 0xF, 0xF, false);  // row_shl:3
  r[2] = DPP(0x103, 0xF, 0xF, true);   // row_shl:3 bound_ctrl
  r[3] = DPP(0x117, 0xF, 0xF, false);  // row_shr:7
  r[4] = DPP(0x124, 0xF, 0xF, false);  // row_ror:4
  r[5] = DPP(0x140, 0xF, 0xF, false);  // row_mirror
  r[6] = DPP(0x141, 0xF, 0xF, false);  // row_half_mirror
  r[7] = DPP(0x142, 0xA, 0xF, false);  // row_bcast:15, rows 1 and 3
  r[8] = DPP(0x143, 0xC, 0xF, false);  // row_bcast:31, rows 2 and 3
  r[9] = DPP(0x130, 0xF, 0xF, false);  // wave_shl:1
  r[10] = DPP(0x134, 0xF, 0xF, false); // wave_rol:1
  r[11] = DPP(0x138, 0xF, 0xF, false); // wave_shr:1
  r[12] = DPP(0x13C, 0xF, 0xF, false); // wave_ror:1
  r[13] = DPP(0x111, 0x5, 0x6, false); // row_shr:1 on rows 0 and 2, banks 1 and 2
  for (int k = 0; k < 14; k++) out[14 * i + k] = r[k];
}

// v_readlane / v_readfirstlane (also inside a divergent branch) and v_mbcnt_lo/hi with masks.
#include "corpus_common.h"

kernel void lane_broadcast(global const int* in, global int* out) {
  uint t = LID_X();
  uint i = GID_X();
  int v = in[i];
  int r[6];
  r[0] = __builtin_amdgcn_readfirstlane(v);
  r[1] = __builtin_amdgcn_readlane(v, 37);
  r[2] = __builtin_amdgcn_readlane(v, __builtin_amdgcn_readfirstlane(v) & 63);
  r[3] = (int)__builtin_amdgcn_mbcnt_hi(0xAAAAAAAAu, __builtin_amdgcn_mbcnt_lo(0x0F0F0F0Fu, 100u));
  r[4] = -1;
  if ((v & 3) == 1) r[4] = __builtin_amdgcn_readfirstlane(v * 2);  // first lane of the branch
  r[5] = (int)LANE_ID();
  for (int k = 0; k < 6; k++) out[6 * i + k] = r[k];
  (void)t;
}

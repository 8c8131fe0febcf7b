// A wave-wide inclusive scan and sum by DPP: row_shr 1/2/4/8 (a scan within each row of 16;
// out-of-row sources read the old value 0), then row_bcast:15 into rows 1 and 3 and
// row_bcast:31 into rows 2 and 3; readlane 63 gives the total. The guard comes after the
// wave-level work, so partial waves still run with all lanes.
#include "corpus_common.h"

kernel void wave_reduce_dpp(global const uint* in, global uint* sums, global uint* lanes, uint n) {
  uint i = GID_X();
  uint v = i < n ? in[i] : 0u;
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x111, 0xF, 0xF, false);  // row_shr:1
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x112, 0xF, 0xF, false);  // row_shr:2
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x114, 0xF, 0xF, false);  // row_shr:4
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x118, 0xF, 0xF, false);  // row_shr:8
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x142, 0xA, 0xF, false);  // row_bcast:15 row_mask 0xA
  v += (uint)__builtin_amdgcn_update_dpp(0, (int)v, 0x143, 0xC, 0xF, false);  // row_bcast:31 row_mask 0xC
  uint total = (uint)__builtin_amdgcn_readlane((int)v, 63);
  if (i < n) lanes[i] = v;
  if (LANE_ID() == 0) sums[i / 64u] = total;
}

// ds_bpermute_b32 (pull from a computed lane) and ds_permute_b32 (push to a computed lane).
#include "corpus_common.h"

kernel void permute_lanes(global const int* in, global int* out) {
  uint i = GID_X();
  uint lane = LANE_ID();
  int v = in[i];
  out[2 * i + 0] = __builtin_amdgcn_ds_bpermute((int)(((lane * 7u + 3u) & 63u) * 4u), v);
  out[2 * i + 1] = __builtin_amdgcn_ds_permute((int)(((lane * 5u + 1u) & 63u) * 4u), v);
}

// Inclusive prefix sum over a workgroup (Hillis-Steele, double-buffered LDS, barriers).
#include "corpus_common.h"

kernel void lds_scan(global const int* in, global int* out, uint n) {
  local int buf[2][256];
  uint t = LID_X(), size = __builtin_amdgcn_workgroup_size_x();
  uint i = GID_X();
  uint cur = 0;
  buf[0][t] = i < n ? in[i] : 0;
  WORKGROUP_BARRIER();
  for (uint d = 1; d < size; d *= 2) {
    int v = buf[cur][t];
    if (t >= d) v += buf[cur][t - d];
    buf[cur ^ 1u][t] = v;
    cur ^= 1u;
    WORKGROUP_BARRIER();
  }
  if (i < n) out[i] = buf[cur][t];
}

// Workgroup sum in LDS by a tree of halving steps with a barrier at each step (many waves).
#include "corpus_common.h"

kernel void lds_tree_reduce(global const uint* in, global uint* sums, uint n) {
  local uint part[256];
  uint t = LID_X(), size = __builtin_amdgcn_workgroup_size_x();
  uint i = GID_X();
  part[t] = i < n ? in[i] : 0u;
  WORKGROUP_BARRIER();
  for (uint stride = size / 2; stride > 0; stride /= 2) {
    if (t < stride) part[t] += part[t + stride];
    WORKGROUP_BARRIER();
  }
  if (t == 0) sums[__builtin_amdgcn_workgroup_id_x()] = part[0];
}

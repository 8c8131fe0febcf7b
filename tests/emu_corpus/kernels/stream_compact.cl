// Stream compaction: a ballot and mbcnt rank the kept lanes of a wave, one lane reserves the
// wave's slots with a global atomic, readfirstlane broadcasts the base.
#include "corpus_common.h"

kernel void stream_compact(global const int* in, global int* out, global uint* count, uint n) {
  uint i = GID_X();
  int v = i < n ? in[i] : 0;
  bool keep = i < n && (v % 3 == 0);
  ulong mask = __builtin_amdgcn_ballot_w64(keep);
  uint rank = __builtin_amdgcn_mbcnt_hi((uint)(mask >> 32), __builtin_amdgcn_mbcnt_lo((uint)mask, 0u));
  uint base = 0;
  if (LANE_ID() == 0 && mask != 0)
    base = __opencl_atomic_fetch_add((volatile global atomic_uint*)count, (uint)__builtin_popcountl(mask),
                                     memory_order_relaxed, memory_scope_device);
  base = __builtin_amdgcn_readfirstlane(base);
  if (keep) out[base + rank] = v;
}

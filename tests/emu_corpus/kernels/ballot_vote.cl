// Wave ballots (uniform and inside a divergent branch), counts and ranks from the mask.
#include "corpus_common.h"

kernel void ballot_vote(global const int* in, global uint* out) {
  uint i = GID_X();
  int v = in[i];
  ulong all = __builtin_amdgcn_ballot_w64(v > 0);
  ulong inner = 0;
  if (v & 1) inner = __builtin_amdgcn_ballot_w64(v > 100);
  uint rank = __builtin_amdgcn_mbcnt_hi((uint)(all >> 32), __builtin_amdgcn_mbcnt_lo((uint)all, 0u));
  out[5 * i + 0] = (uint)all;
  out[5 * i + 1] = (uint)(all >> 32);
  out[5 * i + 2] = (uint)inner ^ (uint)(inner >> 32);
  out[5 * i + 3] = (uint)__builtin_popcountl(all);
  out[5 * i + 4] = rank;
}

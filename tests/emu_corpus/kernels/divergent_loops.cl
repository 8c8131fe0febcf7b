// Loops with lane-dependent trip counts, continue and break, and a nested lane-dependent loop.
#include "corpus_common.h"

kernel void divergent_loops(global const uint* in, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint v = in[i];
  uint acc = 0;
  for (uint k = 0; k < v % 37u; k++) {
    if (k % 3u == 0) continue;
    acc = acc * 31u + k;
    if (acc > 0x40000000u) break;
    for (uint j = 0; j < (v >> (k & 7)) % 5u; j++) acc += j ^ k;
  }
  out[i] = acc;
}

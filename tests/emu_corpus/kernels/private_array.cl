// A private (per work-item) array indexed by a lane-dependent value: scratch memory or
// register indexing, whichever the compiler picks.
#include "corpus_common.h"

kernel void private_array(global const uint* in, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint buf[24];
  uint v = in[i];
  for (uint k = 0; k < 24; k++) buf[k] = v * (k + 1) ^ (k << 8);
  uint acc = 0;
  for (uint k = 0; k < 8; k++) acc += buf[(v + k * 5) % 24];
  buf[v % 24] = acc;
  out[i] = acc ^ buf[(v >> 3) % 24];
}

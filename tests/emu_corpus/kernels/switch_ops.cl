// A switch statement with lane-dependent cases (divergent multi-way branch).
#include "corpus_common.h"

kernel void switch_ops(global const int* in, global int* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int v = in[i];
  int r;
  switch (v & 7) {
    case 0: r = v * 3; break;
    case 1: r = v ^ 0x5a5a; break;
    case 2: r = v >> 2; break;
    case 3:
    case 4: r = (int)i - v; break;
    case 5: r = v / 7; break;
    case 6: r = ~v; break;
    default: r = (int)(i * 13u) + 1; break;
  }
  out[i] = r;
}

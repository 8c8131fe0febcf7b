// Early returns and nested if/else on the lane id (both wave halves, odd/even lanes).
#include "corpus_common.h"

kernel void early_return(global const int* in, global int* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int v = in[i];
  if (v < -1000) {
    out[i] = -1;
    return;
  }
  uint lane = LANE_ID();
  int r;
  if (lane & 32u) {
    if (lane & 1u) r = v * 2;
    else r = v - 7;
  } else if (v % 5 == 0) {
    out[i] = 5000 + (int)lane;
    return;
  } else {
    r = v + (int)lane;
  }
  out[i] = r * 3;
}

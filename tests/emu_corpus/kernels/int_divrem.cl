// 32-bit signed and unsigned division and remainder (expanded by the compiler into
// v_rcp_iflag_f32 / v_mul_hi_u32 / correction steps).
#include "corpus_common.h"

kernel void int_divrem(global const int* a, global const int* b, global int* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int x = a[i], y = b[i];
  out[4 * i + 0] = x / y;
  out[4 * i + 1] = x % y;
  out[4 * i + 2] = (int)((uint)x / (uint)y);
  out[4 * i + 3] = (int)((uint)x % (uint)y);
}

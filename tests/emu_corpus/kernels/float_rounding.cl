// Rounding functions and conversions between float and integers.
#include "corpus_common.h"

kernel void float_rounding(global const float* a, global float* fout, global int* iout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  float x = a[i];
  fout[7 * i + 0] = __builtin_floorf(x);
  fout[7 * i + 1] = __builtin_ceilf(x);
  fout[7 * i + 2] = __builtin_truncf(x);
  fout[7 * i + 3] = __builtin_rintf(x);
  fout[7 * i + 4] = __builtin_copysignf(__builtin_fabsf(x) * 0.5f, -x);
  fout[7 * i + 5] = (float)(int)(x * 1000.0f);          // int -> float of a truncated value
  fout[7 * i + 6] = (float)((uint)i * 16777259u);       // uint -> float, rounds to nearest even
  iout[3 * i + 0] = (int)x;                             // float -> int, truncation
  iout[3 * i + 1] = (int)(uint)__builtin_fabsf(x * 3.0f);
  iout[3 * i + 2] = (int)((float)((long)i * 1000000007L) * 1e-6f);  // long -> float, scaled back into int range
}

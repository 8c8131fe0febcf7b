// Correctly rounded fp32 arithmetic: add, sub, mul, div, sqrt, fma (built with
// -cl-fp32-correctly-rounded-divide-sqrt, so division and sqrt are exact), denormals included.
#include "corpus_common.h"

kernel void float_arith(global const float* a, global const float* b, global float* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  float x = a[i], y = b[i];
  out[6 * i + 0] = x + y;
  out[6 * i + 1] = x - y;
  out[6 * i + 2] = x * y;
  out[6 * i + 3] = x / y;
  out[6 * i + 4] = __builtin_sqrtf(__builtin_fabsf(x));
  out[6 * i + 5] = __builtin_fmaf(x, y, -1.0f);
}

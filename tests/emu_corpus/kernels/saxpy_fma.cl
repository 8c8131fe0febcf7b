// Fused multiply-add (v_fma_f32 / v_fmac_f32) with a scalar kernel argument.
#include "corpus_common.h"

kernel void saxpy_fma(global const float* x, global const float* y, global float* out, float a, uint n) {
  uint i = GID_X();
  if (i < n) out[i] = __builtin_fmaf(a, x[i], y[i]);
}

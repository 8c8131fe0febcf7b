// Packed fp16 math on half2 (v_pk_mul_f16, v_pk_add_f16, v_pk_fma_f16).
#include "corpus_common.h"
#pragma OPENCL EXTENSION cl_khr_fp16 : enable

kernel void half2_packed(global const uint* a, global const uint* b, global const uint* c,
                         global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  half2 x = __builtin_astype(a[i], half2);
  half2 y = __builtin_astype(b[i], half2);
  half2 z = __builtin_astype(c[i], half2);
  out[3 * i + 0] = __builtin_astype(x * y, uint);
  out[3 * i + 1] = __builtin_astype(x + z, uint);
  out[3 * i + 2] = __builtin_astype(__builtin_elementwise_fma(x, y, z), uint);
}

// The fp8/bf8 conversion instructions: v_cvt_pk_fp8_f32 / v_cvt_pk_bf8_f32 (both word halves)
// and v_cvt_f32_fp8 / v_cvt_f32_bf8 (every byte). gfx942 uses the fnuz formats, gfx950 OCP.
#include "corpus_common.h"

kernel void fp8_convert(global const float* a, global const uint* codes, global uint* packed,
                        global float* decoded, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  float x0 = a[4 * i + 0], x1 = a[4 * i + 1], x2 = a[4 * i + 2], x3 = a[4 * i + 3];
  int f = __builtin_amdgcn_cvt_pk_fp8_f32(x0, x1, 0, false);
  f = __builtin_amdgcn_cvt_pk_fp8_f32(x2, x3, f, true);
  int b = __builtin_amdgcn_cvt_pk_bf8_f32(x0, x1, 0, false);
  b = __builtin_amdgcn_cvt_pk_bf8_f32(x2, x3, b, true);
  packed[2 * i + 0] = (uint)f;
  packed[2 * i + 1] = (uint)b;
  int c = (int)codes[i];
  decoded[8 * i + 0] = __builtin_amdgcn_cvt_f32_fp8(c, 0);
  decoded[8 * i + 1] = __builtin_amdgcn_cvt_f32_fp8(c, 1);
  decoded[8 * i + 2] = __builtin_amdgcn_cvt_f32_fp8(c, 2);
  decoded[8 * i + 3] = __builtin_amdgcn_cvt_f32_fp8(c, 3);
  decoded[8 * i + 4] = __builtin_amdgcn_cvt_f32_bf8(c, 0);
  decoded[8 * i + 5] = __builtin_amdgcn_cvt_f32_bf8(c, 1);
  decoded[8 * i + 6] = __builtin_amdgcn_cvt_f32_bf8(c, 2);
  decoded[8 * i + 7] = __builtin_amdgcn_cvt_f32_bf8(c, 3);
}

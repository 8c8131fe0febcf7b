// gfx942 only: v_mfma_f32_16x16x8_xf32. Lane l holds row/column l % 16 and k = 2 * (l / 16) + e
// for e in 0..1; D register v holds row 4 * (l / 16) + v. The inputs fit xf32 (10 explicit
// mantissa bits) exactly, so the instruction's input rounding does not show.
#include "../corpus_common.h"

typedef float float2_t __attribute__((ext_vector_type(2)));
typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_xf32_16x16x8(global const float2_t* a, global const float2_t* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  global const float2_t* ag = a + (ulong)g * 16 * (k / 2) + row * (k / 2);
  global const float2_t* bg = bt + (ulong)g * 16 * (k / 2) + row * (k / 2);
  float4_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 8) acc = __builtin_amdgcn_mfma_f32_16x16x8_xf32(ag[k0 / 2 + kq], bg[k0 / 2 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

// v_mfma_f32_16x16x4_f32 (single block): lane l holds row/column l % 16 and k = l / 16;
// D register v holds row 4 * (l / 16) + v.
#include "corpus_common.h"

typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_f32_16x16x4(global const float* a, global const float* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  global const float* ag = a + (ulong)g * 16 * k + row * k;
  global const float* bg = bt + (ulong)g * 16 * k + row * k;
  float4_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 4) acc = __builtin_amdgcn_mfma_f32_16x16x4f32(ag[k0 + kq], bg[k0 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

// gfx950 only: v_mfma_f32_16x16x32_bf16 (CDNA4's K-doubled form). Lane l holds row/column l % 16
// and k = 8 * (l / 16) + e for e in 0..7; D register v holds row 4 * (l / 16) + v.
#include "../corpus_common.h"

typedef __bf16 bf16x8_t __attribute__((ext_vector_type(8)));
typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_bf16_16x16x32(global const bf16x8_t* a, global const bf16x8_t* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  global const bf16x8_t* ag = a + (ulong)g * 16 * (k / 8) + row * (k / 8);
  global const bf16x8_t* bg = bt + (ulong)g * 16 * (k / 8) + row * (k / 8);
  float4_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 32) acc = __builtin_amdgcn_mfma_f32_16x16x32_bf16(ag[k0 / 8 + kq], bg[k0 / 8 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

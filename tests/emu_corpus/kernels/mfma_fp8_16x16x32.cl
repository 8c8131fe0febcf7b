// v_mfma_f32_16x16x32_fp8_fp8: 8 fp8 codes per lane (k = 8 * (l / 16) + byte). The codes are
// e4m3fnuz on gfx942 and OCP e4m3fn on gfx950; the host encodes per arch.
#include "corpus_common.h"

typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_fp8_16x16x32(global const long* a, global const long* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  global const long* ag = a + (ulong)g * 16 * (k / 8) + row * (k / 8);
  global const long* bg = bt + (ulong)g * 16 * (k / 8) + row * (k / 8);
  float4_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 32) acc = __builtin_amdgcn_mfma_f32_16x16x32_fp8_fp8(ag[k0 / 8 + kq], bg[k0 / 8 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

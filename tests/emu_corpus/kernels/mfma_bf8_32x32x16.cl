// v_mfma_f32_32x32x16_bf8_bf8: lane l holds row/column l % 32 and k = 8 * (l / 32) + byte;
// D register v holds row 8*(v/4) + 4*(l/32) + v%4. bf8 is e5m2fnuz on gfx942, OCP e5m2 on gfx950.
#include "corpus_common.h"

typedef float float16_t __attribute__((ext_vector_type(16)));

kernel void mfma_bf8_32x32x16(global const long* a, global const long* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 32, kq = l / 32;
  global const long* ag = a + (ulong)g * 32 * (k / 8) + row * (k / 8);
  global const long* bg = bt + (ulong)g * 32 * (k / 8) + row * (k / 8);
  float16_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 16) acc = __builtin_amdgcn_mfma_f32_32x32x16_bf8_bf8(ag[k0 / 8 + kq], bg[k0 / 8 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 32 * 32;
  for (uint v = 0; v < 16; v++) dg[(8 * (v / 4) + 4 * kq + v % 4) * 32 + row] = acc[v];
}

// v_mfma_i32_16x16x32_i8: 8 int8 values per lane (k = 8 * (l / 16) + byte), exact 32-bit sums.
#include "corpus_common.h"

typedef int int4_t __attribute__((ext_vector_type(4)));

kernel void mfma_i8_16x16x32(global const long* a, global const long* bt, global int* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  global const long* ag = a + (ulong)g * 16 * (k / 8) + row * (k / 8);
  global const long* bg = bt + (ulong)g * 16 * (k / 8) + row * (k / 8);
  int4_t acc = (int4_t)(1, -2, 3, -4);
  for (uint k0 = 0; k0 < k; k0 += 32) acc = __builtin_amdgcn_mfma_i32_16x16x32_i8(ag[k0 / 8 + kq], bg[k0 / 8 + kq], acc, 0, 0, 0);
  global int* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

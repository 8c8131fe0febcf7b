// v_mfma_f32_16x16x16_f16: D[16][16] = A[16][K] * B[K][16] + C per workgroup, four waves each
// taking one batch entry. Lane l holds row/column l % 16 and k = 4 * (l / 16) + e; D register v
// holds row 4 * (l / 16) + v. C is loaded into the accumulator first.
#include "corpus_common.h"
#pragma OPENCL EXTENSION cl_khr_fp16 : enable

typedef half half4_t __attribute__((ext_vector_type(4)));
typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_f16_16x16x16(global const half4_t* a, global const half4_t* bt, global const float* c,
                              global float* d, uint k, uint batch) {
  uint wave = LID_X() / 64, l = LANE_ID();
  uint g = __builtin_amdgcn_workgroup_id_x() * 4 + wave;
  if (g >= batch) return;  // whole waves leave; MFMA needs all 64 lanes
  uint row = l % 16, kq = l / 16;
  global const half4_t* ag = a + (ulong)g * 16 * (k / 4) + row * (k / 4);
  global const half4_t* bg = bt + (ulong)g * 16 * (k / 4) + row * (k / 4);
  const global float* cg = c + (ulong)g * 256;
  float4_t acc;
  for (uint v = 0; v < 4; v++) acc[v] = cg[(4 * kq + v) * 16 + row];
  for (uint k0 = 0; k0 < k; k0 += 16) acc = __builtin_amdgcn_mfma_f32_16x16x16f16(ag[k0 / 4 + kq], bg[k0 / 4 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

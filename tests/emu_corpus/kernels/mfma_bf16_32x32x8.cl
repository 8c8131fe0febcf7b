// v_mfma_f32_32x32x8_bf16 (__builtin_amdgcn_mfma_f32_32x32x8bf16_1k): one wave per workgroup
// computes D[32][32] = A[32][K] * B[K][32] for its batch entry. A is row-major, B is given
// transposed (bt[j][k]); both bf16 bits. Operand layout (CDNA3 ISA): lane l holds row/column
// l % 32 and k = 4 * (l / 32) + e for e in 0..3; D register v holds row 8*(v/4) + 4*(l/32) + v%4.
#include "corpus_common.h"

typedef short short4_t __attribute__((ext_vector_type(4)));
typedef float float16_t __attribute__((ext_vector_type(16)));

kernel void mfma_bf16_32x32x8(global const short4_t* a, global const short4_t* bt, global float* d, uint k) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 32, kq = l / 32;
  global const short4_t* ag = a + (ulong)g * 32 * (k / 4) + row * (k / 4);
  global const short4_t* bg = bt + (ulong)g * 32 * (k / 4) + row * (k / 4);
  float16_t acc = 0.0f;
  for (uint k0 = 0; k0 < k; k0 += 8) acc = __builtin_amdgcn_mfma_f32_32x32x8bf16_1k(ag[k0 / 4 + kq], bg[k0 / 4 + kq], acc, 0, 0, 0);
  global float* dg = d + (ulong)g * 32 * 32;
  for (uint v = 0; v < 16; v++) dg[(8 * (v / 4) + 4 * kq + v % 4) * 32 + row] = acc[v];
}

// gfx950 only: v_mfma_scale_f32_16x16x128_f8f6f4 with fp4 (e2m1) A and B and e8m0 block scales.
// Lane l holds row/column l % 16 and k = 32 * (l / 16) + e for e in 0..31 (4-bit element e at
// bits [4e, 4e+4) of the first four registers); its scale byte covers that row and those 32 k.
// D register v holds row 4 * (l / 16) + v. The scale is picked from byte `scale_byte` of the
// lane's scale word by the op_sel immediate.
#include "../corpus_common.h"

typedef int int8_t_ __attribute__((ext_vector_type(8)));
typedef float float4_t __attribute__((ext_vector_type(4)));

kernel void mfma_scale_fp4_16x16x128(global const uint* a, global const uint* bt, global const uint* scale_a,
                                     global const uint* scale_b, global float* d) {
  uint l = LID_X(), g = __builtin_amdgcn_workgroup_id_x();
  uint row = l % 16, kq = l / 16;
  // Row `row` of A holds 128 fp4 values = 16 words; this lane's 32 values are words 4*kq .. 4*kq+3.
  global const uint* ag = a + (ulong)g * 16 * 16 + row * 16 + 4 * kq;
  global const uint* bg = bt + (ulong)g * 16 * 16 + row * 16 + 4 * kq;
  int8_t_ av = 0, bv = 0;
  for (int r = 0; r < 4; r++) {
    av[r] = (int)ag[r];
    bv[r] = (int)bg[r];
  }
  int sa = (int)scale_a[(ulong)g * 64 + l], sb = (int)scale_b[(ulong)g * 64 + l];
  float4_t acc = 0.0f;
  // cbsz = 4, blgp = 4: both operands fp4. Scale A from byte 1 (op_sel 1), scale B from byte 2 (op_sel 2).
  acc = __builtin_amdgcn_mfma_scale_f32_16x16x128_f8f6f4(av, bv, acc, 4, 4, 1, sa, 2, sb);
  global float* dg = d + (ulong)g * 256;
  for (uint v = 0; v < 4; v++) dg[(4 * kq + v) * 16 + row] = acc[v];
}

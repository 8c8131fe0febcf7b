// VALU instructions reached through __builtin_amdgcn_*: v_med3_f32, v_alignbyte_b32,
// v_perm_b32, v_bfe_u32/i32, v_frexp_mant/exp_f32, v_ldexp_f32, v_fract_f32, v_cmp_class_f32.
#include "corpus_common.h"

kernel void valu_builtins(global const uint* a, global const uint* b, global const uint* c, global const float* f,
                          global const float* g, global const float* h, global uint* out, global float* fout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint x = a[i], y = b[i], z = c[i];
  float p = f[i], q = g[i], r = h[i];
  out[7 * i + 0] = __builtin_amdgcn_alignbyte(x, y, z);
  out[7 * i + 1] = __builtin_amdgcn_perm(x, y, z & 0x0f0f0f0fu);
  out[7 * i + 2] = __builtin_amdgcn_ubfe(x, y, z);
  out[7 * i + 3] = (uint)__builtin_amdgcn_sbfe((int)x, y, z >> 8);
  out[7 * i + 4] = (uint)__builtin_amdgcn_frexp_expf(p);
  out[7 * i + 5] = __builtin_amdgcn_classf(p, (int)(z & 0x3ffu));
  out[7 * i + 6] = __builtin_amdgcn_classf(q, (int)((z >> 10) & 0x3ffu));
  fout[4 * i + 0] = __builtin_amdgcn_fmed3f(p, r, -r);
  fout[4 * i + 1] = __builtin_amdgcn_frexp_mantf(p);
  fout[4 * i + 2] = __builtin_amdgcn_ldexpf(q, (int)(x % 64u) - 32);
  fout[4 * i + 3] = __builtin_amdgcn_fractf(r);
}

// ds_swizzle_b32 in bit-mask mode (and/or/xor masks over 32-lane groups) and quad-permute mode.
#include "corpus_common.h"

kernel void ds_swizzle_modes(global const int* in, global int* out) {
  uint i = GID_X();
  int v = in[i];
  int r[5];
  r[0] = __builtin_amdgcn_ds_swizzle(v, 0x041F);  // xor 1
  r[1] = __builtin_amdgcn_ds_swizzle(v, 0x1C1F);  // xor 7: reverse within 8
  r[2] = __builtin_amdgcn_ds_swizzle(v, 0x00A0);  // and 0, or 5: broadcast lane 5 of each 32
  r[3] = __builtin_amdgcn_ds_swizzle(v, 0x0218);  // and 0x18, or 0x10: lane (l & 0x18) | 0x10 of each 32
  r[4] = __builtin_amdgcn_ds_swizzle(v, 0x801B);  // quad_perm [3,2,1,0]
  for (int k = 0; k < 5; k++) out[5 * i + k] = r[k];
}

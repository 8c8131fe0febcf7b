// Byte/short sum of absolute differences and byte average: v_sad_u8, v_sad_u16, v_lerp_u8.
#include "corpus_common.h"

kernel void sad_lerp(global const uint* a, global const uint* b, global const uint* c, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint x = a[i], y = b[i], z = c[i];
  out[3 * i + 0] = __builtin_amdgcn_sad_u8(x, y, z & 0xffffu);
  out[3 * i + 1] = __builtin_amdgcn_sad_u16(x, y, z & 0xffffu);
  out[3 * i + 2] = __builtin_amdgcn_lerp(x, y, z);
}

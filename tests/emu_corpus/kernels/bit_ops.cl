// Bit manipulation: popcount, leading/trailing zeros, bit reverse, byte swap, rotate, field extract.
#include "corpus_common.h"

kernel void bit_ops(global const uint* a, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint x = a[i];
  uint r = x & 31;
  out[8 * i + 0] = __builtin_popcount(x);
  out[8 * i + 1] = __builtin_clz(x | 1u);
  out[8 * i + 2] = __builtin_ctz(x | 0x80000000u);
  out[8 * i + 3] = __builtin_bitreverse32(x);
  out[8 * i + 4] = __builtin_bswap32(x);
  out[8 * i + 5] = (x << r) | (x >> ((32 - r) & 31));
  out[8 * i + 6] = (x >> 5) & 0x3ffu;
  out[8 * i + 7] = (uint)(((int)x) >> (r ^ 7));
}

// bf16 with unsigned-short bit tricks: float -> bf16 round-to-nearest-even (NaN kept quiet),
// bf16 -> float by shifting, arithmetic on the widened values.
#include "corpus_common.h"

static ushort to_bf16(float f) {
  uint u = __builtin_astype(f, uint);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x40u);
  return (ushort)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
static float from_bf16(ushort h) { return __builtin_astype((uint)h << 16, float); }

kernel void bf16_bits(global const float* a, global const uint* packed, global ushort* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint p = packed[i];
  float lo = from_bf16((ushort)(p & 0xffffu));
  float hi = from_bf16((ushort)(p >> 16));
  out[3 * i + 0] = to_bf16(a[i]);
  out[3 * i + 1] = to_bf16(lo * hi);
  out[3 * i + 2] = to_bf16(lo + hi + a[i]);
}

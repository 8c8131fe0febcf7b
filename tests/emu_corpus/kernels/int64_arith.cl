// 64-bit integer arithmetic: multiply, divide, remainder, shifts by a variable amount, compares.
#include "corpus_common.h"

kernel void int64_arith(global const long* a, global const long* b, global long* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  long x = a[i], y = b[i];
  out[6 * i + 0] = (long)((ulong)x * (ulong)y);
  out[6 * i + 1] = x / y;
  out[6 * i + 2] = (long)((ulong)x % (ulong)y);
  out[6 * i + 3] = (long)((ulong)x << (y & 63));
  out[6 * i + 4] = x >> (y & 63);
  out[6 * i + 5] = ((ulong)x < (ulong)y) + 2 * (x < y) + 4 * (x == y);
}

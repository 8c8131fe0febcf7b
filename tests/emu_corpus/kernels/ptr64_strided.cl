// 64-bit pointer arithmetic: rows addressed with a 64-bit element stride that puts them beyond
// 4 GiB into a sparse allocation; pointer differences and comparisons.
#include "corpus_common.h"

kernel void ptr64_strided(global float* base, ulong row_stride, uint rows, uint cols, global long* diffs) {
  uint c = GID_X(), r = GID_Y();
  if (c >= cols || r >= rows) return;
  global float* row = base + (ulong)r * row_stride;
  global float* p = row + c;
  *p = *p * 2.0f + (float)(r * 1000u + c);
  if (c == 0) diffs[r] = (long)(p - base) + (p > base ? 1 : 0);
}

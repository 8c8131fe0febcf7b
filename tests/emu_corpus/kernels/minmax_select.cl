// Integer and float min/max, comparisons including unordered (NaN) ones, and selects.
#include "corpus_common.h"

kernel void minmax_select(global const int* ia, global const int* ib, global const float* fa,
                          global const float* fb, global int* iout, global float* fout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int x = ia[i], y = ib[i];
  float f = fa[i], g = fb[i];
  iout[6 * i + 0] = x < y ? x : y;
  iout[6 * i + 1] = x > y ? x : y;
  iout[6 * i + 2] = (int)((uint)x < (uint)y ? (uint)x : (uint)y);
  iout[6 * i + 3] = (f < g) + 2 * (f >= g) + 4 * (f != g) + 8 * (f == f);
  iout[6 * i + 4] = !(f <= g) ? x : y;
  iout[6 * i + 5] = x >= 0 ? x : -x;
  fout[3 * i + 0] = __builtin_fminf(f, g);
  fout[3 * i + 1] = __builtin_fmaxf(f, g);
  fout[3 * i + 2] = f > g ? f - g : g - f;
}

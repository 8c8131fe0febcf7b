// fp64: add, mul, correctly rounded div and sqrt, fma, conversions to and from fp32.
#include "corpus_common.h"

kernel void double_math(global const double* a, global const double* b, global double* out,
                        global float* fout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  double x = a[i], y = b[i];
  out[6 * i + 0] = x + y;
  out[6 * i + 1] = x * y;
  out[6 * i + 2] = x / y;
  out[6 * i + 3] = __builtin_sqrt(__builtin_fabs(x));
  out[6 * i + 4] = __builtin_fma(x, y, x);
  out[6 * i + 5] = (double)(float)x;
  fout[i] = (float)(x * y);
}

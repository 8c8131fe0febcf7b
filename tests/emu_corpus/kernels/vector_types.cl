// Vector types: float4 loads/stores (dwordx4), swizzles, int2 arithmetic and comparisons.
#include "corpus_common.h"

kernel void vector_types(global const float4* a, global const float4* b, global const int2* c,
                         global float4* fout, global int2* iout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  float4 x = a[i], y = b[i];
  int2 z = c[i];
  float4 p = x.wzyx * y;
  fout[2 * i + 0] = p + (float4)(1.0f, 2.0f, 3.0f, 4.0f);
  fout[2 * i + 1] = (float4)(x.xy - y.zw, x.x + x.y + x.z, y.w);
  int2 q = z.yx * (int2)(3, -5) + z;
  iout[2 * i + 0] = q;
  iout[2 * i + 1] = (int2)(z.x > z.y ? 1 : 0, (q.x ^ q.y) >> 3);
}

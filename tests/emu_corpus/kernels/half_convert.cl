// fp16 through cl_khr_fp16: float -> half (nearest even), half arithmetic, half -> float, and the
// bits moved as unsigned shorts.
#include "corpus_common.h"
#pragma OPENCL EXTENSION cl_khr_fp16 : enable

kernel void half_convert(global const float* a, global const ushort* hb, global ushort* hout,
                         global float* fout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  half h = (half)a[i];
  half g = __builtin_astype(hb[i], half);
  half p = h * g;
  half s = p + g;
  hout[3 * i + 0] = __builtin_astype(h, ushort);
  hout[3 * i + 1] = __builtin_astype(p, ushort);
  hout[3 * i + 2] = __builtin_astype(s, ushort);
  fout[i] = (float)g;
}

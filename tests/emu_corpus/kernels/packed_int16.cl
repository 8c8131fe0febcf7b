// Packed and sub-word integer math: short2/ushort2 (v_pk_add_u16, v_pk_mul_lo_u16,
// v_pk_max_i16, v_pk_lshrrev_b16, ...) and char4 arithmetic (SDWA byte selects).
#include "corpus_common.h"

kernel void packed_int16(global const short2* a, global const short2* b, global const char4* c,
                         global const char4* d, global short2* out, global char4* cout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  short2 x = a[i], y = b[i];
  ushort2 ux = __builtin_astype(x, ushort2), uy = __builtin_astype(y, ushort2);
  out[4 * i + 0] = x + y;
  out[4 * i + 1] = x * y;
  out[4 * i + 2] = (short2)(x.x > y.x ? x.x : y.x, x.y > y.y ? x.y : y.y);
  out[4 * i + 3] = __builtin_astype((ushort2)(ux.x >> (uy.x & 15), ux.y >> (uy.y & 15)), short2);
  char4 p = c[i], q = d[i];
  cout[2 * i + 0] = p + q * (char4)(1, 2, 3, 4);
  cout[2 * i + 1] = (char4)(p.x < q.x ? p.x : q.x, p.y >> 1, (char)(p.z ^ q.w), (char)(p.w - q.z));
}

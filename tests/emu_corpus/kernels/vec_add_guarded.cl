// Element-wise integer arithmetic with a guarded index (partial last workgroup).
#include "corpus_common.h"

kernel void vec_add_guarded(global const int* a, global const int* b, global int* c, uint n) {
  uint i = GID_X();
  if (i < n) c[i] = a[i] + b[i] * 3 - (int)i;
}

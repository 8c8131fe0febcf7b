// Compare-and-swap loops (a float max and a saturating add), 64-bit atomic add, and float
// atomic add on values whose sum is exact in any order.
#include "corpus_common.h"

kernel void atomic_cas(global const float* in, global uint* fmax_bits, global uint* sat,
                       global ulong* sum64, global float* fsum, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  float v = in[i];
  volatile global atomic_uint* m = (volatile global atomic_uint*)fmax_bits;
  uint old = __opencl_atomic_load(m, memory_order_relaxed, memory_scope_device);
  while (__builtin_astype(old, float) < v &&
         !__opencl_atomic_compare_exchange_strong(m, &old, __builtin_astype(v, uint), memory_order_relaxed,
                                                  memory_order_relaxed, memory_scope_device)) {
  }
  volatile global atomic_uint* s = (volatile global atomic_uint*)sat;
  uint cur = __opencl_atomic_load(s, memory_order_relaxed, memory_scope_device);
  uint add = i * 1000u;
  for (;;) {
    uint next = cur > 0xffffffffu - add ? 0xffffffffu : cur + add;
    if (__opencl_atomic_compare_exchange_weak(s, &cur, next, memory_order_relaxed, memory_order_relaxed,
                                              memory_scope_device))
      break;
  }
  __opencl_atomic_fetch_add((volatile global atomic_ulong*)sum64, (ulong)i << 33, memory_order_relaxed,
                            memory_scope_device);
  __opencl_atomic_fetch_add((volatile global atomic_float*)fsum, v, memory_order_relaxed, memory_scope_device);
}

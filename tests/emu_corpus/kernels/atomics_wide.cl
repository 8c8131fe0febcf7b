// 64-bit and LDS atomics: global smin/smax on longs, a 64-bit compare-and-swap loop, LDS 64-bit
// add, an LDS compare-and-swap loop (a max), and LDS float add; per-workgroup results merged
// into global memory.
#include "corpus_common.h"

kernel void atomics_wide(global const long* in, global long* g64, global uint* g32, global float* gf, uint n) {
  local atomic_ulong lsum;
  local atomic_uint lmax;
  local atomic_float lf;
  uint t = LID_X(), i = GID_X();
  if (t == 0) {
    __opencl_atomic_store(&lsum, 0ul, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&lmax, 0u, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&lf, 0.0f, memory_order_relaxed, memory_scope_work_group);
  }
  WORKGROUP_BARRIER();
  if (i < n) {
    long v = in[i];
    volatile global atomic_long* gl = (volatile global atomic_long*)g64;
    __opencl_atomic_fetch_min(&gl[0], v, memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_max(&gl[1], v, memory_order_relaxed, memory_scope_device);
    volatile global atomic_ulong* gu = (volatile global atomic_ulong*)&g64[2];
    ulong old = __opencl_atomic_load(gu, memory_order_relaxed, memory_scope_device);
    while (!__opencl_atomic_compare_exchange_weak(gu, &old, old + (ulong)v * 3ul, memory_order_relaxed,
                                                  memory_order_relaxed, memory_scope_device)) {
    }
    __opencl_atomic_fetch_add(&lsum, (ulong)v, memory_order_relaxed, memory_scope_work_group);
    uint mine = (uint)v ^ (uint)(v >> 32);
    uint cur = __opencl_atomic_load(&lmax, memory_order_relaxed, memory_scope_work_group);
    while (cur < mine && !__opencl_atomic_compare_exchange_strong(&lmax, &cur, mine, memory_order_relaxed,
                                                                  memory_order_relaxed, memory_scope_work_group)) {
    }
    __opencl_atomic_fetch_add(&lf, (float)(v % 100), memory_order_relaxed, memory_scope_work_group);
  }
  WORKGROUP_BARRIER();
  if (t == 0) {
    __opencl_atomic_fetch_add((volatile global atomic_ulong*)&g64[3],
                              __opencl_atomic_load(&lsum, memory_order_relaxed, memory_scope_work_group),
                              memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_max((volatile global atomic_uint*)g32,
                              __opencl_atomic_load(&lmax, memory_order_relaxed, memory_scope_work_group),
                              memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_add((volatile global atomic_float*)gf,
                              __opencl_atomic_load(&lf, memory_order_relaxed, memory_scope_work_group),
                              memory_order_relaxed, memory_scope_device);
  }
}

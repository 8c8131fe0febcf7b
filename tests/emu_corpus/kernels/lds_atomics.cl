// Atomics on local memory (add, max, min, or, xor) into a per-workgroup table, then merged into
// global memory with global atomics.
#include "corpus_common.h"

#define BINS 16

kernel void lds_atomics(global const uint* in, global uint* table, uint n) {
  local atomic_uint count[BINS], maxv[BINS], minv[BINS], orv[BINS], xorv[BINS];
  uint t = LID_X();
  uint i = GID_X();
  if (t < BINS) {
    __opencl_atomic_store(&count[t], 0u, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&maxv[t], 0u, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&minv[t], 0xffffffffu, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&orv[t], 0u, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_store(&xorv[t], 0u, memory_order_relaxed, memory_scope_work_group);
  }
  WORKGROUP_BARRIER();
  if (i < n) {
    uint v = in[i], bin = v % BINS;
    __opencl_atomic_fetch_add(&count[bin], 1u, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_fetch_max(&maxv[bin], v, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_fetch_min(&minv[bin], v, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_fetch_or(&orv[bin], v, memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_fetch_xor(&xorv[bin], v, memory_order_relaxed, memory_scope_work_group);
  }
  WORKGROUP_BARRIER();
  if (t < BINS) {
    volatile global atomic_uint* g = (volatile global atomic_uint*)table;
    uint c = __opencl_atomic_load(&count[t], memory_order_relaxed, memory_scope_work_group);
    __opencl_atomic_fetch_add(&g[5 * t + 0], c, memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_max(&g[5 * t + 1], __opencl_atomic_load(&maxv[t], memory_order_relaxed, memory_scope_work_group), memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_min(&g[5 * t + 2], __opencl_atomic_load(&minv[t], memory_order_relaxed, memory_scope_work_group), memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_or(&g[5 * t + 3], __opencl_atomic_load(&orv[t], memory_order_relaxed, memory_scope_work_group), memory_order_relaxed, memory_scope_device);
    __opencl_atomic_fetch_xor(&g[5 * t + 4], __opencl_atomic_load(&xorv[t], memory_order_relaxed, memory_scope_work_group), memory_order_relaxed, memory_scope_device);
  }
}

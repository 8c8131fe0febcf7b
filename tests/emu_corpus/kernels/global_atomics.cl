// Global atomics on int and uint: add, sub, min, max, and, or, xor, exchange; the values returned
// by fetch_add hand out unique tickets.
#include "corpus_common.h"

kernel void global_atomics(global const int* in, global int* acc, global uint* tickets, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int v = in[i];
  volatile global atomic_int* a = (volatile global atomic_int*)acc;
  volatile global atomic_uint* u = (volatile global atomic_uint*)acc;
  __opencl_atomic_fetch_add(&a[0], v, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_sub(&a[1], v, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_min(&a[2], v, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_max(&a[3], v, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_and(&u[4], (uint)v | 0x10000u, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_or(&u[5], (uint)v & 0xff00ffu, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_xor(&u[6], (uint)v, memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_max(&u[7], (uint)v, memory_order_relaxed, memory_scope_device);
  if (v == 12345) __opencl_atomic_exchange(&a[8], (int)i, memory_order_relaxed, memory_scope_device);
  uint ticket = __opencl_atomic_fetch_add(&u[9], 1u, memory_order_relaxed, memory_scope_device);
  if (ticket < n) tickets[ticket] = i + 1;
}

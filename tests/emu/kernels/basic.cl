// Small OpenCL C kernels for the emulator's differential tests; the host computes the same
// functions in C++ (opencl_test.cpp). Only __builtin_amdgcn_* builtins: no device library.
#define GID() (__builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() + __builtin_amdgcn_workitem_id_x())

kernel void saxpy(global const float* x, global float* y, float a, uint n) {
  uint i = GID();
  if (i < n) y[i] = a * x[i] + y[i];
}

kernel void int_ops(global const int* a, global const int* b, global int* out, uint n) {
  uint i = GID();
  if (i >= n) return;
  int x = a[i], y = b[i];
  out[8 * i + 0] = x * y;
  out[8 * i + 1] = y != 0 ? x / y : 0;
  out[8 * i + 2] = y != 0 ? x % y : 0;
  out[8 * i + 3] = (x << (y & 31)) ^ (int)((uint)x >> 3);
  out[8 * i + 4] = x < y ? x : y;
  out[8 * i + 5] = (int)(((long)x * (long)y) >> 32);
  out[8 * i + 6] = __builtin_popcount(x) + __builtin_clz(y | 1);
  out[8 * i + 7] = x > 0 ? x : -x;
}

kernel void float_div(global const float* a, global const float* b, global float* out, uint n) {
  uint i = GID();
  if (i < n) out[i] = a[i] / b[i];
}

kernel void double_ops(global const double* a, global const double* b, global double* out, uint n) {
  uint i = GID();
  if (i < n) out[i] = a[i] * b[i] + __builtin_sqrt(__builtin_fabs(a[i])) - a[i] / b[i];
}

kernel void divergent(global const int* a, global int* out, uint n) {
  uint i = GID();
  if (i >= n) return;
  int v = a[i];
  int acc = 0;
  for (int k = 0; k < (v & 15); k++) {
    if (k & 1) acc += k * v;
    else acc -= k;
  }
  out[i] = acc;
}

kernel void lds_reverse(global const int* in, global int* out) {
  local int tile[256];
  uint t = __builtin_amdgcn_workitem_id_x();
  uint g = __builtin_amdgcn_workgroup_id_x();
  tile[t] = in[g * 256 + t];
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
  out[g * 256 + t] = tile[255 - t] + tile[(t + 1) & 255];
}

kernel void atomic_hist(global const uint* in, global uint* hist, uint n) {
  uint i = GID();
  if (i < n) __opencl_atomic_fetch_add((volatile global atomic_uint*)&hist[in[i] & 15], 1u,
                                       memory_order_relaxed, memory_scope_device);
}

kernel void lane_ops(global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  int v = (int)(t * 3 + 1);
  out[4 * t + 0] = __builtin_amdgcn_readfirstlane(v);
  out[4 * t + 1] = __builtin_amdgcn_readlane(v, 17);
  out[4 * t + 2] = __builtin_amdgcn_mbcnt_hi(~0u, __builtin_amdgcn_mbcnt_lo(~0u, 0u));
  out[4 * t + 3] = __builtin_amdgcn_ds_bpermute((int)(((t + 5) & 63) * 4), v);
}

kernel void dpp_ops(global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  int v = (int)(t * 10);
  out[4 * t + 0] = __builtin_amdgcn_update_dpp(-1, v, 0x1B, 0xF, 0xF, false);  // quad_perm [3,2,1,0]
  out[4 * t + 1] = __builtin_amdgcn_update_dpp(-1, v, 0x111, 0xF, 0xF, false); // row_shr:1
  out[4 * t + 2] = __builtin_amdgcn_update_dpp(-1, v, 0x101, 0xF, 0xF, true);  // row_shl:1, bound_ctrl
  out[4 * t + 3] = __builtin_amdgcn_ds_swizzle(v, 0x041F);                     // swap pairs (xor 1)
}

// More OpenCL C kernels for the differential tests (opencl_more_test.cpp computes each on the host).
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#define GID() (__builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() + __builtin_amdgcn_workitem_id_x())

kernel void k_select(global const int* a, global int* out) {
  uint i = GID();
  int v = a[i];
  out[i] = v > 100 ? v - 100 : (v < -100 ? v + 100 : v * 2);
}
kernel void k_u64_div(global const ulong* a, global const ulong* b, global ulong* out) {
  uint i = GID();
  out[2 * i] = a[i] / b[i];
  out[2 * i + 1] = a[i] % b[i];
}
kernel void k_i64_mul_shift(global const long* a, global long* out) {
  uint i = GID();
  long v = a[i];
  out[i] = (v * 0x9E3779B97F4A7C15L) ^ (v >> 7) ^ (long)((ulong)v << 13);
}
kernel void k_float_misc(global const float* a, global float* out) {
  uint i = GID();
  float v = a[i];
  out[4 * i + 0] = __builtin_floorf(v) + __builtin_ceilf(v * 0.5f);
  out[4 * i + 1] = __builtin_fminf(v, 1.5f) * __builtin_fmaxf(v, -0.5f);
  out[4 * i + 2] = __builtin_fabsf(v) - __builtin_truncf(v);
  out[4 * i + 3] = __builtin_fmaf(v, v, -2.0f);
}
kernel void k_sqrt(global const float* a, global float* out) {
  uint i = GID();
  out[i] = __builtin_sqrtf(a[i]);
}
kernel void k_convert(global const float* a, global int* out) {
  uint i = GID();
  float v = a[i];
  out[3 * i + 0] = (int)v;
  out[3 * i + 1] = (int)(uint)(v < 0 ? -v : v);
  out[3 * i + 2] = __builtin_bit_cast(int, (float)(int)(v * 3.0f));
}
kernel void k_double_convert(global const int* a, global double* out) {
  uint i = GID();
  double d = (double)a[i] * 0.125;
  out[i] = d + (double)(float)d * 2.0;
}
kernel void k_half(global const half* a, global const half* b, global half* out) {
  uint i = GID();
  half x = a[i], y = b[i];
  out[i] = x * y + (half)1.0f;
}
kernel void k_bytes(global const uchar* a, global uchar* out, global short* out16) {
  uint i = GID();
  uchar v = a[i];
  out[i] = (uchar)(v * 3 + 1);
  out16[i] = (short)((char)v * 100);
}
kernel void k_2d(global int* out) {
  uint x = __builtin_amdgcn_workitem_id_x(), y = __builtin_amdgcn_workitem_id_y();
  uint gx = __builtin_amdgcn_workgroup_id_x(), gy = __builtin_amdgcn_workgroup_id_y();
  uint w = __builtin_amdgcn_workgroup_size_x(), h = __builtin_amdgcn_workgroup_size_y();
  uint col = gx * w + x, row = gy * h + y;
  out[row * 64 + col] = (int)(row * 1000 + col);
}
kernel void k_local_atomics(global const uint* in, global uint* out) {
  local uint counts[8];
  uint t = __builtin_amdgcn_workitem_id_x();
  if (t < 8) counts[t] = 0;
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
  __opencl_atomic_fetch_add((volatile local atomic_uint*)&counts[in[t] & 7], in[t], memory_order_relaxed, memory_scope_work_group);
  __opencl_atomic_fetch_max((volatile local atomic_uint*)&counts[7 - (in[t] & 3)], in[t] * 3, memory_order_relaxed, memory_scope_work_group);
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
  if (t < 8) out[t] = counts[t];
}
kernel void k_global_minmax(global const int* in, global int* out) {
  uint i = GID();
  __opencl_atomic_fetch_min((volatile global atomic_int*)&out[0], in[i], memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_max((volatile global atomic_int*)&out[1], in[i], memory_order_relaxed, memory_scope_device);
  __opencl_atomic_fetch_xor((volatile global atomic_int*)&out[2], in[i], memory_order_relaxed, memory_scope_device);
}
kernel void k_cas_float_add(global const float* in, global float* sum) {
  uint i = GID();
  volatile global atomic_uint* p = (volatile global atomic_uint*)sum;
  uint old = __opencl_atomic_load(p, memory_order_relaxed, memory_scope_device);
  for (;;) {
    uint want = __builtin_bit_cast(uint, __builtin_bit_cast(float, old) + in[i]);
    if (__opencl_atomic_compare_exchange_strong(p, &old, want, memory_order_relaxed, memory_order_relaxed, memory_scope_device)) break;
  }
}
kernel void k_ballot(global const int* in, global ulong* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  ulong b = __builtin_amdgcn_ballot_w64(in[t] > 0);
  if (t == 0) out[0] = b;
}
kernel void k_reduce_dpp(global const int* in, global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  int v = in[t];
  v += __builtin_amdgcn_update_dpp(0, v, 0x111, 0xF, 0xF, false);  // row_shr:1
  v += __builtin_amdgcn_update_dpp(0, v, 0x112, 0xF, 0xF, false);  // row_shr:2
  v += __builtin_amdgcn_update_dpp(0, v, 0x114, 0xF, 0xF, false);  // row_shr:4
  v += __builtin_amdgcn_update_dpp(0, v, 0x118, 0xF, 0xF, false);  // row_shr:8
  out[t] = v;  // inclusive prefix sum within each row of 16
}
kernel void k_swizzle_quad(global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  out[t] = __builtin_amdgcn_ds_swizzle((int)t, 0x8000 | 0x1B);  // quad mode, reverse
}
kernel void k_fp8(global const float* in, global uint* out) {
  uint i = GID();
  int packed = __builtin_amdgcn_cvt_pk_fp8_f32(in[2 * i], in[2 * i + 1], 0, false);
  packed = __builtin_amdgcn_cvt_pk_bf8_f32(in[2 * i] * 0.5f, in[2 * i + 1], packed, true);
  out[2 * i] = (uint)packed;
  out[2 * i + 1] = __builtin_bit_cast(uint, __builtin_amdgcn_cvt_f32_fp8(packed, 1));
}
kernel void k_loop_while(global const uint* in, global uint* out) {
  uint i = GID();
  uint n = in[i], steps = 0;
  while (n != 1 && steps < 200) { n = (n & 1) ? 3 * n + 1 : n / 2; steps++; }
  out[i] = steps;
}
kernel void k_switch(global const int* in, global int* out) {
  uint i = GID();
  int r;
  switch (in[i] & 7) {
    case 0: r = 11; break;
    case 1: r = in[i] * 2; break;
    case 2: r = -in[i]; break;
    case 5: r = in[i] >> 2; break;
    default: r = 0;
  }
  out[i] = r;
}
kernel void k_mfma(global const half* a, global const half* b, global float* out) {
  typedef half half4 __attribute__((ext_vector_type(4)));
  typedef float float4 __attribute__((ext_vector_type(4)));
  uint t = __builtin_amdgcn_workitem_id_x();
  half4 av = {a[4 * t], a[4 * t + 1], a[4 * t + 2], a[4 * t + 3]};
  half4 bv = {b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3]};
  float4 acc = {0, 0, 0, 0};
  acc = __builtin_amdgcn_mfma_f32_16x16x16f16(av, bv, acc, 0, 0, 0);
  for (int r = 0; r < 4; r++) out[r * 64 + t] = acc[r];
}
constant int k_table[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
kernel void k_const_table(global const uint* in, global int* out) {
  uint i = GID();
  out[i] = k_table[in[i] & 15] * 10 + k_table[(in[i] >> 4) & 15];
}
kernel void k_private(global const int* in, global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  volatile int arr[32];  // volatile keeps the array in scratch memory
  for (int i = 0; i < 32; i++) arr[i] = in[(t + i) & 63] * i;
  int idx = in[t] & 31;
  arr[idx] += 1000;
  int s = 0;
  for (int i = 0; i < 32; i += 3) s += arr[(idx + i) & 31];
  out[t] = s;
}
__attribute__((noinline)) int k_helper(int x, int y) { return x * y - (x >> 2); }
kernel void k_call(global const int* in, global int* out) {
  uint t = __builtin_amdgcn_workitem_id_x();
  out[t] = k_helper(in[t], (int)t + 3) + k_helper((int)t, 7);
}

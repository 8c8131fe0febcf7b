// Kernels for reliability_test.cpp (issue 17).
// int_wrap(in, out): a = in[lane], b = in[64 + lane], c = in[128 + lane]; out[k * 64 + lane] =
//   k=0 v_pk_mul_lo_u16, 1 v_pk_mad_u16, 2 v_mul_lo_u16, 3 v_dot2_u32_u16, 4 v_dot2_i32_i16,
//   5 v_dot4_i32_i8 (products of 16-bit values that overflow a C int, sums that overflow int32).
// store_at(buffer, offset, value): lane 0 stores the dword `value` at buffer + offset (64-bit add).
// store_kernarg(): stores to the kernel's own kernarg segment.
// store_code(): stores over its own first instruction (s_getpc_b64 - 4).

  .text
  .globl int_wrap
  .p2align 8
  .type int_wrap,@function
int_wrap:
  s_load_dwordx4 s[4:7], s[0:1], 0x0          // in, out
  v_lshlrev_b32 v1, 2, v0
  s_waitcnt lgkmcnt(0)
  global_load_dword v2, v1, s[4:5]
  global_load_dword v3, v1, s[4:5] offset:256
  global_load_dword v4, v1, s[4:5] offset:512
  s_waitcnt vmcnt(0)
  v_pk_mul_lo_u16 v5, v2, v3
  v_pk_mad_u16 v6, v2, v3, v4
  v_mul_lo_u16 v7, v2, v3
  v_dot2_u32_u16 v8, v2, v3, v4
  v_dot2_i32_i16 v9, v2, v3, v4
  v_dot4_i32_i8 v10, v2, v3, v4
  global_store_dword v1, v5, s[6:7]
  global_store_dword v1, v6, s[6:7] offset:256
  global_store_dword v1, v7, s[6:7] offset:512
  global_store_dword v1, v8, s[6:7] offset:768
  global_store_dword v1, v9, s[6:7] offset:1024
  global_store_dword v1, v10, s[6:7] offset:1280
  s_endpgm
  .size int_wrap, .-int_wrap

  .globl store_at
  .p2align 8
  .type store_at,@function
store_at:
  s_load_dwordx4 s[4:7], s[0:1], 0x0          // buffer, offset
  s_load_dword s8, s[0:1], 0x10               // value
  s_waitcnt lgkmcnt(0)
  s_add_u32 s4, s4, s6
  s_addc_u32 s5, s5, s7
  v_mov_b32 v2, s4
  v_mov_b32 v3, s5
  v_mov_b32 v4, s8
  global_store_dword v[2:3], v4, off
  s_endpgm
  .size store_at, .-store_at

  .globl store_kernarg
  .p2align 8
  .type store_kernarg,@function
store_kernarg:
  v_mov_b32 v2, s0
  v_mov_b32 v3, s1
  v_mov_b32 v4, 7
  global_store_dword v[2:3], v4, off
  s_endpgm
  .size store_kernarg, .-store_kernarg

  .globl store_code
  .p2align 8
  .type store_code,@function
store_code:
  s_getpc_b64 s[2:3]
  v_mov_b32 v2, s2
  v_mov_b32 v3, s3
  v_mov_b32 v4, 0
  global_store_dword v[2:3], v4, off offset:-4
  s_endpgm
  .size store_code, .-store_code

  .rodata
  .p2align 6
  .amdhsa_kernel int_wrap
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 16
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 16
  .end_amdhsa_kernel
  .p2align 6
  .amdhsa_kernel store_at
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
  .end_amdhsa_kernel
  .p2align 6
  .amdhsa_kernel store_kernarg
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
  .end_amdhsa_kernel
  .p2align 6
  .amdhsa_kernel store_code
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: int_wrap, .symbol: int_wrap.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: store_at, .symbol: store_at.kd, .kernarg_segment_size: 24, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: buffer, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: offset, .offset: 8, .size: 8, .value_kind: by_value }, { .name: value, .offset: 16, .size: 4, .value_kind: by_value } ] }
  - { .name: store_kernarg, .symbol: store_kernarg.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: unused, .offset: 0, .size: 8, .value_kind: by_value } ] }
  - { .name: store_code, .symbol: store_code.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: unused, .offset: 0, .size: 8, .value_kind: by_value } ] }
...
  .end_amdgpu_metadata

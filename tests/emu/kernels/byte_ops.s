// Kernels for the byte/halfword SAD and lerp tests (byte_ops_test.cpp).
// sad_lerp(in, out): a = in[lane], b = in[64 + lane], c = in[128 + lane];
// out[k * 64 + lane] = result k: v_sad_u8, v_sad_hi_u8, v_sad_u16, v_sad_u32, v_lerp_u8,
// v_sad_u32 with clamp.

  .text
  .globl sad_lerp
  .p2align 8
  .type sad_lerp,@function
sad_lerp:
  s_load_dwordx4 s[4:7], s[0:1], 0x0          // in, out
  v_lshlrev_b32 v1, 2, v0
  s_waitcnt lgkmcnt(0)
  global_load_dword v2, v1, s[4:5]
  global_load_dword v3, v1, s[4:5] offset:256
  global_load_dword v4, v1, s[4:5] offset:512
  s_waitcnt vmcnt(0)
  v_sad_u8 v5, v2, v3, v4
  v_sad_hi_u8 v6, v2, v3, v4
  v_sad_u16 v7, v2, v3, v4
  v_sad_u32 v8, v2, v3, v4
  v_lerp_u8 v9, v2, v3, v4
  v_sad_u32 v10, v2, v3, v4 clamp
  v_msad_u8 v11, v2, v3, v4
  global_store_dword v1, v5, s[6:7]
  global_store_dword v1, v6, s[6:7] offset:256
  global_store_dword v1, v7, s[6:7] offset:512
  global_store_dword v1, v8, s[6:7] offset:768
  global_store_dword v1, v9, s[6:7] offset:1024
  global_store_dword v1, v10, s[6:7] offset:1280
  global_store_dword v1, v11, s[6:7] offset:1536
  s_endpgm
  .size sad_lerp, .-sad_lerp

  .rodata
  .p2align 6
  .amdhsa_kernel sad_lerp
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 16
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: sad_lerp, .symbol: sad_lerp.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

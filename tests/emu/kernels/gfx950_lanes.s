// gfx950 lane swaps and the 16-bit bitop3 (see gfx950_lanes_test.cpp); on gfx942 the kernel
// only stores zeros. out[k * 64 + lane], k = 0..6:
//  v1, v2 after v_permlane16_swap_b32 v1, v2  (v1 = 1000 + lane, v2 = 2000 + lane before)
//  v3, v4 after v_permlane32_swap_b32 v3, v4  (same start values)
//  v5, v6 after v_permlane16_swap_b32 v5, v6 with EXEC = lanes 0-7 and 16-19
//  v7 after v_bitop3_b16 (majority, 0xe8) with op_sel [1,0,1,1] on v8, v9, v10
  .text
  .globl gfx950_lanes
  .p2align 8
  .type gfx950_lanes,@function
gfx950_lanes:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  v_mov_b32 v1, 0
  v_mov_b32 v2, 0
  v_mov_b32 v3, 0
  v_mov_b32 v4, 0
  v_mov_b32 v5, 0
  v_mov_b32 v6, 0
  v_mov_b32 v7, 0
.ifdef GFX950
  v_add_u32 v1, 1000, v0
  v_add_u32 v2, 2000, v0
  v_permlane16_swap_b32 v1, v2
  v_add_u32 v3, 1000, v0
  v_add_u32 v4, 2000, v0
  v_permlane32_swap_b32 v3, v4
  v_add_u32 v5, 1000, v0
  v_add_u32 v6, 2000, v0
  s_mov_b64 exec, 0x000f00ff
  v_permlane16_swap_b32 v5, v6
  s_mov_b64 exec, -1
  v_mul_u32_u24 v8, 0x10001, v0
  v_xor_b32 v8, 0xf0f0ff00, v8
  v_add_u32 v9, 0xcccc3333, v0
  v_lshlrev_b32 v10, 20, v0
  v_xor_b32 v10, 0xaaaa5555, v10
  v_mov_b32 v7, 0x5a5a1234
  v_bitop3_b16 v7, v8, v9, v10 bitop3:0xe8 op_sel:[1,0,1,1]
.endif
  s_waitcnt lgkmcnt(0)
  global_store_dword v30, v1, s[4:5]
  global_store_dword v30, v2, s[4:5] offset:256
  global_store_dword v30, v3, s[4:5] offset:512
  global_store_dword v30, v4, s[4:5] offset:768
  global_store_dword v30, v5, s[4:5] offset:1024
  global_store_dword v30, v6, s[4:5] offset:1280
  global_store_dword v30, v7, s[4:5] offset:1536
  s_endpgm
  .size gfx950_lanes, .-gfx950_lanes

  .rodata
  .p2align 6
  .amdhsa_kernel gfx950_lanes
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 8
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: gfx950_lanes, .symbol: gfx950_lanes.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

// Trace and only_workgroups probe: each instruction has a known trace class, byte count,
// bank-conflict count or waitcnt encoding (see trace_test.cpp). Block 128 (2 waves).
// out[(wg.y * block_count_x + wg.x) * 128 + tid] = wg.x | wg.y << 8 | block_count_x << 16 | block_count_y << 24.
// Kernargs: out (u32*), then the hidden block counts x and y.
  .text
  .globl trace_probe
  .p2align 8
  .type trace_probe,@function
trace_probe:
  s_load_dwordx4 s[4:7], s[0:1], 0x0   // out, block_count_x, block_count_y
  v_and_b32 v0, 0x3ff, v0              // tid
  v_lshlrev_b32 v1, 2, v0
  ds_write_b32 v1, v0                  // consecutive dwords: no bank conflict
  s_waitcnt lgkmcnt(0)
  s_barrier
  v_and_b32 v2, 63, v0
  v_lshlrev_b32 v2, 7, v2              // lane * 128 bytes: every lane in bank 0
  ds_read_b32 v3, v2
  s_waitcnt vmcnt(1) expcnt(2) lgkmcnt(3)
  v_exp_f32 v4, v0
  v_cvt_f64_u32 v[6:7], v0
  v_add_f64 v[6:7], v[6:7], v[6:7]
  s_waitcnt lgkmcnt(0)
  s_mul_i32 s8, s3, s6
  s_add_u32 s8, s8, s2
  s_lshl_b32 s8, s8, 9
  s_lshl_b32 s9, s3, 8
  s_or_b32 s9, s9, s2
  s_lshl_b32 s10, s6, 16
  s_or_b32 s9, s9, s10
  s_lshl_b32 s10, s7, 24
  s_or_b32 s9, s9, s10
  v_mov_b32 v5, s9
  v_add_u32 v1, s8, v1
  global_store_dword v1, v5, s[4:5]
  s_endpgm
  .size trace_probe, .-trace_probe

  .rodata
  .p2align 6
  .amdhsa_kernel trace_probe
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_system_sgpr_workgroup_id_x 1
    .amdhsa_system_sgpr_workgroup_id_y 1
    .amdhsa_group_segment_fixed_size 8192
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: trace_probe
    .symbol: trace_probe.kd
    .kernarg_segment_size: 16
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 8192
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 8
    .max_flat_workgroup_size: 128
    .args:
      - { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .offset: 8, .size: 4, .value_kind: hidden_block_count_x }
      - { .offset: 12, .size: 4, .value_kind: hidden_block_count_y }
...
  .end_amdgpu_metadata

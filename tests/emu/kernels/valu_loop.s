// VALU-heavy loop for the benchmark and the loop/branch test: each lane runs `iters`
// iterations of 8 dependent f32 FMAs and integer ops, then stores acc.
// Kernargs: out (f32*), iters (u32).
  .text
  .globl valu_loop
  .p2align 8
  .type valu_loop,@function
valu_loop:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_load_dword s6, s[0:1], 0x8
  v_and_b32 v0, 0x3ff, v0
  v_cvt_f32_u32 v1, v0                 // acc = tid
  v_mov_b32 v2, 0x3f000000             // 0.5
  v_mov_b32 v3, 1.0
  v_mov_b32 v5, 0
  s_waitcnt lgkmcnt(0)
  s_cmp_eq_u32 s6, 0
  s_cbranch_scc1 .Lstore
.Lloop:
  v_fma_f32 v1, v1, v2, v3             // acc = acc * 0.5 + 1
  v_fma_f32 v1, v1, v2, v3
  v_fma_f32 v1, v1, v2, v3
  v_fma_f32 v1, v1, v2, v3
  v_add_u32 v5, v5, v0
  v_xor_b32 v5, v5, v0
  v_mul_f32 v4, v1, v1
  v_max_f32 v4, v4, v3
  s_sub_u32 s6, s6, 1
  s_cmp_lg_u32 s6, 0
  s_cbranch_scc1 .Lloop
.Lstore:
  v_add_f32 v1, v1, v4
  v_lshlrev_b32 v6, 2, v0
  global_store_dword v6, v1, s[4:5]
  s_endpgm
  .size valu_loop, .-valu_loop

  .rodata
  .p2align 6
  .amdhsa_kernel valu_loop
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 12
    .amdhsa_float_denorm_mode_32 3        // denormals kept, as compiled code (clang, asmgen) sets it
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: valu_loop
    .symbol: valu_loop.kd
    .kernarg_segment_size: 12
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 8
    .max_flat_workgroup_size: 256
    .args:
      - { .name: out,   .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .name: iters, .offset: 8, .size: 4, .value_kind: by_value }
...
  .end_amdgpu_metadata

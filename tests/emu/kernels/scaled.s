// gfx950 scaled conversions (v_cvt_scalef32_*): x = 8, y = -1, scale = 4.0 (exponent 2) in every
// lane; out[k * 64 + lane] for k = 0..8. On gfx942 the kernel only ends (the instructions do not exist).
  .text
  .globl scaled
  .p2align 8
  .type scaled,@function
scaled:
.ifdef GFX950
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_lshlrev_b32 v20, 2, v0
  v_mov_b32 v2, 0x41000000                       // 8.0
  v_mov_b32 v3, -1.0
  v_mov_b32 v5, 4.0
  v_mov_b32 v4, 0
  v_cvt_scalef32_pk_fp8_f32 v4, v2, v3, v5
  v_cvt_scalef32_pk_f32_fp8 v[6:7], v4, v5
  v_mov_b32 v8, 0
  v_cvt_scalef32_pk_fp4_f32 v8, v2, v3, v5 op_sel:[0,0,1,0]
  v_cvt_scalef32_pk_f32_fp4 v[10:11], v8, v5 op_sel:[1,0]
  // v_cvt_scalef32_pk_bf16_fp4 (moe_gemm's MXFP4 weights against bf16): e2m1 bytes 0x21, _, 0xc7, 0x9f;
  // scales 1.0 (e8m0 127 << 23) and 8.0 (130 << 23); op_sel[1:0] picks the byte
  v_mov_b32 v12, 0x9fc70021
  v_mov_b32 v13, 0x3f800000                     // 127 << 23
  v_mov_b32 v14, 0x41000000                     // 130 << 23
  v_cvt_scalef32_pk_bf16_fp4 v15, v12, v13
  v_cvt_scalef32_pk_bf16_fp4 v16, v12, v14 op_sel:[0,1,0]
  v_cvt_scalef32_pk_bf16_fp4 v17, v12, v14 op_sel:[1,1,0]
  s_waitcnt lgkmcnt(0)
  global_store_dword v20, v4, s[4:5]
  global_store_dword v20, v6, s[4:5] offset:256
  global_store_dword v20, v7, s[4:5] offset:512
  global_store_dword v20, v8, s[4:5] offset:768
  global_store_dword v20, v10, s[4:5] offset:1024
  global_store_dword v20, v11, s[4:5] offset:1280
  global_store_dword v20, v15, s[4:5] offset:1536
  global_store_dword v20, v16, s[4:5] offset:1792
  global_store_dword v20, v17, s[4:5] offset:2048
.endif
  s_endpgm
  .size scaled, .-scaled

  .rodata
  .p2align 6
  .amdhsa_kernel scaled
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 8
    .amdhsa_accum_offset 24
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: scaled, .symbol: scaled.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 8, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

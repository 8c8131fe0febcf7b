// Conversion and packed-math edge cases. Kernargs: in (2 dwords per lane: x, y as f32 bits),
// out (8 dwords per lane, register-major out[k * 64 + lane]).
//   out0 = v_cvt_pk_fp8_f32(x, y)              (codes in bytes 0, 1)
//   out1 = out0 with v_cvt_pk_bf8_f32(x, y) into the high word (op_sel dst)
//   out2 = v_cvt_f32_fp8(byte 0 of out0)    out3 = v_cvt_f32_fp8(byte 1 of out0) (SDWA)
//   out4 = v_pk_add_f16(x, y)  out5 = v_pk_mul_f16 with op_sel:[1,0] op_sel_hi:[0,1]
//   out6 = v_cvt_pk_bf16_f32? (gfx950 only; gfx942 stores v_cvt_f16_f32(x))   out7 = v_med3_f32(x, -1, 1)
  .text
  .globl convert
  .p2align 8
  .type convert,@function
convert:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_lshlrev_b32 v1, 3, v0
  v_lshlrev_b32 v20, 2, v0
  s_waitcnt lgkmcnt(0)
  global_load_dwordx2 v[2:3], v1, s[4:5]
  s_waitcnt vmcnt(0)
  v_mov_b32 v4, 0
  v_cvt_pk_fp8_f32 v4, v2, v3
  v_mov_b32 v5, v4
  v_cvt_pk_bf8_f32 v5, v2, v3 op_sel:[0,0,1]
  v_cvt_f32_fp8_sdwa v6, v4 src0_sel:BYTE_0
  v_cvt_f32_fp8_sdwa v7, v4 src0_sel:BYTE_1
  v_pk_add_f16 v8, v2, v3
  v_pk_mul_f16 v9, v2, v3 op_sel:[1,0] op_sel_hi:[0,1]
.ifdef GFX950
  v_cvt_pk_bf16_f32 v10, v2, v3
.else
  v_cvt_f16_f32 v10, v2
.endif
  v_med3_f32 v11, v2, -1.0, 1.0
  global_store_dword v20, v4, s[6:7]
  global_store_dword v20, v5, s[6:7] offset:256
  global_store_dword v20, v6, s[6:7] offset:512
  global_store_dword v20, v7, s[6:7] offset:768
  global_store_dword v20, v8, s[6:7] offset:1024
  global_store_dword v20, v9, s[6:7] offset:1280
  global_store_dword v20, v10, s[6:7] offset:1536
  global_store_dword v20, v11, s[6:7] offset:1792
  s_endpgm
  .size convert, .-convert

  .rodata
  .p2align 6
  .amdhsa_kernel convert
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 24
    .amdhsa_float_denorm_mode_32 3
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: convert, .symbol: convert.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

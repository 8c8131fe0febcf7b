// Every instruction and modifier added for issue 10, once (instr_coverage_test.cpp checks that
// the emulator supports all of them: `asmk info --emu-coverage` reports nothing for this code).
// The kernel is decoded, not run. gfx950-only instructions sit in .ifdef GFX950.
  .text
  .globl instr_coverage
  .p2align 8
  .type instr_coverage,@function
instr_coverage:
  v_mov_b32_dpp v10, v1 row_newbcast:5 row_mask:0xf bank_mask:0xf
  v_add_f32_dpp v10, v1, v2 row_newbcast:15 row_mask:0xf bank_mask:0xf bound_ctrl:1
  v_fmac_f64_dpp v[10:11], v[2:3], v[4:5] row_newbcast:1 row_mask:0xf bank_mask:0xf
  v_mov_b64_dpp v[10:11], v[2:3] row_newbcast:1 row_mask:0xf bank_mask:0xf
  s_setvskip s20, 0
  v_nop
  v_cvt_pk_u8_f32 v10, v1, 2, v3
  v_cvt_off_f32_i4 v10, v1
  v_pack_b32_f16 v10, v1, v2 op_sel:[1,0,0]
  v_cvt_sr_fp8_f32 v10, v1, v2 op_sel:[0,0,1,1]
  v_cvt_sr_bf8_f32 v10, v1, v2
  v_smfmac_f32_16x16x32_f16 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x16_f16 v[16:31], v[2:3], v[4:7], v1
  v_smfmac_f32_16x16x32_bf16 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x16_bf16 v[16:31], v[2:3], v[4:7], v1 abid:1
  v_smfmac_i32_16x16x64_i8 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_i32_32x32x32_i8 v[16:31], v[2:3], v[4:7], v1
  v_smfmac_f32_16x16x64_bf8_bf8 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_16x16x64_bf8_fp8 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_16x16x64_fp8_bf8 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_16x16x64_fp8_fp8 v[12:15], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x32_bf8_bf8 v[16:31], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x32_bf8_fp8 v[16:31], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x32_fp8_bf8 v[16:31], v[2:3], v[4:7], v1
  v_smfmac_f32_32x32x32_fp8_fp8 v[16:31], v[2:3], v[4:7], v1
.ifdef GFX950
  v_cvt_pk_f16_f32 v10, v1, v2
  v_cvt_f32_bf16 v10, v1
  v_cvt_f32_bf16_sdwa v10, v1 dst_sel:DWORD dst_unused:UNUSED_PRESERVE src0_sel:WORD_1
  v_cvt_sr_f16_f32 v10, v1, v2 op_sel:[0,0,1]
  v_cvt_sr_bf16_f32 v10, v1, v2
  v_cvt_scalef32_pk_f16_fp8 v10, v1, v2 op_sel:[1,0,0]
  v_cvt_scalef32_pk_fp8_f16 v10, v1, v2
  v_cvt_scalef32_pk_f16_bf8 v10, v1, v2 op_sel:[1,0,0]
  v_cvt_scalef32_pk_bf8_f16 v10, v1, v2
  v_cvt_scalef32_pk_f16_fp4 v10, v1, v2
  v_cvt_scalef32_pk_fp4_f16 v10, v1, v2
  v_cvt_scalef32_pk_bf16_fp8 v10, v1, v2 op_sel:[1,0,0]
  v_cvt_scalef32_pk_fp8_bf16 v10, v1, v2
  v_cvt_scalef32_pk_bf16_bf8 v10, v1, v2 op_sel:[1,0,0]
  v_cvt_scalef32_pk_bf8_bf16 v10, v1, v2
  v_cvt_scalef32_pk_bf16_fp4 v10, v1, v2
  v_cvt_scalef32_pk_fp4_bf16 v10, v1, v2
  v_cvt_scalef32_f16_fp8 v10, v1, v2 op_sel:[1,1,1]
  v_cvt_scalef32_sr_fp8_f32 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_sr_fp8_f16 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_sr_fp8_bf16 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_f16_bf8 v10, v1, v2 op_sel:[1,1,1]
  v_cvt_scalef32_sr_bf8_f32 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_sr_bf8_f16 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_sr_bf8_bf16 v10, v1, v2, v3 op_sel:[0,0,1,1]
  v_cvt_scalef32_sr_pk_fp4_f32 v10, v[2:3], v4, v5
  v_cvt_scalef32_sr_pk_fp4_f16 v10, v1, v4, v5
  v_cvt_scalef32_sr_pk_fp4_bf16 v10, v1, v4, v5
  v_smfmac_f32_16x16x64_f16 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x32_f16 v[16:31], v[2:5], v[32:39], v1 abid:1
  v_smfmac_f32_16x16x64_bf16 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x32_bf16 v[16:31], v[2:5], v[32:39], v1 abid:1
  v_smfmac_i32_16x16x128_i8 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_i32_32x32x64_i8 v[16:31], v[2:5], v[32:39], v1
  v_smfmac_f32_16x16x128_bf8_bf8 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_16x16x128_bf8_fp8 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_16x16x128_fp8_bf8 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_16x16x128_fp8_fp8 v[12:15], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x64_bf8_bf8 v[16:31], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x64_bf8_fp8 v[16:31], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x64_fp8_bf8 v[16:31], v[2:5], v[32:39], v1
  v_smfmac_f32_32x32x64_fp8_fp8 v[16:31], v[2:5], v[32:39], v1
.endif
  s_endpgm
  .size instr_coverage, .-instr_coverage

  .rodata
  .p2align 6
  .amdhsa_kernel instr_coverage
    .amdhsa_next_free_vgpr 40
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 40
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: instr_coverage, .symbol: instr_coverage.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 40, .max_flat_workgroup_size: 64, .args: [] }
...
  .end_amdgpu_metadata

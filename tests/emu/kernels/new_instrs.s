// The instructions and modifiers of issue 10 (see new_instrs_test.cpp): in[k * 64 + lane] is
// loaded into v1..v4 (k = 0..3), v[6:7] = (v1, v4); every output register starts as 0x11223344 (so partial writes
// show) and out[n * 64 + lane] holds v(10 + n), n = 0..23 (v30, the address, is skipped: n = 20
// stores v31, ... n = 23 stores v34). gfx950-only instructions sit in .ifdef GFX950.
  .text
  .globl new_instrs
  .p2align 8
  .type new_instrs,@function
new_instrs:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  s_waitcnt lgkmcnt(0)
  global_load_dword v1, v30, s[4:5]
  global_load_dword v2, v30, s[4:5] offset:256
  global_load_dword v3, v30, s[4:5] offset:512
  global_load_dword v4, v30, s[4:5] offset:768
  .irp r, 10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,31,32,33,34
  v_mov_b32 v\r, 0x11223344
  .endr
  s_waitcnt vmcnt(0)
  v_mov_b32 v6, v1
  v_mov_b32 v7, v4
  // DPP row_newbcast (gfx90a+): every lane of a row reads lane N of its row.
  v_mov_b32_dpp v10, v1 row_newbcast:5 row_mask:0xf bank_mask:0xf
  v_mov_b32_dpp v11, v1 row_newbcast:15 row_mask:0x5 bank_mask:0xf
  v_add_u32_dpp v12, v1, v2 row_newbcast:0 row_mask:0xf bank_mask:0xf
  v_mov_b64_dpp v[14:15], v[6:7] row_newbcast:3 row_mask:0xf bank_mask:0xf
  s_mov_b64 exec, 0xfffffffffffffff7
  v_mov_b32_dpp v13, v1 row_newbcast:3 row_mask:0xf bank_mask:0xf
  v_mov_b32_dpp v16, v1 row_newbcast:3 row_mask:0xf bank_mask:0xf bound_ctrl:1
  s_mov_b64 exec, -1
  // Conversions on both arches.
  v_cvt_pk_u8_f32 v17, v1, v3, v4
  v_cvt_off_f32_i4 v18, v4
  v_cvt_off_f32_i4_e64 v19, v4 mul:2
  v_pack_b32_f16 v20, v1, v2 op_sel:[1,0,0]
  v_pack_b32_f16 v21, -v1, |v2| op_sel:[0,1,0]
  v_cvt_sr_fp8_f32 v22, v1, v2 op_sel:[0,0,1,1]
  v_cvt_sr_bf8_f32 v23, v1, v2
  v_nop
  s_mov_b32 s20, 0x10
  s_setvskip s20, 3
  v_mov_b32 v24, 7
.ifdef GFX950
  v_cvt_pk_f16_f32 v25, v1, v2
  v_cvt_f32_bf16_sdwa v26, v1 dst_sel:DWORD dst_unused:UNUSED_PRESERVE src0_sel:WORD_1
  v_cvt_f32_bf16 v27, v1
  v_cvt_scalef32_pk_bf16_fp8 v28, v1, v3 op_sel:[1,0,0]
  v_cvt_sr_f16_f32 v29, v1, v2 op_sel:[0,0,1]
  v_cvt_scalef32_sr_fp8_f32 v31, v1, v2, v3 op_sel:[0,0,1,0]
  v_cvt_sr_bf16_f32 v32, v1, v2
  v_cvt_scalef32_sr_pk_fp4_f32 v33, v[6:7], v3, v4 op_sel:[0,0,0,1]
  v_cvt_scalef32_pk_f16_fp8 v34, v1, v4
.endif
  .irp r, 10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,31,32,33,34
  global_store_dword v30, v\r, s[6:7]
  s_add_u32 s6, s6, 256
  s_addc_u32 s7, s7, 0
  .endr
  s_endpgm
  .size new_instrs, .-new_instrs

  .rodata
  .p2align 6
  .amdhsa_kernel new_instrs
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 40
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 40
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: new_instrs, .symbol: new_instrs.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 40, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global },
               { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

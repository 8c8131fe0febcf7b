// GPR indexing mode: s_set_gpr_idx_on/_idx/_mode/_off offset the VGPR operands of VALU
// instructions by M0[7:0] for the operands enabled in M0[15:12]. One wave; per lane, out[k * 64 + lane]:
//  k=0 v1 = v[10+3]            (SRC0, index 3)            1 v23 = 7       (DST, index 3)
//  k=2 v21 = v[10+1] + v[11+1] (SRC0,SRC1,DST, index 1)   3 v2 = v10      (mode off)
//  k=4 v3 = v[10+2] + v11      (on with an inline index)  5 v[6:7] = v[12:13] (64-bit, SRC0) lo
//  k=6 hi                      k=7 v4 = v0 (index 200 is past the VGPRs: v0 is read)
//  k=8 MODE[27] while on       k=9 MODE[27] after off     k=10 M0 at the end
// A store issued while indexing is on (k=0) is not indexed: only VALU operands are.
  .text
  .globl gpr_idx
  .p2align 8
  .type gpr_idx,@function
gpr_idx:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  v_mov_b32 v10, 100
  v_mov_b32 v11, 111
  v_mov_b32 v12, 112
  v_mov_b32 v13, 113
  v_mov_b32 v14, 114
  s_mov_b32 m0, 0xffff0000
  s_mov_b32 s2, 3
  s_set_gpr_idx_on s2, gpr_idx(SRC0)
  v_mov_b32 v1, v10
  s_getreg_b32 s6, hwreg(HW_REG_MODE, 27, 1)
  s_waitcnt lgkmcnt(0)
  global_store_dword v30, v1, s[4:5]
  s_set_gpr_idx_mode gpr_idx(DST)
  v_mov_b32 v20, 7
  s_set_gpr_idx_idx 1
  s_set_gpr_idx_mode gpr_idx(SRC0,SRC1,DST)
  v_add_u32 v20, v10, v11
  s_set_gpr_idx_off
  s_getreg_b32 s7, hwreg(HW_REG_MODE, 27, 1)
  v_mov_b32 v2, v10
  s_set_gpr_idx_on 2, gpr_idx(SRC0)
  v_add_u32 v3, v10, v11
  v_mov_b64 v[6:7], v[10:11]
  s_set_gpr_idx_on 200, gpr_idx(SRC0)
  v_mov_b32 v4, v10
  s_set_gpr_idx_off
  v_mov_b32 v8, s6
  v_mov_b32 v9, s7
  v_mov_b32 v15, m0
  global_store_dword v30, v23, s[4:5] offset:256
  global_store_dword v30, v21, s[4:5] offset:512
  global_store_dword v30, v2, s[4:5] offset:768
  global_store_dword v30, v3, s[4:5] offset:1024
  global_store_dword v30, v6, s[4:5] offset:1280
  global_store_dword v30, v7, s[4:5] offset:1536
  global_store_dword v30, v4, s[4:5] offset:1792
  global_store_dword v30, v8, s[4:5] offset:2048
  global_store_dword v30, v9, s[4:5] offset:2304
  global_store_dword v30, v15, s[4:5] offset:2560
  s_endpgm
  .size gpr_idx, .-gpr_idx

  .rodata
  .p2align 6
  .amdhsa_kernel gpr_idx
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 8
  .end_amdhsa_kernel

// GPR indexing of AccVGPR operands (gpr_idx_agpr): the index applies to the enabled operand
// slot whichever register file it names. a[k] = 200 + k, v10..v12 = 100, 111, 112. Per lane,
// out[k * 64 + lane]:
//  k=0 v_accvgpr_read v1, a0 with SRC0, index 3: a3 = 203
//  k=1 a3 after v_accvgpr_write a0, v10 with DST, index 3: 100
//  k=2 v_accvgpr_read v20, a1 with DST, index 3: v23 = a1 = 201 (the VGPR destination moves)
//  k=3 a6 after v_accvgpr_write a6, v10 with SRC0, index 2: v12 = 112 (the AGPR destination stays)
//  k=4 a11 after v_accvgpr_mov a10, a0 with SRC0 and DST, index 1: a1 = 201
  .text
  .globl gpr_idx_agpr
  .p2align 8
  .type gpr_idx_agpr,@function
gpr_idx_agpr:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  v_mov_b32 v1, 200
  v_accvgpr_write_b32 a0, v1
  v_mov_b32 v1, 201
  v_accvgpr_write_b32 a1, v1
  v_mov_b32 v1, 202
  v_accvgpr_write_b32 a2, v1
  v_mov_b32 v1, 203
  v_accvgpr_write_b32 a3, v1
  v_mov_b32 v1, 204
  v_accvgpr_write_b32 a4, v1
  v_mov_b32 v1, 205
  v_accvgpr_write_b32 a5, v1
  v_mov_b32 v10, 100
  v_mov_b32 v11, 111
  v_mov_b32 v12, 112
  s_set_gpr_idx_on 3, gpr_idx(SRC0)
  v_accvgpr_read_b32 v1, a0
  s_set_gpr_idx_mode gpr_idx(DST)
  v_accvgpr_write_b32 a0, v10
  v_accvgpr_read_b32 v20, a1
  s_set_gpr_idx_on 2, gpr_idx(SRC0)
  v_accvgpr_write_b32 a6, v10
  s_set_gpr_idx_on 1, gpr_idx(SRC0,DST)
  v_accvgpr_mov_b32 a10, a0
  s_set_gpr_idx_off
  v_accvgpr_read_b32 v2, a3
  v_accvgpr_read_b32 v3, a6
  v_accvgpr_read_b32 v4, a11
  s_waitcnt lgkmcnt(0)
  global_store_dword v30, v1, s[4:5]
  global_store_dword v30, v2, s[4:5] offset:256
  global_store_dword v30, v23, s[4:5] offset:512
  global_store_dword v30, v3, s[4:5] offset:768
  global_store_dword v30, v4, s[4:5] offset:1024
  s_endpgm
  .size gpr_idx_agpr, .-gpr_idx_agpr

  .rodata
  .p2align 6
  .amdhsa_kernel gpr_idx_agpr
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 64
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 8
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: gpr_idx
    .symbol: gpr_idx.kd
    .kernarg_segment_size: 8
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 32
    .max_flat_workgroup_size: 64
    .args:
      - { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
  - .name: gpr_idx_agpr
    .symbol: gpr_idx_agpr.kd
    .kernarg_segment_size: 8
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 64
    .max_flat_workgroup_size: 64
    .args:
      - { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
...
  .end_amdgpu_metadata

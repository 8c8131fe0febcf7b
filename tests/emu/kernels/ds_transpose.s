// gfx950 transposing LDS reads (see ds_transpose_test.cpp); on gfx942 the kernel stores zeros.
// LDS[0..1024) = in[0..1024); then per lane, out[k * 64 + lane] for the result dwords:
//  k=0,1  ds_read_b64_tr_b16 at lane * 8       k=2,3  ds_read_b64_tr_b8 at lane * 8
//  k=4,5  ds_read_b64_tr_b4 at lane * 8        k=6..8 ds_read_b96_tr_b6 at lane * 12
//  k=9,10 ds_read_b64_tr_b16 at (lane ^ 5) * 8 + 8 (per-lane addresses and the offset field)
  .text
  .globl ds_transpose
  .p2align 8
  .type ds_transpose,@function
ds_transpose:
  s_load_dwordx4 s[4:7], s[0:1], 0x0      // in, out
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  v_lshlrev_b32 v31, 4, v0
  v_mov_b32 v2, 0
  v_mov_b32 v3, 0
  v_mov_b32 v4, 0
  v_mov_b32 v5, 0
  v_mov_b32 v6, 0
  v_mov_b32 v7, 0
  v_mov_b32 v10, 0
  v_mov_b32 v11, 0
  v_mov_b32 v12, 0
  v_mov_b32 v14, 0
  v_mov_b32 v15, 0
  s_waitcnt lgkmcnt(0)
  global_load_dwordx4 v[20:23], v31, s[4:5]
  s_waitcnt vmcnt(0)
  ds_write_b128 v31, v[20:23]
  s_waitcnt lgkmcnt(0)
.ifdef GFX950
  v_lshlrev_b32 v1, 3, v0
  ds_read_b64_tr_b16 v[2:3], v1
  ds_read_b64_tr_b8 v[4:5], v1
  ds_read_b64_tr_b4 v[6:7], v1
  v_mul_u32_u24 v8, 12, v0
  ds_read_b96_tr_b6 v[10:12], v8
  v_xor_b32 v9, 5, v0
  v_lshlrev_b32 v9, 3, v9
  ds_read_b64_tr_b16 v[14:15], v9 offset:8
  s_waitcnt lgkmcnt(0)
.endif
  global_store_dword v30, v2, s[6:7]
  global_store_dword v30, v3, s[6:7] offset:256
  global_store_dword v30, v4, s[6:7] offset:512
  global_store_dword v30, v5, s[6:7] offset:768
  global_store_dword v30, v6, s[6:7] offset:1024
  global_store_dword v30, v7, s[6:7] offset:1280
  global_store_dword v30, v10, s[6:7] offset:1536
  global_store_dword v30, v11, s[6:7] offset:1792
  global_store_dword v30, v12, s[6:7] offset:2048
  global_store_dword v30, v14, s[6:7] offset:2304
  global_store_dword v30, v15, s[6:7] offset:2560
  s_endpgm
  .size ds_transpose, .-ds_transpose

  .rodata
  .p2align 6
  .amdhsa_kernel ds_transpose
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 1024
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: ds_transpose, .symbol: ds_transpose.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

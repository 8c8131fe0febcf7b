// MFMA through the emulator's bridge: D = A * B for v_mfma_f32_16x16x16_f16.
// Kernargs: a, b (2 dwords per lane, lane-major), out (4 dwords per lane, register-major:
// out[r * 64 + lane]). mfma_hazard reads the result one instruction too early (strict report).
  .text
.macro MFMA_BODY wait
  s_load_dwordx4 s[4:7], s[0:1], 0x0           // a, b
  s_load_dwordx2 s[8:9], s[0:1], 0x10          // out
  v_lshlrev_b32 v1, 3, v0                      // 8 bytes per lane
  s_waitcnt lgkmcnt(0)
  global_load_dwordx2 v[2:3], v1, s[4:5]
  global_load_dwordx2 v[4:5], v1, s[6:7]
  s_waitcnt vmcnt(0)
  v_mfma_f32_16x16x16_f16 a[0:3], v[2:3], v[4:5], 0
  .if \wait
  s_nop 7
  s_nop 7
  s_nop 2
  .endif
  v_accvgpr_read_b32 v6, a0
  v_accvgpr_read_b32 v7, a1
  v_accvgpr_read_b32 v8, a2
  v_accvgpr_read_b32 v9, a3
  v_lshlrev_b32 v10, 2, v0
  global_store_dword v10, v6, s[8:9]
  global_store_dword v10, v7, s[8:9] offset:256
  global_store_dword v10, v8, s[8:9] offset:512
  global_store_dword v10, v9, s[8:9] offset:768
  s_endpgm
.endm

  .globl mfma_f16
  .p2align 8
  .type mfma_f16,@function
mfma_f16:
  MFMA_BODY 1
  .size mfma_f16, .-mfma_f16

  .globl mfma_hazard
  .p2align 8
  .type mfma_hazard,@function
mfma_hazard:
  MFMA_BODY 0
  .size mfma_hazard, .-mfma_hazard

  .rodata
  .p2align 6
.macro KD name
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 16
  .end_amdhsa_kernel
.endm
  KD mfma_f16
  KD mfma_hazard

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: mfma_f16, .symbol: mfma_f16.kd, .kernarg_segment_size: 24, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 16, .agpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: a, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: b, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 16, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: mfma_hazard, .symbol: mfma_hazard.kd, .kernarg_segment_size: 24, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 16, .agpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: a, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: b, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 16, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

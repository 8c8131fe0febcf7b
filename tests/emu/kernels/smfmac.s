// v_smfmac_f32_16x16x32_f16 through the emulator (see smfmac_test.cpp): in holds, per lane,
// A (2 dwords: the stored half), B (4 dwords), the index word and C (4 dwords), each as
// in[k * 64 + lane], k = 0..10; D = A*B + C is written to out[r * 64 + lane], r = 0..3.
  .text
  .globl smfmac
  .p2align 8
  .type smfmac,@function
smfmac:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  s_waitcnt lgkmcnt(0)
  .irp r, 2,3,4,5,6,7,1,10,11,12,13
  global_load_dword v\r, v30, s[4:5]
  s_add_u32 s4, s4, 256
  s_addc_u32 s5, s5, 0
  .endr
  s_waitcnt vmcnt(0)
  v_smfmac_f32_16x16x32_f16 v[10:13], v[2:3], v[4:7], v1 abid:1
  s_nop 7
  s_nop 7
  .irp r, 10,11,12,13
  global_store_dword v30, v\r, s[6:7]
  s_add_u32 s6, s6, 256
  s_addc_u32 s7, s7, 0
  .endr
  s_endpgm
  .size smfmac, .-smfmac

// smfmac_hazard: a v_smfmac reads its destination as SrcC; right after an MFMA that writes part
// of it, strict mode must report the SrcC overlap hazard.
  .globl smfmac_hazard
  .p2align 8
  .type smfmac_hazard,@function
smfmac_hazard:
  v_mov_b32 v1, 0
  v_mfma_f32_16x16x16_f16 v[10:13], v[2:3], v[4:5], 0
  v_smfmac_f32_16x16x32_f16 v[12:15], v[2:3], v[4:7], v1
  s_nop 7
  s_nop 7
  s_endpgm
  .size smfmac_hazard, .-smfmac_hazard

  .rodata
  .p2align 6
  .amdhsa_kernel smfmac
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel
  .amdhsa_kernel smfmac_hazard
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: smfmac, .symbol: smfmac.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global },
               { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: smfmac_hazard, .symbol: smfmac_hazard.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 32, .max_flat_workgroup_size: 64, .args: [] }
...
  .end_amdgpu_metadata

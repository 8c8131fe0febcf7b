// Loads to LDS (see lds_dma_forms_test.cpp): buffer_load_* ... lds and global_load_lds_*, one
// wave; src holds bytes i (mod 256) ... as the test fills it; each region of LDS is read back
// after s_waitcnt vmcnt(0) and stored to out. Kernel arguments: src, out.

// buffer_lds: sub-dword and dword MUBUF loads to LDS with offen, and an `off` form whose
// instruction offset moves both the memory and the LDS address. LDS region k (256 bytes at
// 0x100 * k) holds lane l's dword at 4l; out[64k + l] = that dword.
  .text
  .globl buffer_lds
  .p2align 8
  .type buffer_lds,@function
buffer_lds:
  s_load_dwordx4 s[4:7], s[0:1], 0x0        // s[4:5] = src, s[6:7] = out
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s8, s4                          // V#: base src, stride 0, num_records 256
  s_and_b32 s9, s5, 0xffff
  s_mov_b32 s10, 256
  s_mov_b32 s11, 0x00020000
  v_lshlrev_b32_e32 v1, 2, v0               // 4 * lane
  v_add_u32_e32 v2, 1, v1
  v_add_u32_e32 v3, 3, v1
  v_add_u32_e32 v4, 2, v1
  s_mov_b32 m0, 0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_dword v1, s[8:11], 0 offen lds      // region 0: src dword l
  s_mov_b32 m0, 0x100
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_ubyte v2, s[8:11], 0 offen lds      // region 1: src byte 4l+1, zero-extended
  s_mov_b32 m0, 0x200
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_sbyte v3, s[8:11], 0 offen lds      // region 2: src byte 4l+3, sign-extended
  s_mov_b32 m0, 0x300
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_ushort v4, s[8:11], 0 offen lds     // region 3: src bytes 4l+2..3, zero-extended
  s_mov_b32 m0, 0x400
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_sshort v4, s[8:11], 0 offen lds     // region 4: src bytes 4l+2..3, sign-extended
  s_mov_b32 m0, 0x4f8
  s_mov_b32 s12, 4
  buffer_load_dword off, s[8:11], s12 offset:8 lds  // region 5 (0x4f8 + 8): every lane src bytes 12..15
  s_waitcnt vmcnt(0)
  v_lshlrev_b32_e32 v1, 2, v0
  ds_read_b32 v10, v1
  ds_read_b32 v11, v1 offset:0x100
  ds_read_b32 v12, v1 offset:0x200
  ds_read_b32 v13, v1 offset:0x300
  ds_read_b32 v14, v1 offset:0x400
  ds_read_b32 v15, v1 offset:0x500
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v10, s[6:7]
  global_store_dword v1, v11, s[6:7] offset:0x100
  global_store_dword v1, v12, s[6:7] offset:0x200
  global_store_dword v1, v13, s[6:7] offset:0x300
  global_store_dword v1, v14, s[6:7] offset:0x400
  global_store_dword v1, v15, s[6:7] offset:0x500
  s_endpgm
  .size buffer_lds, .-buffer_lds

// global_lds: global_load_lds_* in every width of both arches; region k as above.
  .globl global_lds
  .p2align 8
  .type global_lds,@function
global_lds:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_lshlrev_b32_e32 v1, 2, v0
  v_add_u32_e32 v2, 1, v1
  v_add_u32_e32 v3, 3, v1
  v_add_u32_e32 v4, 2, v1
  s_mov_b32 m0, 0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dword v1, s[4:5]                // region 0: src dword l
  s_mov_b32 m0, 0x100
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_ubyte v2, s[4:5]                // region 1: byte 4l+1, zero-extended
  s_mov_b32 m0, 0x200
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_sbyte v3, s[4:5]                // region 2: byte 4l+3, sign-extended
  s_mov_b32 m0, 0x300
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_ushort v4, s[4:5]               // region 3: bytes 4l+2..3, zero-extended
  s_mov_b32 m0, 0x400
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_sshort v4, s[4:5]               // region 4: bytes 4l+2..3, sign-extended
  s_mov_b32 m0, 0x3f0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dword v1, s[4:5] offset:0x110   // region 5 (0x3f0 + 0x110): src dword 68 + l
  s_waitcnt vmcnt(0)
  ds_read_b32 v10, v1
  ds_read_b32 v11, v1 offset:0x100
  ds_read_b32 v12, v1 offset:0x200
  ds_read_b32 v13, v1 offset:0x300
  ds_read_b32 v14, v1 offset:0x400
  ds_read_b32 v15, v1 offset:0x500
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v10, s[6:7]
  global_store_dword v1, v11, s[6:7] offset:0x100
  global_store_dword v1, v12, s[6:7] offset:0x200
  global_store_dword v1, v13, s[6:7] offset:0x300
  global_store_dword v1, v14, s[6:7] offset:0x400
  global_store_dword v1, v15, s[6:7] offset:0x500
  s_endpgm
  .size global_lds, .-global_lds

.ifdef GFX950
// wide_lds (gfx950, 96 KiB of LDS): 12/16-byte loads to LDS above 64 KiB (M0 bit 16 set). Lane l
// writes at M0 + 16l. Regions of 1 KiB at 0x10000 + 0x400 k: buffer x4, buffer x3 (src + 4),
// global x4, global x3 (src + 4); the 4th dword of each x3 lane keeps the 0xdeadbeef written
// first. out[1 KiB * k + 16 l ..] = region k's 16 bytes of lane l.
  .globl wide_lds
  .p2align 8
  .type wide_lds,@function
wide_lds:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s8, s4
  s_and_b32 s9, s5, 0xffff
  s_mov_b32 s10, 1024
  s_mov_b32 s11, 0x00020000
  v_lshlrev_b32_e32 v1, 4, v0                     // 16 * lane
  v_add_u32_e32 v2, 0x10000, v1                   // the lane's LDS bytes in region 0
  v_mov_b32_e32 v3, 0xdeadbeef
  ds_write_b32 v2, v3 offset:0x40c
  ds_write_b32 v2, v3 offset:0xc0c
  s_waitcnt lgkmcnt(0)
  v_add_u32_e32 v4, 4, v1
  s_mov_b32 m0, 0x10000
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_dwordx4 v1, s[8:11], 0 offen lds
  s_mov_b32 m0, 0x10400
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_dwordx3 v4, s[8:11], 0 offen lds
  s_mov_b32 m0, 0x10800
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dwordx4 v1, s[4:5]
  s_mov_b32 m0, 0x10c00
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dwordx3 v4, s[4:5]
  s_waitcnt vmcnt(0)
  ds_read_b128 v[8:11], v2
  ds_read_b128 v[12:15], v2 offset:0x400
  ds_read_b128 v[16:19], v2 offset:0x800
  ds_read_b128 v[20:23], v2 offset:0xc00
  s_waitcnt lgkmcnt(0)
  global_store_dwordx4 v1, v[8:11], s[6:7]
  global_store_dwordx4 v1, v[12:15], s[6:7] offset:0x400
  global_store_dwordx4 v1, v[16:19], s[6:7] offset:0x800
  global_store_dwordx4 v1, v[20:23], s[6:7] offset:0xc00
  s_endpgm
  .size wide_lds, .-wide_lds
.endif

  .rodata
  .p2align 6
  .amdhsa_kernel buffer_lds
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 2048
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 24
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel
  .amdhsa_kernel global_lds
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 2048
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 24
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel
.ifdef GFX950
  .amdhsa_kernel wide_lds
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 98304
    .amdhsa_next_free_vgpr 24
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 24
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel
.endif

.ifdef GFX950
  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: buffer_lds, .symbol: buffer_lds.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 2048, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: global_lds, .symbol: global_lds.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 2048, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: wide_lds, .symbol: wide_lds.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 98304, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata
.else
  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: buffer_lds, .symbol: buffer_lds.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 2048, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: global_lds, .symbol: global_lds.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 2048, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 24, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata
.endif

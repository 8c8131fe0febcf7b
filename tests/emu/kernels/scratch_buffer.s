// MUBUF scratch through the private segment buffer resource s[0:3] plus the scratch wave offset,
// as -O0 / older compiler spill code does (see scratch_buffer_test.cpp). Per lane, out[k * 64 + lane]:
//  k=0 private[4] after storing 1000 + lane (off, offset:4)
//  k=1 private[12] after storing 2000 + lane (offen with v = 8, offset:4)
//  k=2 private[12] read with soffset 8, offset:4
//  k=3 buffer_atomic_add 5 at private[4] with glc: the old value, 1000 + lane
//  k=4 private[4] after the atomic: 1005 + lane
// scratch_buffer_oob reads 4 bytes at offset 64, past the 64-byte private segment: a fault.
  .text
  .globl scratch_buffer
  .protected scratch_buffer
  .p2align 8
  .type scratch_buffer,@function
scratch_buffer:
  s_load_dwordx2 s[8:9], s[4:5], 0x0
  s_add_u32 s0, s0, s6                 // base += wave offset
  s_addc_u32 s1, s1, 0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v1, 2, v0
  v_add_u32 v2, 1000, v0
  buffer_store_dword v2, off, s[0:3], 0 offset:4
  v_add_u32 v3, 2000, v0
  v_mov_b32 v4, 8
  buffer_store_dword v3, v4, s[0:3], 0 offen offset:4
  buffer_load_dword v5, off, s[0:3], 0 offset:4
  buffer_load_dword v6, off, s[0:3], 0 offset:12
  s_mov_b32 s7, 8
  buffer_load_dword v7, off, s[0:3], s7 offset:4
  v_mov_b32 v8, 5
  buffer_atomic_add v8, off, s[0:3], 0 offset:4 sc0
  s_waitcnt vmcnt(0)
  buffer_load_dword v9, off, s[0:3], 0 offset:4
  s_waitcnt vmcnt(0) lgkmcnt(0)
  global_store_dword v1, v5, s[8:9]
  global_store_dword v1, v6, s[8:9] offset:256
  global_store_dword v1, v7, s[8:9] offset:512
  global_store_dword v1, v8, s[8:9] offset:768
  global_store_dword v1, v9, s[8:9] offset:1024
  s_endpgm
  .size scratch_buffer, .-scratch_buffer

  .globl scratch_buffer_oob
  .protected scratch_buffer_oob
  .p2align 8
  .type scratch_buffer_oob,@function
scratch_buffer_oob:
  buffer_load_dword v1, off, s[0:3], 0 offset:64
  s_waitcnt vmcnt(0)
  s_endpgm
  .size scratch_buffer_oob, .-scratch_buffer_oob

  // gfx940+ assemblers reject .amdhsa_user_sgpr_private_segment_buffer (architected flat
  // scratch), so the descriptors are written out: kernel_code_properties bit 0 asks for the
  // private segment buffer in s[0:3], COMPUTE_PGM_RSRC2 bit 0 for the scratch wave offset SGPR.
  .rodata
  .p2align 6
  .globl scratch_buffer.kd
  .type scratch_buffer.kd,@object
scratch_buffer.kd:
  .long 0                                  // group_segment_fixed_size
  .long 64                                 // private_segment_fixed_size
  .long 8                                  // kernarg_size
  .long 0
  .quad scratch_buffer - scratch_buffer.kd // kernel_code_entry_byte_offset
  .zero 20
  .long 3                                  // rsrc3: accum_offset 16
  .long 0x00af0041                         // rsrc1: 16 VGPRs, 32 SGPRs, no denormal flush, dx10_clamp, ieee
  .long 0x0000000d                         // rsrc2: wave offset SGPR, 6 user SGPRs
  .short 0x0009                            // private segment buffer, kernarg segment pointer
  .short 0
  .zero 4
  .size scratch_buffer.kd, 64

  .p2align 6
  .globl scratch_buffer_oob.kd
  .type scratch_buffer_oob.kd,@object
scratch_buffer_oob.kd:
  .long 0
  .long 64
  .long 0
  .long 0
  .quad scratch_buffer_oob - scratch_buffer_oob.kd
  .zero 20
  .long 3
  .long 0x00af0041
  .long 0x00000009                         // rsrc2: wave offset SGPR, 4 user SGPRs
  .short 0x0001                            // private segment buffer
  .short 0
  .zero 4
  .size scratch_buffer_oob.kd, 64

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: scratch_buffer, .symbol: scratch_buffer.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 64, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: scratch_buffer_oob, .symbol: scratch_buffer_oob.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 64, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 16, .max_flat_workgroup_size: 64 }
...
  .end_amdgpu_metadata

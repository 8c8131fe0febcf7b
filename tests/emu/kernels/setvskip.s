// s_setvskip enabling VSKIP (bit 0 of 1): the emulator does not model skipping and must fault
// instead of running on (new_instrs_test.cpp, SetvskipEnableFaults).
  .text
  .globl setvskip
  .p2align 8
  .type setvskip,@function
setvskip:
  s_mov_b32 s2, 1
  s_setvskip s2, 0
  v_mov_b32 v1, 0
  s_endpgm
  .size setvskip, .-setvskip

  .rodata
  .p2align 6
  .amdhsa_kernel setvskip
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 8
    .amdhsa_accum_offset 8
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: setvskip, .symbol: setvskip.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 8, .vgpr_count: 8, .max_flat_workgroup_size: 64, .args: [] }
...
  .end_amdgpu_metadata

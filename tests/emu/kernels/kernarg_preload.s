// Kernel-argument preloading (kernarg_preload_test.cpp): the descriptor preloads 3 SGPRs of the
// kernarg segment (out, value) after the kernarg segment pointer, so the kernel starts 256 bytes
// past its entry (LLVM AMDGPUUsage, "Preloaded Kernel Arguments"); the 256 bytes are LLVM's
// header for firmware without preloading: s_trap 2 and 63 s_nop. Per lane, out[lane] = value + lane.
  .text
  .globl kernarg_preload
  .p2align 8
  .type kernarg_preload,@function
kernarg_preload:
  s_trap 2
  .fill 63, 4, 0xbf800000   // s_nop 0
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v1, 2, v0
  v_add_u32 v2, s4, v0
  global_store_dword v1, v2, s[2:3]
  s_endpgm
  .size kernarg_preload, .-kernarg_preload

  .rodata
  .p2align 6
  .amdhsa_kernel kernarg_preload
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_user_sgpr_kernarg_preload_length 3
    .amdhsa_user_sgpr_kernarg_preload_offset 0
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: kernarg_preload
    .symbol: kernarg_preload.kd
    .kernarg_segment_size: 16
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 8
    .max_flat_workgroup_size: 64
    .args:
      - { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .name: value, .offset: 8, .size: 4, .value_kind: by_value }
...
  .end_amdgpu_metadata

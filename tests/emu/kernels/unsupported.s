// A kernel with an instruction the emulator has no semantics for (v_cubeid_f32), after a store
// that does run: coverage lists it at load time, reaching it is a bad_instruction fault.
  .text
  .globl unsupported
  .p2align 8
  .type unsupported,@function
unsupported:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_lshlrev_b32 v1, 2, v0
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v0, s[4:5]
  v_cubeid_f32 v2, v0, v0, v0
  s_endpgm
  .size unsupported, .-unsupported

  .rodata
  .p2align 6
  .amdhsa_kernel unsupported
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 8
    .amdhsa_accum_offset 8
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: unsupported, .symbol: unsupported.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 8, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

// A code object without a metadata note (as some hand-written and older toolchains' code objects
// are): only the kernel descriptor says how big the kernarg segment is. Used by the `asmk run` /
// `asmk info` tests (tests/tools): out = kernarg[0:8], out[lane] = kernarg[8:12] + lane.
  .text
  .globl no_metadata
  .p2align 8
  .type no_metadata,@function
no_metadata:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_load_dword s6, s[0:1], 0x8
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v1, 2, v0
  s_waitcnt lgkmcnt(0)
  v_add_u32 v2, s6, v0
  global_store_dword v1, v2, s[4:5]
  s_endpgm
  .size no_metadata, .-no_metadata

  .rodata
  .p2align 6
  .amdhsa_kernel no_metadata
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

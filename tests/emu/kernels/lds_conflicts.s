// LDS access patterns with bank-conflict counts derived by hand in lds_conflict_test.cpp.
// One wave; v0 = lane. Addresses per instruction are in the comments.
  .text
  .globl lds_conflicts
  .p2align 8
  .type lds_conflicts,@function
lds_conflicts:
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v1, 2, v0        // 4 * lane
  v_lshlrev_b32 v2, 3, v0        // 8 * lane
  v_lshlrev_b32 v3, 4, v0        // 16 * lane
  v_lshlrev_b32 v4, 5, v0        // 32 * lane
  v_lshlrev_b32 v5, 8, v0        // 256 * lane
  v_mov_b32 v6, 0
  ds_read_b32 v[10], v1          // 0: b32, consecutive
  ds_read_b32 v[11], v2          // 1: b32, stride 2 dwords
  ds_read_b64 v[12:13], v2       // 2: b64, consecutive
  ds_read_b64 v[14:15], v5       // 3: b64, stride 64 dwords
  ds_read_b128 v[16:19], v3      // 4: b128, consecutive
  ds_read_b128 v[20:23], v4      // 5: b128, stride 8 dwords
  ds_read_b128 v[24:27], v6      // 6: b128, every lane the same address
  ds_write_b128 v3, v[16:19]     // 7: b128 store, consecutive
  ds_read2_b32 v[28:29], v2 offset1:1   // 8: read2, dwords 2l and 2l + 1
  ds_write_b64 v5, v[12:13]      // 9: b64 store, stride 64 dwords
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size lds_conflicts, .-lds_conflicts

  .rodata
  .p2align 6
  .amdhsa_kernel lds_conflicts
    .amdhsa_group_segment_fixed_size 16384
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 8
    .amdhsa_accum_offset 32
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: lds_conflicts, .symbol: lds_conflicts.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 16384, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 8, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
...
  .end_amdgpu_metadata

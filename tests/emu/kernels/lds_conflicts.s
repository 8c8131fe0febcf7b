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
  v_and_b32 v32, 32, v0          // 32 for lanes 32..63
  v_lshlrev_b32 v32, 2, v32
  v_add_u32 v32, v1, v32         // 4 * lane + 128 * (lane >= 32): dwords 0..31, then 64..95
  ds_read_b32 v[33], v32         // 10: b32, lane halves 64 dwords apart
  v_and_b32 v34, 0x27, v0        // lane with bits 3 and 4 swapped: lanes 8..15 <-> 16..23, 40..47 <-> 48..55
  v_and_b32 v35, 8, v0
  v_lshlrev_b32 v35, 1, v35
  v_or_b32 v34, v34, v35
  v_and_b32 v35, 16, v0
  v_lshrrev_b32 v35, 1, v35
  v_or_b32 v34, v34, v35
  v_lshlrev_b32 v34, 3, v34      // 8 * swapped lane
  ds_read_b64 v[36:37], v34      // 11: b64, lanes 8..15 read dwords 32..47
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size lds_conflicts, .-lds_conflicts

  .rodata
  .p2align 6
  .amdhsa_kernel lds_conflicts
    .amdhsa_group_segment_fixed_size 16384
    .amdhsa_next_free_vgpr 40
    .amdhsa_next_free_sgpr 8
    .amdhsa_accum_offset 40
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: lds_conflicts, .symbol: lds_conflicts.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 16384, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 8, .vgpr_count: 40, .max_flat_workgroup_size: 64 }
...
  .end_amdgpu_metadata

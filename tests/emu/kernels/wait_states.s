// Kernels for the VALU wait-state rules of strict mode (wait_states_test.cpp; the rules:
// asmk/emu/wait_states.hpp). Each case exists twice: `<case>_short` with one wait state fewer than
// the rule asks between the write and the read (strict mode must report it), `<case>_ok` with
// exactly as many (nothing reported). Every kernel writes v3 to out[lane] (s[0:1]: the kernargs).

  .text
// WAIT case, ok: the s_nop before the read; the rule's wait states (ok) or one fewer (short)
.macro WAIT case, ok
  .ifc \case, lane_select
    s_nop 2 + \ok
  .endif
  .ifc \case, lane_select_salu
  .endif
  .ifc \case, valu_sgpr
    .if \ok
      s_nop 1
    .else
      s_nop 0
    .endif
  .endif
  .ifc \case, vmem_sgpr
    s_nop 3 + \ok
  .endif
  .ifc \case, exec_rw_lane
    s_nop 2 + \ok
  .endif
  .ifc \case, readlane_vsrc
    .if \ok
      s_nop 0
    .endif
  .endif
.endm
// ---- lane_select_short: VALU writes the lane select of v_readlane (short)
  .globl lane_select_short
  .p2align 8
  .type lane_select_short,@function
lane_select_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_mov_b32 v1, 5
  v_lshlrev_b32 v2, 1, v0                       // v2 = 2 * lane
  s_nop 4
  v_readfirstlane_b32 s2, v1                    // VALU writes s2 = 5
  WAIT lane_select, 0
  v_readlane_b32 s3, v2, s2                     // lane select s2: 4 wait states needed
  s_nop 4
  v_mov_b32 v3, s3                              // 10
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size lane_select_short, .-lane_select_short

// ---- lane_select_ok: VALU writes the lane select of v_readlane (ok)
  .globl lane_select_ok
  .p2align 8
  .type lane_select_ok,@function
lane_select_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_mov_b32 v1, 5
  v_lshlrev_b32 v2, 1, v0                       // v2 = 2 * lane
  s_nop 4
  v_readfirstlane_b32 s2, v1                    // VALU writes s2 = 5
  WAIT lane_select, 1
  v_readlane_b32 s3, v2, s2                     // lane select s2: 4 wait states needed
  s_nop 4
  v_mov_b32 v3, s3                              // 10
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size lane_select_ok, .-lane_select_ok

// ---- lane_select_salu_short: SALU writes the lane select (no rule: reported never) (short)
  .globl lane_select_salu_short
  .p2align 8
  .type lane_select_salu_short,@function
lane_select_salu_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_lshlrev_b32 v2, 1, v0
  s_nop 4
  s_mov_b32 s2, 5
  WAIT lane_select_salu, 0
  v_readlane_b32 s3, v2, s2
  s_nop 4
  v_mov_b32 v3, s3
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size lane_select_salu_short, .-lane_select_salu_short

// ---- lane_select_salu_ok: SALU writes the lane select (no rule: reported never) (ok)
  .globl lane_select_salu_ok
  .p2align 8
  .type lane_select_salu_ok,@function
lane_select_salu_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_lshlrev_b32 v2, 1, v0
  s_nop 4
  s_mov_b32 s2, 5
  WAIT lane_select_salu, 1
  v_readlane_b32 s3, v2, s2
  s_nop 4
  v_mov_b32 v3, s3
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size lane_select_salu_ok, .-lane_select_salu_ok

// ---- valu_sgpr_short: VALU writes VCC, a VALU reads it (short)
  .globl valu_sgpr_short
  .p2align 8
  .type valu_sgpr_short,@function
valu_sgpr_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_cmp_gt_u32 vcc, 32, v0
  WAIT valu_sgpr, 0
  v_cndmask_b32 v3, 7, 9, vcc                  // lanes < 32: 9
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size valu_sgpr_short, .-valu_sgpr_short

// ---- valu_sgpr_ok: VALU writes VCC, a VALU reads it (ok)
  .globl valu_sgpr_ok
  .p2align 8
  .type valu_sgpr_ok,@function
valu_sgpr_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_cmp_gt_u32 vcc, 32, v0
  WAIT valu_sgpr, 1
  v_cndmask_b32 v3, 7, 9, vcc                  // lanes < 32: 9
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size valu_sgpr_ok, .-valu_sgpr_ok

// ---- vmem_sgpr_short: VALU writes the soffset of a buffer load (short)
  .globl vmem_sgpr_short
  .p2align 8
  .type vmem_sgpr_short,@function
vmem_sgpr_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s12, s4
  s_and_b32 s13, s5, 0xffff
  s_mov_b32 s14, 256
  s_mov_b32 s15, 0x00020000
  v_mov_b32 v1, 0
  v_lshlrev_b32 v2, 2, v0
  s_nop 4
  v_readfirstlane_b32 s8, v1                   // VALU writes s8 = 0
  WAIT vmem_sgpr, 0
  buffer_load_dword v3, v2, s[12:15], s8 offen // out[lane] (its initial contents)
  s_waitcnt vmcnt(0)
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size vmem_sgpr_short, .-vmem_sgpr_short

// ---- vmem_sgpr_ok: VALU writes the soffset of a buffer load (ok)
  .globl vmem_sgpr_ok
  .p2align 8
  .type vmem_sgpr_ok,@function
vmem_sgpr_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s12, s4
  s_and_b32 s13, s5, 0xffff
  s_mov_b32 s14, 256
  s_mov_b32 s15, 0x00020000
  v_mov_b32 v1, 0
  v_lshlrev_b32 v2, 2, v0
  s_nop 4
  v_readfirstlane_b32 s8, v1                   // VALU writes s8 = 0
  WAIT vmem_sgpr, 1
  buffer_load_dword v3, v2, s[12:15], s8 offen // out[lane] (its initial contents)
  s_waitcnt vmcnt(0)
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size vmem_sgpr_ok, .-vmem_sgpr_ok

// ---- exec_rw_lane_short: VALU writes EXEC, then v_readfirstlane (short)
  .globl exec_rw_lane_short
  .p2align 8
  .type exec_rw_lane_short,@function
exec_rw_lane_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  s_mov_b64 s[10:11], exec
  v_add_u32 v1, 3, v0
  v_cmpx_le_u32 vcc, 8, v0                     // lanes 8.. stay
  WAIT exec_rw_lane, 0
  v_readfirstlane_b32 s2, v1                   // 11
  s_mov_b64 exec, s[10:11]
  s_nop 4
  v_mov_b32 v3, s2
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size exec_rw_lane_short, .-exec_rw_lane_short

// ---- exec_rw_lane_ok: VALU writes EXEC, then v_readfirstlane (ok)
  .globl exec_rw_lane_ok
  .p2align 8
  .type exec_rw_lane_ok,@function
exec_rw_lane_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  s_mov_b64 s[10:11], exec
  v_add_u32 v1, 3, v0
  v_cmpx_le_u32 vcc, 8, v0                     // lanes 8.. stay
  WAIT exec_rw_lane, 1
  v_readfirstlane_b32 s2, v1                   // 11
  s_mov_b64 exec, s[10:11]
  s_nop 4
  v_mov_b32 v3, s2
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size exec_rw_lane_ok, .-exec_rw_lane_ok

// ---- readlane_vsrc_short: VALU writes the VGPR v_readfirstlane reads (short)
  .globl readlane_vsrc_short
  .p2align 8
  .type readlane_vsrc_short,@function
readlane_vsrc_short:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_add_u32 v1, 6, v0
  WAIT readlane_vsrc, 0
  v_readfirstlane_b32 s2, v1                   // 6
  s_nop 4
  v_mov_b32 v3, s2
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size readlane_vsrc_short, .-readlane_vsrc_short

// ---- readlane_vsrc_ok: VALU writes the VGPR v_readfirstlane reads (ok)
  .globl readlane_vsrc_ok
  .p2align 8
  .type readlane_vsrc_ok,@function
readlane_vsrc_ok:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  v_add_u32 v1, 6, v0
  WAIT readlane_vsrc, 1
  v_readfirstlane_b32 s2, v1                   // 6
  s_nop 4
  v_mov_b32 v3, s2
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size readlane_vsrc_ok, .-readlane_vsrc_ok

  .rodata
  .p2align 6
.macro KD name
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 16
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 16
  .end_amdhsa_kernel
.endm
  KD lane_select_short
  KD lane_select_ok
  KD lane_select_salu_short
  KD lane_select_salu_ok
  KD valu_sgpr_short
  KD valu_sgpr_ok
  KD vmem_sgpr_short
  KD vmem_sgpr_ok
  KD exec_rw_lane_short
  KD exec_rw_lane_ok
  KD readlane_vsrc_short
  KD readlane_vsrc_ok

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: lane_select_short, .symbol: lane_select_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_ok, .symbol: lane_select_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_salu_short, .symbol: lane_select_salu_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_salu_ok, .symbol: lane_select_salu_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: valu_sgpr_short, .symbol: valu_sgpr_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: valu_sgpr_ok, .symbol: valu_sgpr_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vmem_sgpr_short, .symbol: vmem_sgpr_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vmem_sgpr_ok, .symbol: vmem_sgpr_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_rw_lane_short, .symbol: exec_rw_lane_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_rw_lane_ok, .symbol: exec_rw_lane_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: readlane_vsrc_short, .symbol: readlane_vsrc_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: readlane_vsrc_ok, .symbol: readlane_vsrc_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

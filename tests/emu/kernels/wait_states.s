// Kernels for the wait-state rules of strict mode (wait_states_test.cpp; the rules: the table in
// emu/src/exec/wait_states.cpp). Each case is one macro (its body, with \ws wait states between the
// write and the read) that CASE turns into two kernels: `<case>_short` with one wait state fewer than
// the rule asks (strict mode must report it) and `<case>_ok` with exactly as many (nothing
// reported). Every kernel writes v3 to out[lane] (s[0:1]: the kernargs; s[4:5]: out).

  .text
// WAITS n: n wait states (s_nop n - 1; none for 0)
.macro WAITS n
  .if \n > 0
    s_nop \n - 1
  .endif
.endm
// RSRC: s[12:15] = a buffer resource over out (256 bytes)
.macro RSRC
  s_mov_b32 s12, s4
  s_and_b32 s13, s5, 0xffff
  s_mov_b32 s14, 256
  s_mov_b32 s15, 0x00020000
.endm
.macro KERNEL name, body, ws
  .globl \name
  .p2align 8
  .type \name,@function
\name:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_waitcnt lgkmcnt(0)
  \body \ws
  v_lshlrev_b32 v9, 2, v0
  global_store_dword v9, v3, s[4:5]
  s_endpgm
  .size \name, .-\name
.endm
// CASE body, need: <body>_short (need - 1 wait states) and <body>_ok (need)
.macro CASE body, need
  KERNEL \body\()_short, \body, (\need - 1)
  KERNEL \body\()_ok, \body, \need
.endm
// ---- lane_select: VALU writes the lane select of v_readlane (valu-sgpr-lane-select: 4)
.macro lane_select ws
  v_mov_b32 v1, 5
  v_lshlrev_b32 v2, 1, v0                      // v2 = 2 * lane
  s_nop 4
  v_readfirstlane_b32 s2, v1                   // VALU writes s2 = 5
  WAITS \ws
  v_readlane_b32 s3, v2, s2                    // lane select s2
  s_nop 4
  v_mov_b32 v3, s3                             // 10
.endm
  CASE lane_select, 4
// ---- lane_select_salu: SALU writes the lane select (no rule: reported never)
.macro lane_select_salu ws
  v_lshlrev_b32 v2, 1, v0
  s_nop 4
  s_mov_b32 s2, 5
  WAITS \ws
  v_readlane_b32 s3, v2, s2
  s_nop 4
  v_mov_b32 v3, s3                             // 10
.endm
  CASE lane_select_salu, 4
// ---- valu_sgpr: VALU writes VCC, a VALU reads it (valu-sgpr-valu: 2)
.macro valu_sgpr ws
  v_cmp_gt_u32 vcc, 32, v0
  WAITS \ws
  v_cndmask_b32 v3, 7, 9, vcc                  // lanes < 32: 9
.endm
  CASE valu_sgpr, 2
// ---- vmem_sgpr: VALU writes the soffset of a buffer load (valu-sgpr-vmem: 5)
.macro vmem_sgpr ws
  RSRC
  v_mov_b32 v1, 0
  v_lshlrev_b32 v2, 2, v0
  s_nop 4
  v_readfirstlane_b32 s8, v1                   // VALU writes s8 = 0
  WAITS \ws
  buffer_load_dword v3, v2, s[12:15], s8 offen // out[lane] (its initial contents)
  s_waitcnt vmcnt(0)
.endm
  CASE vmem_sgpr, 5
// ---- div_fmas: VALU writes VCC, v_div_fmas reads it (valu-vcc-div-fmas: 4)
.macro div_fmas ws
  v_cmp_gt_u32 vcc, 0, v0                      // VCC = 0: no scaling
  WAITS \ws
  v_div_fmas_f32 v3, 2.0, 4.0, 1.0             // 2 * 4 + 1
  s_nop 0
  v_cvt_u32_f32 v3, v3                         // 9
.endm
  CASE div_fmas, 4
// ---- exec_rw_lane: VALU writes EXEC, then v_readfirstlane (valu-exec-rw-lane: 4)
.macro exec_rw_lane ws
  s_mov_b64 s[10:11], exec
  v_add_u32 v1, 3, v0
  v_cmpx_le_u32 vcc, 8, v0                     // lanes 8.. stay
  WAITS \ws
  v_readfirstlane_b32 s2, v1                   // 11
  s_mov_b64 exec, s[10:11]
  s_nop 4
  v_mov_b32 v3, s2
.endm
  CASE exec_rw_lane, 4
// ---- readlane_vsrc: VALU writes the VGPR v_readfirstlane reads (valu-vgpr-readlane: 1)
.macro readlane_vsrc ws
  v_add_u32 v1, 6, v0
  WAITS \ws
  v_readfirstlane_b32 s2, v1                   // 6
  s_nop 4
  v_mov_b32 v3, s2
.endm
  CASE readlane_vsrc, 1
// ---- trans_use: a transcendental's result read by a VALU (valu-trans-use: 1)
.macro trans_use ws
  v_mov_b32 v1, 1.0
  s_nop 4
  v_exp_f32 v1, v1                             // 2^1
  WAITS \ws
  v_add_f32 v3, 1.0, v1                        // 3.0
  v_cvt_u32_f32 v3, v3                         // 3
.endm
  CASE trans_use, 1
// ---- dst_sel_use: an SDWA write of byte 1 read by a VALU (valu-dst-sel-use: 1)
.macro dst_sel_use ws
  v_mov_b32 v1, 0
  v_mov_b32 v2, 5
  s_nop 4
  v_mov_b32_sdwa v1, v2 dst_sel:BYTE_1 dst_unused:UNUSED_PRESERVE src0_sel:BYTE_0   // 5 << 8
  WAITS \ws
  v_add_u32 v3, 1, v1                          // 1281
.endm
  CASE dst_sel_use, 1
// ---- vgpr_dpp: VALU writes the VGPR a DPP op reads (valu-vgpr-dpp: 2)
.macro vgpr_dpp ws
  v_mov_b32 v3, 7
  v_add_u32 v1, 100, v0                        // 100 + lane
  WAITS \ws
  v_mov_b32_dpp v3, v1 row_shr:1 row_mask:0xf bank_mask:0xf   // lane - 1's; a row's lane 0 keeps 7
.endm
  CASE vgpr_dpp, 2
// ---- exec_dpp: VALU writes EXEC, then a DPP op (valu-exec-dpp: 5)
.macro exec_dpp ws
  s_mov_b64 s[10:11], exec
  v_mov_b32 v3, 7
  v_add_u32 v1, 100, v0                        // 100 + lane
  s_nop 4
  v_cmpx_le_u32 vcc, 8, v0                     // lanes 8.. stay
  WAITS \ws
  v_mov_b32_dpp v3, v1 row_shr:1 row_mask:0xf bank_mask:0xf   // lane - 1's; lanes < 8 keep 7
  s_mov_b64 exec, s[10:11]
.endm
  CASE exec_dpp, 5
// ---- m0_lds_dma: SALU writes M0, a buffer load to LDS reads it (salu-m0-lds-dma: 1)
.macro m0_lds_dma ws
  RSRC
  v_lshlrev_b32 v2, 2, v0
  s_nop 4
  s_mov_b32 m0, 0
  WAITS \ws
  buffer_load_dword v2, s[12:15], 0 offen lds  // LDS[4 * lane] = out[lane]
  s_waitcnt vmcnt(0)
  ds_read_b32 v3, v2
  s_waitcnt lgkmcnt(0)
.endm
  CASE m0_lds_dma, 1

  .rodata
  .p2align 6
.macro KD name
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 256
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
  KD div_fmas_short
  KD div_fmas_ok
  KD exec_rw_lane_short
  KD exec_rw_lane_ok
  KD readlane_vsrc_short
  KD readlane_vsrc_ok
  KD trans_use_short
  KD trans_use_ok
  KD dst_sel_use_short
  KD dst_sel_use_ok
  KD vgpr_dpp_short
  KD vgpr_dpp_ok
  KD exec_dpp_short
  KD exec_dpp_ok
  KD m0_lds_dma_short
  KD m0_lds_dma_ok

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: lane_select_short, .symbol: lane_select_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_ok, .symbol: lane_select_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_salu_short, .symbol: lane_select_salu_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lane_select_salu_ok, .symbol: lane_select_salu_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: valu_sgpr_short, .symbol: valu_sgpr_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: valu_sgpr_ok, .symbol: valu_sgpr_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vmem_sgpr_short, .symbol: vmem_sgpr_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vmem_sgpr_ok, .symbol: vmem_sgpr_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: div_fmas_short, .symbol: div_fmas_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: div_fmas_ok, .symbol: div_fmas_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_rw_lane_short, .symbol: exec_rw_lane_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_rw_lane_ok, .symbol: exec_rw_lane_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: readlane_vsrc_short, .symbol: readlane_vsrc_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: readlane_vsrc_ok, .symbol: readlane_vsrc_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: trans_use_short, .symbol: trans_use_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: trans_use_ok, .symbol: trans_use_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: dst_sel_use_short, .symbol: dst_sel_use_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: dst_sel_use_ok, .symbol: dst_sel_use_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vgpr_dpp_short, .symbol: vgpr_dpp_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: vgpr_dpp_ok, .symbol: vgpr_dpp_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_dpp_short, .symbol: exec_dpp_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: exec_dpp_ok, .symbol: exec_dpp_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: m0_lds_dma_short, .symbol: m0_lds_dma_short.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: m0_lds_dma_ok, .symbol: m0_lds_dma_ok.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

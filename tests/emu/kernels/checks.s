// Kernels for the emulator's edge-case tests (execution_test.cpp). Every kernel takes
// `out` (and some take `in`) as its first kernel arguments; s[0:1] is the kernarg pointer.

  .text
// ---- no_wait: reads a loaded register without s_waitcnt (strict mode must report it)
  .globl no_wait
  .p2align 8
  .type no_wait,@function
no_wait:
  s_load_dwordx4 s[4:7], s[0:1], 0x0          // in, out
  s_waitcnt lgkmcnt(0)
  v_lshlrev_b32 v1, 2, v0
  global_load_dword v2, v1, s[4:5]
  v_add_u32 v2, 1, v2                          // missing s_waitcnt vmcnt(0)
  global_store_dword v1, v2, s[6:7]
  s_endpgm
  .size no_wait, .-no_wait

// ---- lds_over: LDS store past the kernel's 256-byte allocation, then a load of it
  .globl lds_over
  .p2align 8
  .type lds_over,@function
lds_over:
  s_load_dwordx2 s[4:5], s[0:1], 0x0          // out
  v_lshlrev_b32 v1, 2, v0
  v_mov_b32 v2, 7
  ds_write_b32 v1, v2 offset:192                // lanes 16..63 are past 256 bytes
  s_waitcnt lgkmcnt(0)
  ds_read_b32 v3, v1 offset:192
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v3, s[4:5]
  s_endpgm
  .size lds_over, .-lds_over

// ---- dpp: v_mov_b32_dpp with the row/wave controls; out[k*64 + lane] for control k
  .globl dpp
  .p2align 8
  .type dpp,@function
dpp:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_mul_u32_u24 v1, 10, v0                      // value = lane * 10
  v_lshlrev_b32 v9, 2, v0
  s_waitcnt lgkmcnt(0)
  v_mov_b32 v2, -1
  v_mov_b32_dpp v2, v1 row_bcast:15 row_mask:0xa bank_mask:0xf
  v_mov_b32 v3, -1
  v_mov_b32_dpp v3, v1 row_bcast:31 row_mask:0xc bank_mask:0xf
  v_mov_b32 v4, -1
  v_mov_b32_dpp v4, v1 wave_shr:1 row_mask:0xf bank_mask:0xf
  v_mov_b32 v5, -1
  v_mov_b32_dpp v5, v1 wave_rol:1 row_mask:0xf bank_mask:0xf
  v_mov_b32 v6, -1
  v_mov_b32_dpp v6, v1 row_mirror row_mask:0xf bank_mask:0x5
  v_mov_b32 v7, -1
  v_mov_b32_dpp v7, v1 row_ror:4 row_mask:0xf bank_mask:0xf
  v_mov_b32 v8, -1
  v_add_u32_dpp v8, v1, v1 row_half_mirror row_mask:0xf bank_mask:0xf
  global_store_dword v9, v2, s[4:5]
  global_store_dword v9, v3, s[4:5] offset:256
  global_store_dword v9, v4, s[4:5] offset:512
  global_store_dword v9, v5, s[4:5] offset:768
  global_store_dword v9, v6, s[4:5] offset:1024
  global_store_dword v9, v7, s[4:5] offset:1280
  global_store_dword v9, v8, s[4:5] offset:1536
  s_endpgm
  .size dpp, .-dpp

// ---- buffer_range: buffer loads/stores through a V# with num_records = s[8] bytes (kernarg 2)
//      out[lane] = load(in + 4*lane) (0 past num_records); then stores lane+1000 to in + 4*lane.
  .globl buffer_range
  .p2align 8
  .type buffer_range,@function
buffer_range:
  s_load_dwordx4 s[4:7], s[0:1], 0x0           // in, out
  s_load_dword s8, s[0:1], 0x10                // num_records
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s12, s4
  s_and_b32 s13, s5, 0xffff                    // base[47:32], stride 0
  s_mov_b32 s14, s8
  s_mov_b32 s15, 0x00020000
  v_lshlrev_b32 v1, 2, v0
  buffer_load_dword v2, v1, s[12:15], 0 offen
  s_waitcnt vmcnt(0)
  global_store_dword v1, v2, s[6:7]
  v_add_u32 v3, 1000, v0
  buffer_store_dword v3, v1, s[12:15], 0 offen
  s_endpgm
  .size buffer_range, .-buffer_range

// ---- far_store: stores lane id at base + offset64 + 4*lane (offset64 is kernarg 1, a u64)
  .globl far_store
  .p2align 8
  .type far_store,@function
far_store:
  s_load_dwordx4 s[4:7], s[0:1], 0x0           // base, offset64
  s_waitcnt lgkmcnt(0)
  s_add_u32 s4, s4, s6
  s_addc_u32 s5, s5, s7
  v_lshlrev_b32 v1, 2, v0
  global_store_dword v1, v0, s[4:5]
  s_endpgm
  .size far_store, .-far_store

// ---- barrier: 4 waves; wave w writes w+1 to LDS[w], barrier, every lane reads the sum of LDS[0..3]
  .globl barrier
  .p2align 8
  .type barrier,@function
barrier:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_lshrrev_b32 v1, 6, v0                      // wave index
  v_lshlrev_b32 v2, 2, v1
  v_add_u32 v3, 1, v1
  ds_write_b32 v2, v3
  s_waitcnt lgkmcnt(0)
  s_barrier
  v_mov_b32 v4, 0
  ds_read_b128 v[4:7], v4
  s_waitcnt lgkmcnt(0)
  v_add3_u32 v4, v4, v5, v6
  v_add_u32 v4, v4, v7
  v_lshlrev_b32 v8, 2, v0
  s_waitcnt lgkmcnt(0)
  global_store_dword v8, v4, s[4:5]
  s_endpgm
  .size barrier, .-barrier

// ---- lds_conflict: ds_write_b32 with a 128-byte lane stride (every lane in bank 0), then with
//      a 4-byte stride (no conflicts)
  .globl lds_conflict
  .p2align 8
  .type lds_conflict,@function
lds_conflict:
  v_lshlrev_b32 v1, 7, v0
  ds_write_b32 v1, v0
  v_lshlrev_b32 v2, 2, v0
  ds_write_b32 v2, v0
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size lds_conflict, .-lds_conflict

// ---- misaligned_atomic: global_atomic_add at out + 2 (atomics need natural alignment)
  .globl misaligned_atomic
  .p2align 8
  .type misaligned_atomic,@function
misaligned_atomic:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_mov_b32 v1, 2
  v_mov_b32 v2, 1
  s_waitcnt lgkmcnt(0)
  global_atomic_add v1, v2, s[4:5]
  s_endpgm
  .size misaligned_atomic, .-misaligned_atomic

// ---- sdwa: sub-dword selects on VOP1/VOP2 (inputs: a = 0x80f1c2d3 + lane, b = 0x00050007 * lane)
  .globl sdwa
  .p2align 8
  .type sdwa,@function
sdwa:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_lshlrev_b32 v20, 2, v0
  v_add_u32 v2, 0x80f1c2d3, v0                 // a
  v_mul_u32_u24 v3, 0x50007, v0                // b (fits in 24 x 24 bits)
  v_mov_b32 v4, 0x11223344
  v_add_u32_sdwa v4, v2, v3 dst_sel:WORD_1 dst_unused:UNUSED_PRESERVE src0_sel:BYTE_1 src1_sel:WORD_0
  v_mov_b32 v5, -1
  v_mov_b32_sdwa v5, v2 dst_sel:BYTE_2 dst_unused:UNUSED_SEXT src0_sel:BYTE_3
  v_mov_b32 v6, -1
  v_sub_u32_sdwa v6, sext(v2), v3 dst_sel:DWORD dst_unused:UNUSED_PAD src0_sel:BYTE_0 src1_sel:WORD_1
  v_mov_b32 v7, -1
  v_mov_b32_sdwa v7, v2 dst_sel:WORD_0 dst_unused:UNUSED_PAD src0_sel:WORD_1
  s_waitcnt lgkmcnt(0)
  global_store_dword v20, v4, s[4:5]
  global_store_dword v20, v5, s[4:5] offset:256
  global_store_dword v20, v6, s[4:5] offset:512
  global_store_dword v20, v7, s[4:5] offset:768
  s_endpgm
  .size sdwa, .-sdwa

// ---- spin: never ends (for the runaway limit)
  .globl spin
  .p2align 8
  .type spin,@function
spin:
.Lspin:
  s_branch .Lspin
  s_endpgm
  .size spin, .-spin

// ---- classify: v_cmp_class of an f32 denormal (0x00400000) and an f16 denormal (0x0200) against
//      each class bit k = lane % 10; out[lane] = f32 result, out[64 + lane] = f16 result
  .globl classify
  .p2align 8
  .type classify,@function
classify:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  v_lshlrev_b32 v20, 2, v0
  v_mov_b32 v1, 10
  v_cvt_f32_u32 v2, v0
  v_cvt_f32_u32 v3, v1
  v_rcp_f32 v3, v3
  s_nop 0                                       // trans result -> VALU read: 1 wait state
  v_mul_f32 v2, v2, v3
  v_floor_f32 v2, v2
  v_cvt_u32_f32 v2, v2                          // lane / 10
  v_mul_u32_u24 v2, v2, 10
  v_sub_u32 v2, v0, v2                          // k = lane % 10
  v_lshlrev_b32 v3, v2, 1                       // mask = 1 << k
  v_mov_b32 v4, 0x00400000
  v_cmp_class_f32 vcc, v4, v3
  s_nop 1                                       // VALU writes VCC -> VALU reads it: 2 wait states (gfx940+)
  v_cndmask_b32 v5, 0, 1, vcc
  v_mov_b32 v6, 0x0200
  v_cmp_class_f16_e64 s[6:7], v6, v3
  s_nop 1
  v_cndmask_b32_e64 v7, 0, 1, s[6:7]
  s_waitcnt lgkmcnt(0)
  global_store_dword v20, v5, s[4:5]
  global_store_dword v20, v7, s[4:5] offset:256
  s_endpgm
  .size classify, .-classify

  .rodata
  .p2align 6
.macro KD name, lds=0, vgprs=16
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr \vgprs
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 16
    .amdhsa_group_segment_fixed_size \lds
    .amdhsa_float_denorm_mode_32 3
  .end_amdhsa_kernel
.endm
  KD no_wait
  KD lds_over, 256
  KD dpp
  KD buffer_range
  KD far_store
  KD barrier, 16
  KD lds_conflict, 8192
  KD misaligned_atomic
  KD sdwa
  KD spin
  KD classify

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: no_wait, .symbol: no_wait.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lds_over, .symbol: lds_over.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 256, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: dpp, .symbol: dpp.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: buffer_range, .symbol: buffer_range.kd, .kernarg_segment_size: 20, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: in, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: num_records, .offset: 16, .size: 4, .value_kind: by_value } ] }
  - { .name: far_store, .symbol: far_store.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: offset, .offset: 8, .size: 8, .value_kind: by_value } ] }
  - { .name: barrier, .symbol: barrier.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 16, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: lds_conflict, .symbol: lds_conflict.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 8192, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: misaligned_atomic, .symbol: misaligned_atomic.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: sdwa, .symbol: sdwa.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 24, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: spin, .symbol: spin.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 16, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: classify, .symbol: classify.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 24, .max_flat_workgroup_size: 256,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

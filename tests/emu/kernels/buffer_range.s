// MUBUF range checking (see buffer_range_test.cpp). Every kernel builds its buffer resource from
// the kernel arguments, issues one buffer instruction per lane and writes what it got to out:
//   0x00 base (u64)       the buffer under test      0x08 out (u64)
//   0x10 stride_bits      V# word1[31:16]: stride [29:16], cache swizzle [30], swizzle enable [31]
//   0x14 num_records      V# word2                   0x18 word3   V# word3 (add_tid_enable [23], dfmt [18:15])
//   0x1c soffset          the SGPR offset            0x20 scale   vaddr = lane * scale
//   0x24 second           the second vaddr register (offset of idxen+offen), or the atomic's source
// Before each access the destination holds 0xffffffff, so 0 in out is an out-of-range load.
.macro BUFFER_PROLOGUE
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_load_dwordx2 s[12:13], s[0:1], 0x8
  s_load_dwordx4 s[16:19], s[0:1], 0x10
  s_load_dwordx2 s[20:21], s[0:1], 0x20
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v30, 2, v0
  s_waitcnt lgkmcnt(0)
  s_lshl_b32 s9, s16, 16
  s_and_b32 s5, s5, 0xffff
  s_or_b32 s5, s5, s9
  s_mov_b32 s6, s17
  s_mov_b32 s7, s18
  s_mov_b32 s8, s19
  v_mul_lo_u32 v1, v0, s20
  v_mov_b32 v2, s21
  v_mov_b32 v4, -1
  v_mov_b32 v5, -1
  v_mov_b32 v6, -1
  v_mov_b32 v7, -1
.endm

.macro BUFFER_KERNEL name
  .globl \name
  .p2align 8
  .type \name,@function
\name:
  BUFFER_PROLOGUE
.endm

.macro BUFFER_END name
  s_endpgm
  .size \name, .-\name
.endm

  .text
// buffer_load_dword with offen: out[lane]
BUFFER_KERNEL load_offen
  buffer_load_dword v4, v1, s[4:7], s8 offen
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END load_offen

// buffer_store_dword with offen of 1000 + lane into the buffer under test
BUFFER_KERNEL store_offen
  v_add_u32 v4, 1000, v0
  buffer_store_dword v4, v1, s[4:7], s8 offen
  s_waitcnt vmcnt(0)
BUFFER_END store_offen

// buffer_load_dword with idxen (vaddr = index): out[lane]
BUFFER_KERNEL load_idxen
  buffer_load_dword v4, v1, s[4:7], s8 idxen
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END load_idxen

// buffer_load_dword with idxen and offen (v1 = index, v2 = offset): out[lane]
BUFFER_KERNEL load_idxen_offen
  v_mov_b32 v8, v1
  v_mov_b32 v9, v2
  buffer_load_dword v4, v[8:9], s[4:7], s8 idxen offen
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END load_idxen_offen

// buffer_load_dword without a VGPR address (off), offset:4: out[lane]
BUFFER_KERNEL load_off
  buffer_load_dword v4, off, s[4:7], s8 offset:4
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END load_off

// buffer_load_dwordx4 with offen: out[4 * lane + i]
BUFFER_KERNEL load_x4_offen
  buffer_load_dwordx4 v[4:7], v1, s[4:7], s8 offen
  v_lshlrev_b32 v30, 4, v0
  s_waitcnt vmcnt(0)
  global_store_dwordx4 v30, v[4:7], s[12:13]
BUFFER_END load_x4_offen

// buffer_atomic_add of `second` with offen, returning the old value: out[lane]
BUFFER_KERNEL atomic_add_offen
  v_mov_b32 v4, v2
  buffer_atomic_add v4, v1, s[4:7], s8 offen sc0
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END atomic_add_offen

// buffer_atomic_add_f32 of `second` (f32 bits) with offen, returning the old value: out[lane]
BUFFER_KERNEL atomic_add_f32_offen
  v_mov_b32 v4, v2
  buffer_atomic_add_f32 v4, v1, s[4:7], s8 offen sc0
  s_waitcnt vmcnt(0)
  global_store_dword v30, v4, s[12:13]
BUFFER_END atomic_add_f32_offen

.macro BUFFER_DESCRIPTOR name
  .rodata
  .p2align 6
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 24
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 40
  .end_amdhsa_kernel
.endm
BUFFER_DESCRIPTOR load_offen
BUFFER_DESCRIPTOR store_offen
BUFFER_DESCRIPTOR load_idxen
BUFFER_DESCRIPTOR load_idxen_offen
BUFFER_DESCRIPTOR load_off
BUFFER_DESCRIPTOR load_x4_offen
BUFFER_DESCRIPTOR atomic_add_offen
BUFFER_DESCRIPTOR atomic_add_f32_offen

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: load_offen, .symbol: load_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: store_offen, .symbol: store_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: load_idxen, .symbol: load_idxen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: load_idxen_offen, .symbol: load_idxen_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: load_off, .symbol: load_off.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: load_x4_offen, .symbol: load_x4_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: atomic_add_offen, .symbol: atomic_add_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
  - { .name: atomic_add_f32_offen, .symbol: atomic_add_f32_offen.kd, .kernarg_segment_size: 40, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 24, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: stride_bits, .offset: 16, .size: 4, .value_kind: by_value }, { .name: num_records, .offset: 20, .size: 4, .value_kind: by_value }, { .name: word3, .offset: 24, .size: 4, .value_kind: by_value }, { .name: soffset, .offset: 28, .size: 4, .value_kind: by_value }, { .name: scale, .offset: 32, .size: 4, .value_kind: by_value }, { .name: second, .offset: 36, .size: 4, .value_kind: by_value } ] }
...
  .end_amdgpu_metadata

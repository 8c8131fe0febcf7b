// Wave interleaving, LDS DMA timing and LDS data races (see lds_waves_test.cpp). Kernel
// arguments: src, out. v0 = work-item id; s2 = the wave within the workgroup, v1 = 4 * lane.

// dma_timing (one wave): two global_load_lds_dword land only when s_waitcnt vmcnt covers them.
// out[l] = LDS[4l] before any wait (7), out[64 + l] = LDS[4l] after vmcnt(1) (src[l]),
// out[128 + l] = LDS[256 + 4l] after vmcnt(1) (still 7), out[192 + l] = it after vmcnt(0) (src[64 + l]).
  .text
  .globl dma_timing
  .p2align 8
  .type dma_timing,@function
dma_timing:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_lshlrev_b32_e32 v1, 2, v0
  v_mov_b32_e32 v2, 7
  ds_write_b32 v1, v2
  ds_write_b32 v1, v2 offset:256
  s_waitcnt lgkmcnt(0)
  s_mov_b32 m0, 0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dword v1, s[4:5]                // LDS[4l] = src[l]
  global_load_lds_dword v1, s[4:5] offset:256     // LDS[256 + 4l] = src[64 + l]
  ds_read_b32 v3, v1                              // pc dma_timing_read0
  s_waitcnt lgkmcnt(0)
  s_waitcnt vmcnt(1)
  ds_read_b32 v4, v1
  ds_read_b32 v5, v1 offset:256
  s_waitcnt lgkmcnt(0)
  s_waitcnt vmcnt(0)
  ds_read_b32 v6, v1 offset:256
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v3, s[6:7]
  global_store_dword v1, v4, s[6:7] offset:256
  global_store_dword v1, v5, s[6:7] offset:512
  global_store_dword v1, v6, s[6:7] offset:768
  s_endpgm
  .size dma_timing, .-dma_timing

// pingpong_race (two waves): after a barrier, wave 0 DMA-fills LDS[0, 256) from src and reaches
// the next barrier without waiting for it; wave 1 reads the buffer before that barrier: it sees
// the old contents (7) and strict mode reports the race. out[l] = what wave 1 read.
  .globl pingpong_race
  .p2align 8
  .type pingpong_race,@function
pingpong_race:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_readfirstlane_b32 s2, v0
  s_lshr_b32 s2, s2, 6
  v_and_b32_e32 v1, 63, v0
  v_lshlrev_b32_e32 v1, 2, v1
  v_mov_b32_e32 v2, 7
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lrace_init_done
  ds_write_b32 v1, v2                             // wave 0: the old contents
  s_waitcnt lgkmcnt(0)
.Lrace_init_done:
  s_waitcnt lgkmcnt(0)
  s_barrier
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lrace_reader
  s_mov_b32 m0, 0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  global_load_lds_dword v1, s[4:5]                // wave 0: the next buffer's data
  s_barrier
  s_waitcnt vmcnt(0)
  s_endpgm
.Lrace_reader:
  ds_read_b32 v3, v1                              // wave 1: reads before the data is there
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v3, s[6:7]
  s_barrier
  s_endpgm
  .size pingpong_race, .-pingpong_race

// pingpong_synced (two waves): as pingpong_race with buffer_load_dword ... lds, but wave 0 waits
// (s_waitcnt vmcnt(0)) before the barrier and wave 1 reads after it: no race, the new data.
  .globl pingpong_synced
  .p2align 8
  .type pingpong_synced,@function
pingpong_synced:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_readfirstlane_b32 s2, v0
  s_lshr_b32 s2, s2, 6
  v_and_b32_e32 v1, 63, v0
  v_lshlrev_b32_e32 v1, 2, v1
  v_mov_b32_e32 v2, 7
  s_waitcnt lgkmcnt(0)
  s_mov_b32 s8, s4                                // V#: base src, stride 0, num_records 256
  s_and_b32 s9, s5, 0xffff
  s_mov_b32 s10, 256
  s_mov_b32 s11, 0x00020000
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lsynced_init_done
  ds_write_b32 v1, v2
  s_waitcnt lgkmcnt(0)
.Lsynced_init_done:
  s_barrier
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lsynced_reader
  s_mov_b32 m0, 0
  s_nop 0                                      // SALU M0 write -> LDS DMA: 1 wait state
  buffer_load_dword v1, s[8:11], 0 offen lds
  s_waitcnt vmcnt(0)
  s_barrier
  s_endpgm
.Lsynced_reader:
  s_barrier
  ds_read_b32 v3, v1
  s_waitcnt lgkmcnt(0)
  global_store_dword v1, v3, s[6:7]
  s_endpgm
  .size pingpong_synced, .-pingpong_synced

// ds_race (two waves): wave 0 writes LDS[4l], wave 1 reads it, no barrier between (ds_synced
// below is the same with a barrier).
  .globl ds_race
  .p2align 8
  .type ds_race,@function
ds_race:
  v_readfirstlane_b32 s2, v0
  s_lshr_b32 s2, s2, 6
  v_and_b32_e32 v1, 63, v0
  v_lshlrev_b32_e32 v1, 2, v1
  v_mov_b32_e32 v2, 1
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lds_race_reader
  ds_write_b32 v1, v2
  s_waitcnt lgkmcnt(0)
  s_endpgm
.Lds_race_reader:
  ds_read_b32 v3, v1
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size ds_race, .-ds_race

// ds_synced (two waves): ds_race with an s_barrier between the write and the read.
  .globl ds_synced
  .p2align 8
  .type ds_synced,@function
ds_synced:
  v_readfirstlane_b32 s2, v0
  s_lshr_b32 s2, s2, 6
  v_and_b32_e32 v1, 63, v0
  v_lshlrev_b32_e32 v1, 2, v1
  v_mov_b32_e32 v2, 1
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lds_synced_reader
  ds_write_b32 v1, v2
  s_waitcnt lgkmcnt(0)
  s_barrier
  s_endpgm
.Lds_synced_reader:
  s_barrier
  ds_read_b32 v3, v1
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size ds_synced, .-ds_synced

// spin_flag (two waves): wave 0 spins until wave 1 sets an LDS flag, then writes 42 to out[0].
// Runs only if the waves interleave (one wave at a time, wave 0 would spin forever).
  .globl spin_flag
  .p2align 8
  .type spin_flag,@function
spin_flag:
  s_load_dwordx4 s[4:7], s[0:1], 0x0
  v_readfirstlane_b32 s2, v0
  s_lshr_b32 s2, s2, 6
  v_mov_b32_e32 v1, 0
  s_waitcnt lgkmcnt(0)
  s_cmp_eq_u32 s2, 0
  s_cbranch_scc0 .Lspin_setter
.Lspin:
  ds_read_b32 v3, v1
  s_waitcnt lgkmcnt(0)
  v_readfirstlane_b32 s8, v3
  s_cmp_eq_u32 s8, 1
  s_cbranch_scc0 .Lspin
  v_mov_b32_e32 v2, 42
  s_mov_b64 exec, 1
  global_store_dword v1, v2, s[6:7]
  s_endpgm
.Lspin_setter:
  v_mov_b32_e32 v2, 1
  ds_write_b32 v1, v2
  s_waitcnt lgkmcnt(0)
  s_endpgm
  .size spin_flag, .-spin_flag

  .rodata
  .p2align 6
.irp name, dma_timing, pingpong_race, pingpong_synced, ds_race, ds_synced, spin_flag
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_group_segment_fixed_size 1024
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel
.endr

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: dma_timing, .symbol: dma_timing.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: pingpong_race, .symbol: pingpong_race.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 128,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: pingpong_synced, .symbol: pingpong_synced.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 128,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
  - { .name: ds_race, .symbol: ds_race.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 128 }
  - { .name: ds_synced, .symbol: ds_synced.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 128 }
  - { .name: spin_flag, .symbol: spin_flag.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 1024, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 8, .max_flat_workgroup_size: 128,
      .args: [ { .name: src, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

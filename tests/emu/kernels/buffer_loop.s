// MUBUF-heavy loop for the benchmark (emu_bench BM_BufferLoop): each iteration one
// buffer_load_dwordx4 and one buffer_load_dword per lane through a V# with stride 4 and offen (the
// production GEMM form), part of the lanes past num_records, then two adds.
// Kernargs: base (u64, 8 KiB: 16 bytes per work-item + 512), iters (u32), num_records (u32). No output.
  .text
  .globl buffer_loop
  .p2align 8
  .type buffer_loop,@function
buffer_loop:
  s_load_dwordx2 s[8:9], s[0:1], 0x0
  s_load_dwordx2 s[6:7], s[0:1], 0x8
  v_and_b32 v0, 0x3ff, v0
  v_lshlrev_b32 v1, 4, v0              // 16 bytes per work-item
  v_mov_b32 v9, 0
  s_waitcnt lgkmcnt(0)
  s_and_b32 s9, s9, 0xffff
  s_or_b32 s9, s9, 0x40000             // stride 4
  s_mov_b32 s10, s7                    // num_records
  s_mov_b32 s11, 0x00020000            // data format 32
  s_cmp_eq_u32 s6, 0
  s_cbranch_scc1 .Ldone
.Lloop:
  buffer_load_dwordx4 v[4:7], v1, s[8:11], 0 offen
  buffer_load_dword v2, v1, s[8:11], 0 offen offset:512
  s_waitcnt vmcnt(0)
  v_add_u32 v9, v9, v4
  v_add_u32 v9, v9, v2
  s_sub_u32 s6, s6, 1
  s_cmp_lg_u32 s6, 0
  s_cbranch_scc1 .Lloop
.Ldone:
  s_endpgm
  .size buffer_loop, .-buffer_loop

  .rodata
  .p2align 6
  .amdhsa_kernel buffer_loop
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 16
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 16
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: buffer_loop
    .symbol: buffer_loop.kd
    .kernarg_segment_size: 16
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 16
    .max_flat_workgroup_size: 256
    .args:
      - { .name: base, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .name: iters, .offset: 8, .size: 4, .value_kind: by_value }
      - { .name: num_records, .offset: 12, .size: 4, .value_kind: by_value }
...
  .end_amdgpu_metadata

// Scalar atomics and stores (see scalar_mem_test.cpp). buf holds 80 dwords, buf[i] = 100 * i
// initially (buf[8] = 0); a buffer resource s[20:23] covers buf[16..20) (num_records 16 bytes).
// The returned SGPRs are stored to out[0..10] by lane 0.
  .text
  .globl scalar_mem
  .p2align 8
  .type scalar_mem,@function
scalar_mem:
  s_load_dwordx4 s[4:7], s[0:1], 0x0        // buf, out
  s_mov_b32 s8, 5
  s_mov_b32 s9, 7
  s_mov_b32 s10, 42
  s_mov_b32 s11, 200
  s_mov_b32 s12, 43
  s_mov_b32 s13, 999
  s_mov_b32 s14, -1
  s_mov_b32 s15, 0
  s_mov_b32 s16, 0x18
  s_mov_b32 s17, 1000
  s_mov_b32 s18, 700
  s_mov_b32 s19, 9
  s_mov_b32 s24, 3
  s_mov_b32 s25, 1
  s_mov_b32 s26, 0xaaaa
  s_mov_b32 s27, 0xbbbb
  s_mov_b32 s28, 0x1234
  s_waitcnt lgkmcnt(0)
  s_add_u32 s20, s4, 64
  s_addc_u32 s21, s5, 0
  s_mov_b32 s22, 16
  s_mov_b32 s23, 0
  s_atomic_add s8, s[4:5], 0x0 glc          // buf[0] 0 -> 5, s8 = 0
  s_atomic_add s9, s[4:5], 0x4              // buf[1] 100 -> 107, s9 stays 7
  s_atomic_cmpswap s[10:11], s[4:5], 0x8 glc  // buf[2] == 200: 200 -> 42, s10 = 200
  s_atomic_cmpswap s[12:13], s[4:5], 0xc glc  // buf[3] == 999? no: stays 300, s12 = 300
  s_atomic_add_x2 s[14:15], s[4:5], 0x10 glc  // buf[4:5] (400, 500) + 0xffffffff
  s_atomic_umax s17, s[4:5], s16 glc        // buf[6] 600 -> 1000, s17 = 600
  s_atomic_inc s18, s[4:5], 0x1c glc        // buf[7] 700 >= 700 -> 0, s18 = 700
  s_atomic_dec s19, s[4:5], 0x20 glc        // buf[8] 0 -> 9 (wraps to the source), s19 = 0
  s_buffer_atomic_sub s24, s[20:23], 0x0 glc  // buf[16] 1600 -> 1597, s24 = 1600
  s_buffer_atomic_add s25, s[20:23], 0x10 glc // past num_records: dropped, s25 = 0
  s_buffer_store_dwordx2 s[26:27], s[20:23], 0xc  // buf[19] = 0xaaaa; buf[20] past the range: kept
  s_store_dword s28, s[4:5], 0x100          // buf[64] = 0x1234
  s_waitcnt lgkmcnt(0)
  s_mov_b64 exec, 1
  v_mov_b32 v0, 0
  v_mov_b32 v1, s8
  global_store_dword v0, v1, s[6:7]
  v_mov_b32 v1, s9
  global_store_dword v0, v1, s[6:7] offset:4
  v_mov_b32 v1, s10
  global_store_dword v0, v1, s[6:7] offset:8
  v_mov_b32 v1, s12
  global_store_dword v0, v1, s[6:7] offset:12
  v_mov_b32 v1, s14
  global_store_dword v0, v1, s[6:7] offset:16
  v_mov_b32 v1, s15
  global_store_dword v0, v1, s[6:7] offset:20
  v_mov_b32 v1, s17
  global_store_dword v0, v1, s[6:7] offset:24
  v_mov_b32 v1, s18
  global_store_dword v0, v1, s[6:7] offset:28
  v_mov_b32 v1, s19
  global_store_dword v0, v1, s[6:7] offset:32
  v_mov_b32 v1, s24
  global_store_dword v0, v1, s[6:7] offset:36
  v_mov_b32 v1, s25
  global_store_dword v0, v1, s[6:7] offset:40
  s_endpgm
  .size scalar_mem, .-scalar_mem

  .rodata
  .p2align 6
  .amdhsa_kernel scalar_mem
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 32
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 16
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: scalar_mem, .symbol: scalar_mem.kd, .kernarg_segment_size: 16, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 32, .vgpr_count: 8, .max_flat_workgroup_size: 64,
      .args: [ { .name: buf, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: out, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

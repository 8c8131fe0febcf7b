// out[i] = in[i] * a + b for i < n (f32). Kernargs: in, out, a (f32), b (f32), n (u32).
// One work-item per element; workgroup size 256 (4 waves); tests global loads/stores,
// s_load, VALU f32, exec masking of the tail and the workitem-id / workgroup-id setup.
  .text
  .globl scale_add
  .p2align 8
  .type scale_add,@function
scale_add:
  s_load_dwordx4 s[4:7], s[0:1], 0x0        // in, out
  s_load_dwordx2 s[8:9], s[0:1], 0x10       // a, b
  s_load_dword s10, s[0:1], 0x18            // n
  v_and_b32 v0, 0x3ff, v0                   // workitem id x
  s_lshl_b32 s3, s2, 8                      // workgroup id * 256
  v_add_u32 v1, s3, v0                      // global id
  s_waitcnt lgkmcnt(0)
  v_cmp_gt_u32 vcc, s10, v1
  s_and_saveexec_b64 s[12:13], vcc
  s_cbranch_execz .Ldone
  v_lshlrev_b32 v2, 2, v1
  global_load_dword v3, v2, s[4:5]
  v_mov_b32 v4, s9
  s_waitcnt vmcnt(0)
  v_fma_f32 v3, v3, s8, v4
  global_store_dword v2, v3, s[6:7]
.Ldone:
  s_endpgm
  .size scale_add, .-scale_add

  .rodata
  .p2align 6
  .amdhsa_kernel scale_add
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_system_sgpr_workgroup_id_x 1
    .amdhsa_next_free_vgpr 8
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 8
    .amdhsa_kernarg_size 28
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - .name: scale_add
    .symbol: scale_add.kd
    .kernarg_segment_size: 28
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 0
    .private_segment_fixed_size: 0
    .wavefront_size: 64
    .sgpr_count: 16
    .vgpr_count: 8
    .max_flat_workgroup_size: 256
    .args:
      - { .name: in,  .offset: 0,  .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .name: out, .offset: 8,  .size: 8, .value_kind: global_buffer, .address_space: global }
      - { .name: a,   .offset: 16, .size: 4, .value_kind: by_value }
      - { .name: b,   .offset: 20, .size: 4, .value_kind: by_value }
      - { .name: n,   .offset: 24, .size: 4, .value_kind: by_value }
...
  .end_amdgpu_metadata

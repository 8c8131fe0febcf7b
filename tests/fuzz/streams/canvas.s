// The canvas the instruction-stream fuzz test paints on (instruction_stream_test.cpp): one kernel
// whose body is 1024 s_nop words, which the test overwrites with a random stream of instructions
// taken from the generated kernels (and mutated), then s_endpgm. Its resources are the most a
// stream may touch: every VGPR and AccVGPR, 96 SGPRs, 64 KiB of LDS, the workgroup ids, and three
// kernel arguments (two buffers and a count) so that harvested loads and stores find real memory.
  .text
  .globl canvas
  .p2align 8
  .type canvas,@function
canvas:
  .rept 1024
  s_nop 0
  .endr
  s_endpgm
  .size canvas, .-canvas

  .rodata
  .p2align 6
  .amdhsa_kernel canvas
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_system_sgpr_workgroup_id_x 1
    .amdhsa_system_sgpr_workgroup_id_y 1
    .amdhsa_system_vgpr_workitem_id 2
    .amdhsa_next_free_vgpr 512
    .amdhsa_accum_offset 256
    .amdhsa_next_free_sgpr 96
    .amdhsa_group_segment_fixed_size 65536
    .amdhsa_float_denorm_mode_32 3
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: canvas, .symbol: canvas.kd, .kernarg_segment_size: 24, .kernarg_segment_align: 8, .group_segment_fixed_size: 65536, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 96, .vgpr_count: 512, .max_flat_workgroup_size: 256,
      .args: [ { .name: a, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: b, .offset: 8, .size: 8, .value_kind: global_buffer, .address_space: global }, { .name: n, .offset: 16, .size: 4, .value_kind: by_value } ] }
...
  .end_amdgpu_metadata

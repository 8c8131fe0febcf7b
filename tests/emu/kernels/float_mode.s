// MODE register: s_getreg/s_setreg of the round and denormal fields, f16/f64 denormal flushing
// and directed rounding (see float_mode_test.cpp). Lane 0 stores out[0..17].
  .text
  .globl float_mode
  .p2align 8
  .type float_mode,@function
float_mode:
  s_load_dwordx2 s[4:5], s[0:1], 0x0
  s_getreg_b32 s2, hwreg(HW_REG_MODE)         // out[0]: MODE from the descriptor
  v_mov_b32 v2, 1                             // v[2:3] = smallest f64 denormal
  v_mov_b32 v3, 0
  v_add_f64 v[4:5], v[2:3], 0                 // out[1:2]: kept (FP_DENORM[7:6] = 3)
  v_mov_b32 v10, 1                            // smallest f16 denormal
  v_add_f16 v12, v10, 0                       // out[3]: kept
  v_mov_b32 v14, 0x00010001
  v_mov_b32 v19, 1                            // smallest f32 denormal
  s_setreg_imm32_b32 hwreg(HW_REG_MODE, 6, 2), 0   // f16/f64: flush inputs and results
  v_add_f64 v[6:7], v[2:3], 0                 // out[4:5]: 0
  v_mov_b32 v8, 0
  v_mov_b32 v9, 0x00100000                    // v[8:9] = 2^-1022, the smallest normal
  v_mul_f64 v[8:9], v[8:9], 0.5               // out[6:7]: a denormal result, flushed to 0
  v_add_f16 v11, v10, 0                       // out[8]: 0
  v_pk_add_f16 v13, v14, 0                    // out[9]: 0 in both halves
  v_add_f32 v15, v19, 0                       // out[10]: f32 keeps its denormal (FP_DENORM[5:4] = 3)
  s_getreg_b32 s3, hwreg(HW_REG_MODE)         // out[11]
  v_mov_b32 v20, 1.0
  v_mov_b32 v21, 0x33c00000                   // 1.5 * 2^-24: 1 + v21 is 1 + 0.75 ulp
  v_add_f32 v17, v20, v21                     // out[12]: nearest even -> 1 + ulp
  s_setreg_imm32_b32 hwreg(HW_REG_MODE, 0, 2), 3   // f32 toward zero
  v_add_f32 v16, v20, v21                     // out[13]: 1.0
  s_setreg_imm32_b32 hwreg(HW_REG_MODE, 0, 2), 1   // f32 toward +inf
  v_add_f32 v18, -v20, -v21                   // out[14]: -(1 + 0.75 ulp) rounds up to -1.0
  s_setreg_imm32_b32 hwreg(HW_REG_MODE, 0, 4), 8   // f32 nearest even, f16/f64 toward -inf
  v_mov_b32 v22, 0
  v_mov_b32 v23, 0x3ca80000                   // 1.5 * 2^-53: 1 + it is 1 + 0.75 ulp in f64
  v_mov_b32 v24, 0
  v_mov_b32 v25, 0x3ff00000                   // 1.0
  v_add_f64 v[22:23], v[24:25], v[22:23]      // out[15:16]: toward -inf -> 1.0
  v_add_f32 v26, v20, v21                     // out[17]: f32 still nearest even -> 1 + ulp
  s_setreg_imm32_b32 hwreg(HW_REG_MODE, 0, 4), 0
  s_mov_b64 exec, 1
  v_mov_b32 v0, 0
  v_mov_b32 v1, s2
  s_waitcnt lgkmcnt(0)
  global_store_dword v0, v1, s[4:5]
  global_store_dwordx2 v0, v[4:5], s[4:5] offset:4
  global_store_dword v0, v12, s[4:5] offset:12
  global_store_dwordx2 v0, v[6:7], s[4:5] offset:16
  global_store_dwordx2 v0, v[8:9], s[4:5] offset:24
  global_store_dword v0, v11, s[4:5] offset:32
  global_store_dword v0, v13, s[4:5] offset:36
  global_store_dword v0, v15, s[4:5] offset:40
  v_mov_b32 v1, s3
  global_store_dword v0, v1, s[4:5] offset:44
  global_store_dword v0, v17, s[4:5] offset:48
  global_store_dword v0, v16, s[4:5] offset:52
  global_store_dword v0, v18, s[4:5] offset:56
  global_store_dwordx2 v0, v[22:23], s[4:5] offset:60
  global_store_dword v0, v26, s[4:5] offset:68
  s_endpgm
  .size float_mode, .-float_mode

  .rodata
  .p2align 6
  .amdhsa_kernel float_mode
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 16
    .amdhsa_accum_offset 32
    .amdhsa_kernarg_size 8
    .amdhsa_float_denorm_mode_32 3
    .amdhsa_float_denorm_mode_16_64 3
  .end_amdhsa_kernel

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: float_mode, .symbol: float_mode.kd, .kernarg_segment_size: 8, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 16, .vgpr_count: 32, .max_flat_workgroup_size: 64,
      .args: [ { .name: out, .offset: 0, .size: 8, .value_kind: global_buffer, .address_space: global } ] }
...
  .end_amdgpu_metadata

// Instruction words the code-object fuzzer found that crash LLVM 22's AMDGPU disassembler instead
// of making it fail: a segfault in the Twine of getInstruction's error comment (VOP3, MUBUF), or
// in the instruction printer after a "successful" decode (SDWA).
// emu/src/decode/mc_disassembler.cpp screens them (crashes_llvm_disassembler) and reports them
// as undecodable. One kernel per finding, the offending pair of words at its entry, then
// s_endpgm; regression_test.cpp checks the loader reports the word at PC 0 as undecodable.
// The words are the fuzzer's, lifted from its mutated kernels; the comment above each names
// the valid instruction the mutation started from. Each pair crashes llvm-mc itself, e.g.
//   echo "0xf9 0x16 0x2e 0x7e 0x12 0x06 0xc7 0x00" |
//     llvm-mc --disassemble -triple=amdgcn-amd-amdhsa -mcpu=gfx942        (exit 139)
// Assembled for gfx942 and gfx950 (each finding crashes at least one of them: see its note; all are
// screened on both, their words being invalid on both).
  .text

// ---- SDWA with src0_sel = 7 (the selects are 0..6: BYTE_0..3, WORD_0..1, DWORD). From
// v_cvt_f32_f16_sdwa v23, s18 dst_sel:DWORD dst_unused:UNUSED_PAD src0_sel:DWORD
// (SDWA word 0x00c60612) with src0_sel 6 -> 7. Was tests/fuzz/regressions/decode_section_segv.co.
  .globl sdwa_select_7
  .p2align 8
  .type sdwa_select_7,@function
sdwa_select_7:
  .long 0x7e2e16f9, 0x00c70612
  s_endpgm
  .size sdwa_select_7, .-sdwa_select_7

// ---- VOP3 with src1 = 255 (a literal constant, which GFX9 VOP3 cannot take). From
// v_bfe_u32 v23, s71, v0, 1 (0xd1c80017 0x02060047) with src1 v0 (256) -> 255. Was
// tests/fuzz/regressions/disassembler_twine_segv.co.
  .globl vop3_literal_source
  .p2align 8
  .type vop3_literal_source,@function
vop3_literal_source:
  .long 0xd1c80017, 0x0205fe47
  s_endpgm
  .size vop3_literal_source, .-vop3_literal_source

// ---- MUBUF with soffset = 255 (a literal constant, which MUBUF/MTBUF cannot take). From
// buffer_load_dwordx4 v[28:31], v19, s[24:27], 0 offen (0xe05c1000 0x80061c13) with soffset
// 128 (the constant 0) -> 255. Was tests/fuzz/regressions/mubuf_literal_soffset_segv.co.
  .globl mubuf_literal_soffset
  .p2align 8
  .type mubuf_literal_soffset,@function
mubuf_literal_soffset:
  .long 0xe05c1000, 0xff061c13
  s_endpgm
  .size mubuf_literal_soffset, .-mubuf_literal_soffset

// ---- VOP3 VOPC with SDST = 255 (a literal as a destination). From
// v_cmp_gt_i32_e64 s[0:1], s23, v4 (0xd0c40000 0x00020817) with sdst 0 -> 255. Found by the
// libFuzzer run in CI on a mutated gemm_bf16 seed (crashes gfx942's disassembler; gfx950's decodes
// it as an invalid immediate). v_readlane_b32 with SDST 255 crashes the same way.
  .globl vop3_literal_sdst
  .p2align 8
  .type vop3_literal_sdst,@function
vop3_literal_sdst:
  .long 0xd0c400ff, 0x00020817
  s_endpgm
  .size vop3_literal_sdst, .-vop3_literal_sdst

// ---- v_mfma_ld_scale_b32 then an f8f6f4 MFMA with an A source that is not a register. From
// v_mfma_ld_scale_b32 v79, v78 + v_mfma_f32_16x16x128_f8f6f4 (0xd3ad0c50 0x85428948) with src1 v68
// (0x144) -> 0xc4 (a constant). Found by CodeObjectMutations.RandomByteFlipsDoNotCrash in the CI
// check of session 7 on a mutated MXFP4 moe_gemm seed: gfx950's disassembler decodes the pair as
// one scaled MFMA and segfaults in getSubReg (gfx942 has no such pair; the words are invalid there).
  .globl mfma_scale_constant_source
  .p2align 8
  .type mfma_scale_constant_source,@function
mfma_scale_constant_source:
  .long 0xd3ac0000, 0x00029d4f, 0xd3ad0c50, 0x85b98948
  s_endpgm
  .size mfma_scale_constant_source, .-mfma_scale_constant_source

  .rodata
.macro KD name
  .p2align 6
  .amdhsa_kernel \name
    .amdhsa_user_sgpr_kernarg_segment_ptr 1
    .amdhsa_next_free_vgpr 32
    .amdhsa_next_free_sgpr 80
    .amdhsa_accum_offset 32
  .end_amdhsa_kernel
.endm
  KD sdwa_select_7
  KD vop3_literal_source
  KD mubuf_literal_soffset
  KD vop3_literal_sdst
  KD mfma_scale_constant_source

  .amdgpu_metadata
---
amdhsa.version: [ 1, 2 ]
amdhsa.kernels:
  - { .name: sdwa_select_7, .symbol: sdwa_select_7.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 80, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
  - { .name: vop3_literal_source, .symbol: vop3_literal_source.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 80, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
  - { .name: vop3_literal_sdst, .symbol: vop3_literal_sdst.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 80, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
  - { .name: mfma_scale_constant_source, .symbol: mfma_scale_constant_source.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 80, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
  - { .name: mubuf_literal_soffset, .symbol: mubuf_literal_soffset.kd, .kernarg_segment_size: 0, .kernarg_segment_align: 8, .group_segment_fixed_size: 0, .private_segment_fixed_size: 0, .wavefront_size: 64, .sgpr_count: 80, .vgpr_count: 32, .max_flat_workgroup_size: 64 }
...
  .end_amdgpu_metadata

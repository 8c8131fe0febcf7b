/* Compiled with -std=c99 -Wall -Wextra -Wpedantic -Werror: asmk.h must be valid strict C99. */
#include "asmk.h"

int asmk_test_header_c99(void);

int asmk_test_header_c99(void) {
  asmk_open_options options;
  asmk_quant_fp8_args args = ASMK_INIT(asmk_quant_fp8_args);
  asmk_kernarg_value value;
  asmk_gemm_a8w8_args gemm = ASMK_INIT(asmk_gemm_a8w8_args);
  asmk_gemm_bf16_args bf16 = ASMK_INIT(asmk_gemm_bf16_args);
  asmk_gemm_a8w8_blockscale_args blockscale = ASMK_INIT(asmk_gemm_a8w8_blockscale_args);
  asmk_gemm_a4w4_args a4w4 = ASMK_INIT(asmk_gemm_a4w4_args);
  asmk_shuffle_b_args shuffle = ASMK_INIT(asmk_shuffle_b_args);
  asmk_quant_mxfp4_args mxfp4 = ASMK_INIT(asmk_quant_mxfp4_args);
  asmk_selection selection = ASMK_INIT(asmk_selection);
  asmk_open_options_init(&options);
  gemm.in_dtype = ASMK_DTYPE_INT8;
  gemm.b_layout = ASMK_B_SHUFFLED;
  gemm.workspace_bytes = SIZE_MAX;
  bf16.out_dtype = ASMK_DTYPE_FP32;
  blockscale.stride_scale_a = 4;
  a4w4.stride_scale_b = 8;
  shuffle.stride_src = 64;
  mxfp4.in_dtype = ASMK_DTYPE_FP16;
  selection.k_splits = 1;
  value.name = "m";
  value.type = ASMK_VALUE_U32;
  value.value.u32 = 7;
  args.in_dtype = ASMK_DTYPE_BF16;
  args.granularity = ASMK_QUANT_GROUP;
  return (options.backend != 0) + (int)value.value.u32 + (int)args.granularity + ASMK_VERSION / 100000 +
         (int)gemm.b_layout + (int)bf16.out_dtype + (int)blockscale.stride_scale_a + (int)a4w4.stride_scale_b +
         (int)shuffle.stride_src + (int)mxfp4.in_dtype + (int)selection.k_splits + (int)ASMK_DTYPE_FP4;
}

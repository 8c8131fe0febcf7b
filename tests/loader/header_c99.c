/* Compiled with -std=c99 -Wall -Wextra -Wpedantic -Werror: asmk.h must be valid strict C99. */
#include "asmk.h"

int asmk_test_header_c99(void);

int asmk_test_header_c99(void) {
  asmk_open_options options;
  asmk_quant_fp8_args args = {0};
  asmk_kernarg_value value;
  asmk_open_options_init(&options);
  value.name = "m";
  value.type = ASMK_VALUE_U32;
  value.value.u32 = 7;
  args.in_dtype = ASMK_DTYPE_BF16;
  args.granularity = ASMK_QUANT_GROUP;
  return (options.backend != 0) + (int)value.value.u32 + (int)args.granularity + ASMK_VERSION / 100000;
}

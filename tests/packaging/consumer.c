/* A C99 program using the INSTALLED libasmk: open the fixture repository, select and launch
   quant_fp8 on the record backend, and check a refusal. Exit 0 on success.
   usage: consumer REPOSITORY */
#include <stdio.h>
#include <string.h>

#include <asmk.h>

static int fail(const char* what, asmk_status status) {
  fprintf(stderr, "consumer: %s: %s: %s\n", what, asmk_status_string(status), asmk_last_error());
  return 1;
}

int main(int argc, char** argv) {
  asmk_open_options options;
  asmk_context* context = NULL;
  asmk_quant_fp8_args args;
  asmk_selection selection;
  asmk_status status;
  const asmk_kernel* kernel = NULL;
  void *x = NULL, *y = NULL, *scale = NULL;
  int result = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: consumer REPOSITORY\n");
    return 2;
  }
  printf("libasmk %s (header %d.%d.%d)\n", asmk_version_string(), ASMK_VERSION_MAJOR, ASMK_VERSION_MINOR,
         ASMK_VERSION_PATCH);
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.backend = "record"; /* the fixture's .co files are placeholders */
  status = asmk_open(argv[1], &options, &context);
  if (status != ASMK_SUCCESS) return fail("asmk_open", status);

  memset(&args, 0, sizeof args);
  args.struct_size = sizeof args;
  memset(&selection, 0, sizeof selection);
  selection.struct_size = sizeof selection;
  args.m = 17;
  args.n = 7168;
  args.in_dtype = ASMK_DTYPE_BF16;
  args.granularity = ASMK_QUANT_GROUP;
  status = asmk_select_quant_fp8(context, &args, &selection);
  if (status != ASMK_SUCCESS) {
    result = fail("asmk_select_quant_fp8", status);
    goto done;
  }
  printf("selected %s grid (%u, %u, %u)\n", selection.kernel_name, selection.grid.x, selection.grid.y,
         selection.grid.z);
  /* The choice worked by hand in tests/loader/test_quant_fp8.cpp. */
  if (strcmp(selection.kernel_name, "quant_fp8_gfx942_bf16_group_n256") != 0 || selection.grid.x != 28 ||
      selection.grid.y != 17) {
    fprintf(stderr, "consumer: unexpected selection\n");
    result = 1;
    goto done;
  }

  if (asmk_malloc(context, (size_t)17 * 7168 * 2, &x) != ASMK_SUCCESS ||
      asmk_malloc(context, (size_t)17 * 7168, &y) != ASMK_SUCCESS ||
      asmk_malloc(context, (size_t)17 * 56 * 4, &scale) != ASMK_SUCCESS) {
    result = fail("asmk_malloc", ASMK_ERROR_BACKEND);
    goto done;
  }
  args.x = x;
  args.y = y;
  args.scale = (float*)scale;
  status = asmk_quant_fp8(context, &args, NULL, NULL);
  if (status != ASMK_SUCCESS) {
    result = fail("asmk_quant_fp8", status);
    goto done;
  }
  printf("launched on the record backend\n");

  status = asmk_find_kernel(context, "quant_fp8_gfx942_bf16_row_n1000", &kernel);
  if (status != ASMK_ERROR_UNKNOWN_KERNEL || strstr(asmk_last_error(), "quant_fp8_gfx942_bf16_row_n1024") == NULL) {
    fprintf(stderr, "consumer: expected UNKNOWN_KERNEL naming the nearest, got %s: %s\n", asmk_status_string(status),
            asmk_last_error());
    result = 1;
    goto done;
  }
  printf("refused: %s\n", asmk_last_error());

done:
  asmk_free(context, x);
  asmk_free(context, y);
  asmk_free(context, scale);
  asmk_close(context);
  return result;
}

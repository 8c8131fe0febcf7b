/* A C99 program run against a MOVED install of asmk, with no ASMK_REPO (relocated_install.py):
     1. the default repository is the one installed with libasmk (<prefix>/share/asmk);
     2. a context on a GPU-only backend (record; hip without a GPU) leaves libLLVM unloaded;
     3. quant_fp8 on the emulator (asmk_open(NULL, ...)) is right, checked here against the
        fp8 e4m3fnuz definition; now the emu module and libLLVM are loaded, from the prefix;
     4. nothing of the build or source tree is mapped into the process.
   usage: installed_emu PREFIX SOURCE_ROOT. Exit 0 on success. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asmk.h>

enum { M = 3, N = 1024 };

static int failed(const char* what) {
  fprintf(stderr, "installed_emu: %s\n", what);
  return 1;
}

static int status_failed(const char* what, asmk_status status) {
  fprintf(stderr, "installed_emu: %s: %s: %s\n", what, asmk_status_string(status), asmk_last_error());
  return 1;
}

/* Whether a line of /proc/self/maps contains `needle`; the first such line goes to `line`. */
static int mapped(const char* needle, char* line, size_t size) {
  FILE* maps = fopen("/proc/self/maps", "r");
  int found = 0;
  if (maps == NULL) return 0;
  while (!found && fgets(line, (int)size, maps) != NULL) found = strstr(line, needle) != NULL;
  fclose(maps);
  return found;
}

/* e4m3fnuz (AMD's fp8 on gfx942): bias 8, no infinities, 0x80 the only NaN. */
static double decode_e4m3fnuz(unsigned char bits) {
  const int exponent = (bits >> 3) & 0xF, mantissa = bits & 7;
  const double magnitude = exponent == 0 ? ldexp(mantissa / 8.0, 1 - 8) : ldexp(1.0 + mantissa / 8.0, exponent - 8);
  return bits & 0x80 ? -magnitude : magnitude;
}

static unsigned short bf16_of(float value) { /* exact for the small multiples of 1/8 used here */
  unsigned int word;
  memcpy(&word, &value, sizeof word);
  return (unsigned short)(word >> 16);
}

int main(int argc, char** argv) {
  static unsigned short x[M * N];
  static unsigned char y[M * N];
  static float scale[M];
  char line[4096];
  asmk_open_options options;
  asmk_context* gpu_only = NULL;
  asmk_context* emu = NULL;
  asmk_quant_fp8_args args;
  asmk_status status;
  const char* repository;
  void *dx = NULL, *dy = NULL, *dscale = NULL;
  int row, col;

  if (argc != 3) return failed("usage: installed_emu PREFIX SOURCE_ROOT");

  repository = asmk_default_repository();
  if (repository == NULL || strncmp(repository, argv[1], strlen(argv[1])) != 0) {
    fprintf(stderr, "installed_emu: default repository %s is not under %s\n", repository ? repository : "(none)", argv[1]);
    return 1;
  }
  printf("default repository: %s\n", repository);

  /* 2. GPU-only use: no emulator, so no libLLVM. */
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.backend = "record";
  status = asmk_open(NULL, &options, &gpu_only);
  if (status != ASMK_SUCCESS) return status_failed("asmk_open(NULL, record)", status);
  asmk_close(gpu_only);
  options.backend = "hip"; /* no GPU here: a NO_DEVICE or BACKEND refusal, still without libLLVM */
  status = asmk_open(NULL, &options, &gpu_only);
  printf("hip: %s\n", status == ASMK_SUCCESS ? "opened" : asmk_last_error());
  asmk_close(gpu_only);
  if (mapped("libLLVM", line, sizeof line)) {
    fprintf(stderr, "installed_emu: libLLVM is loaded without the emulator: %s", line);
    return 1;
  }
  printf("record and hip contexts: libLLVM not loaded\n");

  /* 3. quant_fp8 (row scales) on the emulator. */
  for (row = 0; row < M; ++row)
    for (col = 0; col < N; ++col) x[row * N + col] = bf16_of((float)((col * 7 + row * 13) % 97 - 48) / 8.0f);
  options.backend = "emu";
  status = asmk_open(NULL, &options, &emu);
  if (status != ASMK_SUCCESS) return status_failed("asmk_open(NULL, emu)", status);
  if ((status = asmk_malloc(emu, sizeof x, &dx)) != ASMK_SUCCESS ||
      (status = asmk_malloc(emu, sizeof y, &dy)) != ASMK_SUCCESS ||
      (status = asmk_malloc(emu, sizeof scale, &dscale)) != ASMK_SUCCESS ||
      (status = asmk_memcpy(emu, dx, x, sizeof x, ASMK_COPY_HOST_TO_DEVICE)) != ASMK_SUCCESS)
    return status_failed("asmk_malloc / asmk_memcpy", status);
  memset(&args, 0, sizeof args);
  args.struct_size = sizeof args;
  args.m = M;
  args.n = N;
  args.in_dtype = ASMK_DTYPE_BF16;
  args.granularity = ASMK_QUANT_ROW;
  args.x = dx;
  args.y = dy;
  args.scale = (float*)dscale;
  if ((status = asmk_quant_fp8(emu, &args, NULL, NULL)) != ASMK_SUCCESS) return status_failed("asmk_quant_fp8", status);
  if ((status = asmk_memcpy(emu, y, dy, sizeof y, ASMK_COPY_DEVICE_TO_HOST)) != ASMK_SUCCESS ||
      (status = asmk_memcpy(emu, scale, dscale, sizeof scale, ASMK_COPY_DEVICE_TO_HOST)) != ASMK_SUCCESS)
    return status_failed("asmk_memcpy back", status);
  for (row = 0; row < M; ++row) {
    /* Every row holds -6 .. 6 (multiples of 1/8): amax 6, scale 6 / 240 (the e4m3fnuz maximum). */
    if (fabs(scale[row] - 6.0 / 240.0) > 1e-7) {
      fprintf(stderr, "installed_emu: row %d scale %.9g, expected %.9g\n", row, scale[row], 6.0 / 240.0);
      return 1;
    }
    for (col = 0; col < N; ++col) {
      const double value = ((col * 7 + row * 13) % 97 - 48) / 8.0;
      const double got = decode_e4m3fnuz(y[row * N + col]) * scale[row];
      /* e4m3: 3 mantissa bits, so rounding to nearest is within 2^-4 of the value (relative). */
      if (fabs(got - value) > fabs(value) / 16.0 + 1e-6) {
        fprintf(stderr, "installed_emu: y[%d][%d] = %g * scale, expected about %g\n", row, col, got, value);
        return 1;
      }
    }
  }
  printf("quant_fp8 on the emulator: %d x %d checked\n", M, N);
  asmk_free(emu, dx);
  asmk_free(emu, dy);
  asmk_free(emu, dscale);

  if (!mapped("libasmk_emu_backend.so", line, sizeof line) || strstr(line, argv[1]) == NULL) {
    fprintf(stderr, "installed_emu: the emu module is not mapped from %s\n", argv[1]);
    return 1;
  }
  if (!mapped("libLLVM", line, sizeof line)) return failed("libLLVM is not loaded after running the emulator");
  printf("emu module and libLLVM loaded on first use\n");
  asmk_close(emu);

  /* 4. Nothing from the build or source tree. */
  if (mapped(argv[2], line, sizeof line)) {
    fprintf(stderr, "installed_emu: a file of the source/build tree is mapped: %s", line);
    return 1;
  }
  printf("no file of %s mapped\n", argv[2]);
  return 0;
}

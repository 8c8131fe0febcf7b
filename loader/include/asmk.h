/*
 * asmk.h — the C ABI of libasmk.
 *
 * libasmk opens a repository of generated code objects (`hsaco/<arch>/manifest.json` +
 * `.co` files), describes the device, selects a kernel for a problem, packs its arguments by
 * name from the manifest and launches it on a backend ("emu", the CDNA emulator on the CPU,
 * by default; "record" for dry runs; "hip" for AMD GPUs on a framework's HIP streams; "hsa" for
 * AMD GPUs through the HSA runtime).
 *
 * Conventions:
 *  - Every function returns an asmk_status. On failure asmk_last_error() holds a one-line
 *    message naming what was asked and what exists (e.g. the nearest kernel names); nothing
 *    is launched and no output buffer is written. The library never prints, aborts or exits.
 *  - asmk_last_error() is per thread; each call of an asmk_* function that returns a status
 *    replaces it ("" after success).
 *  - Strings and info records returned by the library stay valid until the context that
 *    produced them is closed.
 *  - Grids are counted in WORKGROUPS (not work-items); blocks in work-items.
 *  - Every enum has a *_FORCE_INT32_ member: not a value, it makes the enum int-sized with the
 *    whole int range, so any int a caller passes is checked (and refused) rather than undefined.
 *
 * This header compiles as C99 and as C++.
 */
#ifndef ASMK_H
#define ASMK_H

#include <stddef.h>
#include <stdint.h>

#define ASMK_VERSION_MAJOR 0
#define ASMK_VERSION_MINOR 1
#define ASMK_VERSION_PATCH 0
/* ASMK_VERSION is 10000 * major + 100 * minor + patch. */
#define ASMK_VERSION (ASMK_VERSION_MAJOR * 10000 + ASMK_VERSION_MINOR * 100 + ASMK_VERSION_PATCH)

#if defined(_WIN32)
#define ASMK_API
#elif defined(__GNUC__)
#define ASMK_API __attribute__((visibility("default")))
#else
#define ASMK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status codes                                                                               */

typedef enum asmk_status {
  ASMK_SUCCESS = 0,
  ASMK_ERROR_INVALID_ARGUMENT = 1,     /* a null handle/out pointer, a malformed option, or an index
                                          tensor value outside its op's element rules */
  ASMK_ERROR_BAD_REPOSITORY = 2,       /* repository folder or manifest missing or malformed */
  ASMK_ERROR_MISSING_CODE_OBJECT = 3,  /* a kernel's .co is absent, unreadable, or its sha256 differs */
  ASMK_ERROR_UNKNOWN_DEVICE = 4,       /* a device name or arch libasmk does not know */
  ASMK_ERROR_UNSUPPORTED_ARCH = 5,     /* the repository holds no kernels for the device's arch */
  ASMK_ERROR_UNKNOWN_BACKEND = 6,      /* a backend name that is not built in */
  ASMK_ERROR_UNKNOWN_FAMILY = 7,       /* no kernel family / op of that name */
  ASMK_ERROR_UNKNOWN_KERNEL = 8,       /* no kernel of that name, or none with those parameters */
  ASMK_ERROR_UNSUPPORTED_DTYPE = 9,    /* a dtype the family has no kernel for */
  ASMK_ERROR_UNSUPPORTED_SHAPE = 10,   /* a shape, stride or granularity outside the contract */
  ASMK_ERROR_NULL_BUFFER = 11,         /* a required tensor pointer is null */
  ASMK_ERROR_BUFFER_TOO_SMALL = 12,    /* a tensor does not fit in the bytes the caller gave */
  ASMK_ERROR_BAD_KERNARG = 13,         /* a kernel argument missing, unknown or of the wrong type */
  ASMK_ERROR_NO_DEVICE = 14,           /* an operation needs a device and the context has none, or
                                          no usable GPU: no GPU driver (/dev/kfd missing), the
                                          runtime reports no GPU, or device_index names none */
  ASMK_ERROR_BACKEND = 15,             /* the backend failed (allocation, copy, launch) */
  ASMK_ERROR_OUT_OF_MEMORY = 16,
  ASMK_ERROR_INTERNAL = 17,            /* a bug in libasmk; the message says where */
  ASMK_ERROR_KERNEL_FAULT = 18,        /* the kernel faulted (e.g. an access outside every buffer) or,
                                          in the emulator's strict mode, broke a rule the hardware
                                          does not forgive; the message names kernel, workgroup,
                                          wave, lane, PC, address and instruction. Outputs may have
                                          been partly written. Also a launch past the
                                          context's instruction or time budget (see
                                          asmk_open_options). */
  ASMK_ERROR_CANCELLED = 19,           /* asmk_cancel stopped the launch; outputs may have been
                                          partly written */
  ASMK_STATUS_FORCE_INT32_ = 0x7fffffff
} asmk_status;

/* The status' name, e.g. "ASMK_ERROR_UNKNOWN_KERNEL". Never null. */
ASMK_API const char* asmk_status_string(asmk_status status);

/* The message of the last asmk_* call on this thread ("" if it succeeded). Never null. */
ASMK_API const char* asmk_last_error(void);

/* The library's version as "major.minor.patch" (compare with the ASMK_VERSION_* macros). */
ASMK_API const char* asmk_version_string(void);

/* ------------------------------------------------------------------------------------------ */
/* Sized structs                                                                              */
/*                                                                                            */
/* Every struct a caller passes in or gets filled (asmk_open_options, asmk_selection and the  */
/* typed ops' *_args) starts with `struct_size`: set it to sizeof the struct as your asmk.h   */
/* declares it — ASMK_INIT(type) does, asmk_open_options_init too. The library reads and      */
/* writes only the bytes that size covers: a caller built against an older asmk.h (a shorter  */
/* struct) keeps working, fields it does not know taking their defaults (0 unless the field   */
/* says otherwise). 0, a size below the struct's first layout, or one beyond this library's   */
/* is ASMK_ERROR_INVALID_ARGUMENT naming the struct and the sizes it knows; nothing is done.  */
/* asmk_selection.launch_count may exceed the slots of an older struct: read at most your     */
/* ASMK_MAX_LAUNCHES (0.1's asmk.h had 8 slots, this one 16; the library writes the slots     */
/* your struct_size covers and counts every launch).                                          */

#ifdef __cplusplus /* value-initialized, then sized: no -Wmissing-field-initializers */
#define ASMK_INIT(type) ([] { type v_{}; v_.struct_size = sizeof(type); return v_; }())
#else
#define ASMK_INIT(type) {.struct_size = sizeof(type)}
#endif

/* ------------------------------------------------------------------------------------------ */
/* Context                                                                                    */

typedef struct asmk_context asmk_context;
typedef struct asmk_stream_opaque* asmk_stream; /* backend stream/queue; NULL = default */

typedef struct asmk_open_options {
  size_t struct_size; /* sizeof(asmk_open_options): asmk_open_options_init sets it */
  /* Device by name ("MI300X", "MI325X", "MI308X", "MI350X", "MI355X"), or NULL. */
  const char* device;
  /* Or device by arch ("gfx942", "gfx950") and compute-unit count; used when device is NULL
     and arch is not NULL. With neither, the context has no device: it can list and describe
     kernels, but selecting and launching return ASMK_ERROR_NO_DEVICE. */
  const char* arch;
  uint32_t compute_units;
  /* Backend by name:
       "emu"    the CDNA emulator on the CPU (the default);
       "hip"    an AMD GPU through the HIP runtime (libamdhip64, opened at run time, the copy the
                process already loaded first; ASMK_HIP_LIBRARY names another file): launches go on
                the caller's hipStream_t (the asmk_stream value; NULL = the null stream), so they
                order with a framework's work and HIP graph capture records them. Use it inside
                PyTorch / vLLM / SGLang;
       "hsa"    an AMD GPU through the HSA runtime (libhsa-runtime64.so.1; ASMK_HSA_LIBRARY names
                another file), asmk's own AQL queue per stream: for standalone programs;
       "auto"   hip when libamdhip64 loads and has a device of an arch the repository holds, else
                hsa, else emu — asmk_backend_note says why it fell back;
       "record" records launches, runs nothing.
     With hip and hsa the device is the GPU's (see device_index). NULL or "": the ASMK_BACKEND
     environment variable (unset or "": "emu"). Opening hip or hsa on a machine without a GPU
     driver fails with ASMK_ERROR_NO_DEVICE ("no GPU driver: /dev/kfd is missing ...").
     The emulator reads these environment variables
     when the context opens: ASMK_EMU_STRICT=1 turns on strict mode (a register read before its
     load was waited for, a missing wait state, LDS beyond the allocation, a misaligned access
     fail the launch with ASMK_ERROR_KERNEL_FAULT); ASMK_EMU_THREADS=N sets the host threads per
     launch (0 or unset: every core); ASMK_EMU_WAVE_QUANTUM=N the instructions per wave turn (0: one
     wave at a time until a barrier; unset: the emulator's default). */
  const char* backend;
  /* Nonzero: check each code object's sha256 against the manifest when a kernel is first used. */
  int verify_sha256;
  /* The GPU (hip, hsa): -1 (asmk_open_options_init's default) = the ASMK_DEVICE environment
     variable when set, else the current device (hip: hipGetDevice of the opening thread; hsa: the
     first GPU agent of an arch the repository holds — of the named device's arch when one is
     named); i >= 0 = HIP device ordinal i / the i-th GPU agent, which must have an arch the
     repository holds. An index past the last GPU is ASMK_ERROR_NO_DEVICE naming how many exist.
     Ignored by emu and record. NOTE: appended in 0.1; a caller that fills the struct without
     asmk_open_options_init gets 0 here (the first GPU), not the current device. */
  int device_index;
  /* Bounds on each launch on the emulator (appended after 0.1; 0 = none, or the environment's
     ASMK_EMU_MAX_INSTRUCTIONS / ASMK_EMU_TIMEOUT_MS): a launch that runs more wave-instructions
     or longer than this fails with ASMK_ERROR_KERNEL_FAULT naming the workgroup, wave and PC where
     it stopped. Ignored by hip, hsa (a GPU kernel cannot be stopped midway: their waits are bounded
     by ASMK_HSA_TIMEOUT_MS) and record. */
  uint64_t max_launch_instructions;
  uint64_t launch_timeout_ms;
} asmk_open_options;

/* Fills *options with the defaults (struct_size, no device, backend "emu", no sha256 check,
   device_index -1). */
ASMK_API void asmk_open_options_init(asmk_open_options* options);

/* Opens the repository folder (the one holding `<arch>/manifest.json`; NULL = the default
   repository, see asmk_default_repository). options may be NULL (defaults). On success *context
   receives a new context. */
ASMK_API asmk_status asmk_open(const char* repository_dir, const asmk_open_options* options,
                               asmk_context** context);

/* The repository asmk_open uses for NULL: $ASMK_REPO when set and not empty, else the kernels
   installed with this libasmk (<prefix>/share/asmk next to <prefix>/lib/libasmk.so, found from
   the library's own location, so an installed tree can be moved; in a build tree, build/share/asmk
   mirrors the source tree's hsaco/), else NULL. Valid until the calling thread's next call. */
ASMK_API const char* asmk_default_repository(void);

/* Closes a context (NULL is fine); releases everything it returned. */
ASMK_API void asmk_close(asmk_context* context);

/* Stops every launch of the context that is running now, called from any thread: on "emu" each
   stops within a wave turn and returns ASMK_ERROR_CANCELLED (naming the workgroup, wave and PC
   where it stopped); launches started after this call run normally. "record" has nothing to stop.
   "hip" and "hsa" return ASMK_ERROR_BACKEND: a kernel running on a GPU cannot be stopped.
   A context is safe to use from several threads: while one thread's launch runs on the emulator,
   other threads may allocate, copy, select and launch (memory a running kernel uses must not be
   freed or overwritten meanwhile, as on a GPU). */
ASMK_API asmk_status asmk_cancel(asmk_context* context);

typedef struct asmk_device_info {
  const char* name;        /* "MI300X", or "gfx942 (80 CUs)" for a device given by arch */
  const char* arch;        /* "gfx942" */
  uint32_t compute_units;
  uint32_t lds_bytes_per_cu;
  uint32_t wavefront_size; /* 64 */
  const char* fp8_format;  /* "e4m3fnuz" (gfx942) or "e4m3fn" (gfx950) */
} asmk_device_info;

ASMK_API asmk_status asmk_device_get(const asmk_context* context, asmk_device_info* out);

/* The arches the repository holds, in order ("gfx942", "gfx950"). */
ASMK_API asmk_status asmk_arch_count(const asmk_context* context, size_t* count);
ASMK_API asmk_status asmk_arch_at(const asmk_context* context, size_t index, const char** arch);

/* The backend's name ("emu", "hip", "hsa", "record"). */
ASMK_API asmk_status asmk_backend_name(const asmk_context* context, const char** name);

/* Why the context has the backend it has, when that is not simply the one asked for: with "auto",
   the GPU backends tried and why each was not used, e.g. "fell back to emu: hip: libamdhip64.so
   cannot be loaded (...); hsa: no GPU driver: /dev/kfd is missing (...)", or "auto chose hip
   (device 0: gfx942, 304 CUs)". "" when the backend was named. Valid until the context is closed. */
ASMK_API asmk_status asmk_backend_note(const asmk_context* context, const char** note);

/* ------------------------------------------------------------------------------------------ */
/* Kernels in the repository                                                                  */

typedef struct asmk_kernel asmk_kernel; /* owned by the context */

typedef struct asmk_kernel_resources {
  uint32_t vgpr, agpr, accum_offset, sgpr;
  uint32_t lds_bytes, scratch_bytes, kernarg_bytes, wavefront_size;
} asmk_kernel_resources;

typedef struct asmk_kernel_info {
  const char* name;
  const char* family;
  const char* arch;
  const char* symbol;
  const char* code_object;  /* full path of the .co (may not exist: checked when used) */
  const char* sha256;       /* hex, or "" */
  uint32_t workgroup_size[3];
  asmk_kernel_resources resources;
  size_t param_count;
  size_t kernarg_count;
} asmk_kernel_info;

typedef enum asmk_param_type {
  ASMK_PARAM_STRING = 0,
  ASMK_PARAM_INT = 1,
  ASMK_PARAM_BOOL = 2,
  ASMK_PARAM_FORCE_INT32_ = 0x7fffffff
} asmk_param_type;

/* One kernel parameter (an axis value of the family's space), e.g. {"n_per_wg", INT, 1024}. */
typedef struct asmk_param {
  const char* name;
  asmk_param_type type;
  const char* string_value; /* ASMK_PARAM_STRING */
  int64_t int_value;        /* ASMK_PARAM_INT, and 0/1 for ASMK_PARAM_BOOL */
} asmk_param;

/* One entry of a kernel's argument layout, as in the manifest. */
typedef struct asmk_kernarg_info {
  const char* name;
  uint32_t offset;
  uint32_t size;
  const char* kind; /* "global_buffer", "by_value", "hidden_*" */
  const char* type; /* "const bf16*", "u32", ... ("" for hidden arguments without one) */
} asmk_kernarg_info;

ASMK_API asmk_status asmk_kernel_count(const asmk_context* context, size_t* count);
ASMK_API asmk_status asmk_kernel_at(const asmk_context* context, size_t index,
                                    const asmk_kernel** kernel);
/* By exact name (any arch the repository holds). */
ASMK_API asmk_status asmk_find_kernel(const asmk_context* context, const char* name,
                                      const asmk_kernel** kernel);
/* By family and parameters on `arch` (NULL = the device's arch): every given parameter must
   match; the kernel must be the only one that matches. */
ASMK_API asmk_status asmk_find_kernel_by_params(const asmk_context* context, const char* family,
                                                const char* arch, const asmk_param* params,
                                                size_t param_count, const asmk_kernel** kernel);

ASMK_API asmk_status asmk_kernel_get_info(const asmk_kernel* kernel, asmk_kernel_info* out);
ASMK_API asmk_status asmk_kernel_param_at(const asmk_kernel* kernel, size_t index,
                                          asmk_param* out);
ASMK_API asmk_status asmk_kernel_kernarg_at(const asmk_kernel* kernel, size_t index,
                                            asmk_kernarg_info* out);

/* ------------------------------------------------------------------------------------------ */
/* Memory (through the context's backend)                                                     */
/* On "emu", asmk_malloc returns an address in the emulator's device memory: like a GPU       */
/* pointer it is not dereferenceable on the host; copy with asmk_memcpy. "record" uses host    */
/* memory.                                                                                    */

typedef enum asmk_copy_kind {
  ASMK_COPY_HOST_TO_DEVICE = 0,
  ASMK_COPY_DEVICE_TO_HOST = 1,
  ASMK_COPY_DEVICE_TO_DEVICE = 2,
  ASMK_COPY_FORCE_INT32_ = 0x7fffffff
} asmk_copy_kind;

ASMK_API asmk_status asmk_malloc(asmk_context* context, size_t bytes, void** pointer);
ASMK_API asmk_status asmk_free(asmk_context* context, void* pointer);
ASMK_API asmk_status asmk_memcpy(asmk_context* context, void* destination, const void* source,
                                 size_t bytes, asmk_copy_kind kind);
/* Waits until everything queued on the stream has finished. A stream is an in-order queue;
   "emu" runs each launch before returning, so its errors come from the launch itself. */
ASMK_API asmk_status asmk_synchronize(asmk_context* context, asmk_stream stream);

/* On "hip" a stream is the caller's hipStream_t (cast to asmk_stream; NULL = the null stream):
   launches are enqueued on it and return at once, in order with the framework's work on that
   stream, and recorded when the stream is being captured into a HIP graph (a replay of the graph
   runs them again, with the kernel arguments of the captured call). asmk_synchronize is
   hipStreamSynchronize; asmk_memcpy first waits for the device (hipDeviceSynchronize) and asmk_free
   is hipFree (which waits too).
   Device memory the framework allocated (hipMalloc, a tensor's data_ptr) is used as is.
   On "hsa" each distinct stream value (any pointer; NULL is the default stream) is its own AQL
   queue, created at its first launch; a launch returns once the packet is queued and its errors
   (a kernel fault) come from the next asmk_synchronize or launch on that stream. asmk_memcpy and
   asmk_free first wait for every stream. Waits are bounded by ASMK_HSA_TIMEOUT_MS (ms, default
   120000): past it they return ASMK_ERROR_BACKEND. */

/* The device time of the last kernel of `stream` that asmk_synchronize waited for, in nanoseconds
   (the dispatch's start and end timestamps), for perf sweeps. Needs backend "hsa" opened with
   ASMK_HSA_PROFILE=1; otherwise ASMK_ERROR_BACKEND says what is missing. */
ASMK_API asmk_status asmk_last_kernel_time(asmk_context* context, asmk_stream stream, uint64_t* nanoseconds);

/* What the backend found, in lines of text: for "hsa" the runtime library, each GPU agent (ISA with
   feature suffixes, compute units, memory pools), the host kernarg pool and the agent this context
   uses. Valid until the context is closed. */
ASMK_API asmk_status asmk_backend_describe(const asmk_context* context, const char** text);

/* Makes caller-owned host memory [host, host + bytes) usable by kernels and asmk_memcpy (e.g. a
   framework's tensor). *device_pointer receives the pointer to pass to kernels for it (on "emu"
   an address in the emulator's device memory; on "record" host itself). The memory must stay
   valid until asmk_unregister_host(context, host); asmk_free refuses a registered pointer. */
ASMK_API asmk_status asmk_register_host(asmk_context* context, void* host, size_t bytes, void** device_pointer);
ASMK_API asmk_status asmk_unregister_host(asmk_context* context, void* host);

/* ------------------------------------------------------------------------------------------ */
/* Launching any kernel with arguments given by name                                          */

typedef struct asmk_dim3 {
  uint32_t x, y, z;
} asmk_dim3;

typedef enum asmk_value_type {
  ASMK_VALUE_POINTER = 0, /* for kernarg types ending in '*' */
  ASMK_VALUE_U32 = 1,
  ASMK_VALUE_I32 = 2,
  ASMK_VALUE_U64 = 3,
  ASMK_VALUE_I64 = 4,
  ASMK_VALUE_F32 = 5,
  ASMK_VALUE_STRING = 6,  /* op arguments only (asmk_op_arg): a choice such as "bf16" */
  ASMK_VALUE_FORCE_INT32_ = 0x7fffffff
} asmk_value_type;

/* A value of one of the asmk_value_type kinds (string: op arguments only). */
typedef union asmk_value {
  const void* pointer;
  uint32_t u32;
  int32_t i32;
  uint64_t u64;
  int64_t i64;
  float f32;
  const char* string;
} asmk_value;

/* A named kernel argument. The type must equal the manifest's declared type; hidden
   arguments (kind hidden_*) are filled by libasmk and must not be given. */
typedef struct asmk_kernarg_value {
  const char* name;
  asmk_value_type type;
  asmk_value value;
} asmk_kernarg_value;

/* Launches the kernel `name` (which must be for the device's arch) with grid (workgroups),
   block (work-items) and every non-hidden argument given exactly once, by name. */
ASMK_API asmk_status asmk_launch_kernel(asmk_context* context, const char* name, asmk_dim3 grid,
                                        asmk_dim3 block, const asmk_kernarg_value* args,
                                        size_t arg_count, asmk_stream stream);

/* The grid and block the ops use for kernel `name`: its manifest launch rule (docs/contracts.md)
   evaluated with the integer arguments among `args` (pointers and floats are ignored).
   ASMK_ERROR_BAD_REPOSITORY when the kernel has no launch rule or the rule reads an argument not
   given; ASMK_ERROR_UNSUPPORTED_SHAPE when a dimension falls outside 1 .. 2^32 - 1. */
ASMK_API asmk_status asmk_kernel_launch_dims(const asmk_context* context, const char* name,
                                             const asmk_kernarg_value* args, size_t arg_count,
                                             asmk_dim3* grid, asmk_dim3* block);

/* ------------------------------------------------------------------------------------------ */
/* Ops                                                                                        */

typedef enum asmk_dtype {
  ASMK_DTYPE_BF16 = 0,
  ASMK_DTYPE_FP16 = 1,
  ASMK_DTYPE_FP32 = 2,
  ASMK_DTYPE_FP8 = 3, /* the device's fp8 (e4m3fnuz on gfx942, e4m3fn on gfx950) */
  ASMK_DTYPE_INT8 = 4,
  ASMK_DTYPE_FP4 = 5, /* OCP e2m1, two per byte (element 2j in the low nibble of byte j) */
  ASMK_DTYPE_INT4 = 6, /* two's-complement int4, two per byte (element 2j in the low nibble of byte j) */
  ASMK_DTYPE_FORCE_INT32_ = 0x7fffffff
} asmk_dtype;

/* The name used in manifests ("bf16", "fp16", "fp32", "fp8"), or NULL for an unknown value. */
ASMK_API const char* asmk_dtype_name(asmk_dtype dtype);

/* One launch of an op's plan: the kernel and its grid and block. */
typedef struct asmk_launch_info {
  const asmk_kernel* kernel;
  const char* kernel_name;
  asmk_dim3 grid;  /* workgroups */
  asmk_dim3 block; /* work-items */
} asmk_launch_info;

/* The slots of asmk_selection.launches: 8 in 0.1, 16 since (a plan of 9 or more launches is reported
   whole to a struct of this size, its first 8 to a 0.1 struct; launch_count counts them all). */
#define ASMK_MAX_LAUNCHES 16

/* The result of a selector: which kernel, how to launch it, and why. */
typedef struct asmk_selection {
  size_t struct_size; /* set by the caller: sizeof(asmk_selection) (ASMK_INIT); kept as given */
  const asmk_kernel* kernel;
  const char* kernel_name;
  asmk_dim3 grid;  /* workgroups */
  asmk_dim3 block; /* work-items */
  char reason[512];
  /* GEMMs: the split-K factor (1 = none; grid.z), the bytes of fp32 workspace it needs (0 when
     k_splits == 1) and the kernel that reduces the partials into C (NULL / "" when none). Other
     ops: 1, 0, NULL, "". */
  uint32_t k_splits;
  size_t workspace_bytes;
  const asmk_kernel* reduce_kernel;
  const char* reduce_kernel_name;
  /* Every candidate the selector considered, one per line: the chosen one first (marked "*"),
     then the other eligible ones with their estimates, then the rejected ones ("x") with why.
     Valid until the next selector or op call on this thread. Never NULL ("" for ops without). */
  const char* explain;
  /* Every launch the op makes, in order (launches[0] is kernel/grid/block above; a split-K GEMM
     then has the reduce; a pipeline op one per stage launch): launch_count of them, at most
     ASMK_MAX_LAUNCHES; a struct with fewer slots (an older asmk.h) gets as many as its
     struct_size covers, launch_count still counting all. */
  size_t launch_count;
  asmk_launch_info launches[ASMK_MAX_LAUNCHES];
} asmk_selection;

/* ------------------------------------------------------------------------------------------ */
/* Ops by name                                                                                */
/*                                                                                            */
/* Every op is declared once by an op spec (templates/<family>/op.yaml, copied into the       */
/* manifests; docs/op-spec.md): its sizes, strides, choices, scalars and tensors. An op can be */
/* described, selected and run by name with named arguments; the typed functions below       */
/* (asmk_quant_fp8, asmk_gemm_*, ...) are the same calls with a C struct.                     */
/*  - sizes (ASMK_VALUE_U32, required, >= 1);                                                 */
/*  - strides (ASMK_VALUE_U32, elements of the tensor's dtype — bytes for sub-byte dtypes;    */
/*    absent or 0 = packed);                                                                  */
/*  - choices (ASMK_VALUE_STRING: dtypes, layouts; absent = the default);                     */
/*  - scalars (ASMK_VALUE_U32, _I32 or _F32 as declared; absent = the default, when it has one);*/
/*  - tensors (ASMK_VALUE_POINTER with `bytes`, the buffer's size for bounds checking, 0 = not */
/*    known; optional tensors may be absent or null; a `workspace` tensor is scratch whose     */
/*    size the selection reports in asmk_selection.workspace_bytes).                          */
/* An unknown name, a repeated one or a wrong type is ASMK_ERROR_INVALID_ARGUMENT naming the  */
/* op's arguments.                                                                            */

typedef struct asmk_op_arg {
  const char* name;
  asmk_value_type type;
  asmk_value value;
  size_t bytes; /* tensors: the buffer's size in bytes (0 = not known) */
} asmk_op_arg;

typedef enum asmk_op_arg_kind {
  ASMK_OP_ARG_SIZE = 0,
  ASMK_OP_ARG_STRIDE = 1,
  ASMK_OP_ARG_CHOICE = 2,
  ASMK_OP_ARG_SCALAR = 3,
  ASMK_OP_ARG_TENSOR = 4,
  ASMK_OP_ARG_KIND_FORCE_INT32_ = 0x7fffffff
} asmk_op_arg_kind;

typedef struct asmk_op_info {
  const char* name;
  const char* doc;
  const char* family; /* the kernel family it selects from */
  size_t arg_count;   /* its arguments, for asmk_op_arg_at */
  size_t demo_count;  /* its demo problems, for asmk_op_demo_at */
} asmk_op_info;

typedef struct asmk_op_arg_info {
  const char* name;
  asmk_op_arg_kind kind;
  asmk_value_type type;      /* what asmk_op_arg.type must be */
  const char* doc;           /* "" when none */
  const char* values;        /* choices: "bf16,f32"; "" otherwise */
  const char* default_value; /* choices and scalars: the default as text; "" otherwise (and for a
                                scalar without default, which the call must give) */
  const char* dtype;         /* tensors: a dtype name, or the choice that gives it; "" otherwise */
  const char* of_tensor;     /* strides: the tensor it belongs to; "" otherwise */
  int output;                /* tensors the op writes */
  int optional;              /* tensors that may be null */
  int workspace;             /* scratch sized by the selection */
} asmk_op_arg_info;

#define ASMK_OP_MAX_RANK 8

/* A tensor of a call as the op sees it: dtype resolved, extents and strides evaluated. */
typedef struct asmk_op_tensor_info {
  const char* name;
  const char* dtype;   /* "bf16", "fp8", "fp4", "e8m0", "f32", ... */
  uint32_t bits;       /* per element */
  uint32_t rank;
  uint64_t shape[ASMK_OP_MAX_RANK];
  uint64_t strides[ASMK_OP_MAX_RANK]; /* rank - 1 of them (the last dimension is contiguous);
                                         elements, bytes for sub-byte dtypes */
  uint64_t bytes;      /* the extent the kernels may touch (0 for a workspace: see the selection) */
  int output, optional, workspace;
} asmk_op_tensor_info;

/* The ops the repository declares (sorted by name). */
ASMK_API asmk_status asmk_op_count(const asmk_context* context, size_t* count);
ASMK_API asmk_status asmk_op_at(const asmk_context* context, size_t index, const char** name);
ASMK_API asmk_status asmk_op_get_info(const asmk_context* context, const char* op, asmk_op_info* out);
/* Arguments in order: sizes, choices, scalars, then each tensor after its strides. */
ASMK_API asmk_status asmk_op_arg_at(const asmk_context* context, const char* op, size_t index,
                                    asmk_op_arg_info* out);
/* A demo problem of the op (what `asmk demo` checks): "m=17 n=512 k=1024 in_dtype=int8 bias" —
   name=value for sizes, strides, choices and scalars; a bare name gives that optional tensor. */
ASMK_API asmk_status asmk_op_demo_at(const asmk_context* context, const char* op, size_t index,
                                     const char** problem);
/* The call's tensors in the op's order (index < the number of ASMK_OP_ARG_TENSOR arguments);
   the arguments are checked as for asmk_select_op; pointers are not needed. */
ASMK_API asmk_status asmk_op_tensor_at(const asmk_context* context, const char* op, const asmk_op_arg* args,
                                       size_t arg_count, size_t index, asmk_op_tensor_info* out);
/* Chooses the plan for the call on the context's device (pointers optional). */
ASMK_API asmk_status asmk_select_op(const asmk_context* context, const char* op, const asmk_op_arg* args,
                                    size_t arg_count, asmk_selection* out);
/* Validates, selects, checks every buffer and launches; out_selection may be NULL. */
ASMK_API asmk_status asmk_run_op(asmk_context* context, const char* op, const asmk_op_arg* args,
                                 size_t arg_count, asmk_stream stream, asmk_selection* out_selection);

/* quant_fp8: dynamic FP8 quantization of x [m, n] (bf16/fp16) into y [m, n] (the device's
   fp8) and fp32 scales: one per row (scale [m]) or one per 1x128 group (scale [m, n/128]).
   n must be a multiple of 128, m >= 1. Strides are in elements; 0 means n (contiguous).
   The *_bytes fields give each buffer's size for bounds checking (0 = not known; the backend
   still checks buffers it allocated itself). */
typedef enum asmk_quant_granularity {
  ASMK_QUANT_ROW = 0,
  ASMK_QUANT_GROUP = 1, /* 1x128 groups */
  ASMK_QUANT_FORCE_INT32_ = 0x7fffffff
} asmk_quant_granularity;

typedef struct asmk_quant_fp8_args {
  size_t struct_size; /* sizeof(asmk_quant_fp8_args): ASMK_INIT(asmk_quant_fp8_args) */
  uint32_t m, n;
  asmk_dtype in_dtype;
  asmk_quant_granularity granularity;
  uint32_t stride_x, stride_y;
  const void* x;
  void* y;
  float* scale;
  size_t x_bytes, y_bytes, scale_bytes;
} asmk_quant_fp8_args;

/* Chooses the kernel, grid and block for the problem on the context's device (pointers are
   not needed). */
ASMK_API asmk_status asmk_select_quant_fp8(const asmk_context* context,
                                           const asmk_quant_fp8_args* args, asmk_selection* out);

/* Validates, selects, packs and launches; out_selection may be NULL. */
ASMK_API asmk_status asmk_quant_fp8(asmk_context* context, const asmk_quant_fp8_args* args,
                                    asmk_stream stream, asmk_selection* out_selection);

/* ------------------------------------------------------------------------------------------ */
/* GEMMs: C [m, n] = A [m, k] · B [n, k]^T ("NT": both operands K-contiguous)                  */
/*                                                                                            */
/* Common rules of the asmk_gemm_* functions:                                                 */
/*  - Strides are row strides in elements of the tensor's type (bytes for 8-bit types and    */
/*    for packed fp4, whose rows are k / 2 bytes); 0 means the packed row (k elements of A    */
/*    and B, n of C). Scale tensors as stated per family.                                     */
/*  - Each *_bytes field is the size of that buffer for bounds checking (0 = not known; the   */
/*    backend still checks buffers it allocated itself). Nothing is launched or written when  */
/*    any check fails.                                                                        */
/*  - The selector picks the kernel (tile) and the split-K factor: a tuned-table row for the  */
/*    exact problem (<repository>/tuned/<arch>-<CUs>.csv) when it is valid, otherwise the     */
/*    least estimated time (loader/src/ops/gemm_cost.hpp). The manifest's per-kernel          */
/*    `requires` rules (K, N multiples, alignment) decide which kernels are eligible.          */
/*  - Split-K (k_splits > 1: fp32 partials in a caller-provided workspace, then a reduce      */
/*    kernel) is only considered when workspace_bytes is at least the partials' size,         */
/*    k_splits * m * n * 4 bytes. To let the selector choose freely, call asmk_select_* with   */
/*    workspace_bytes = SIZE_MAX: out->workspace_bytes is what the chosen plan needs (0 when   */
/*    none); allocate it and pass it to the op with that size, which then makes the same      */
/*    choice. workspace = NULL with workspace_bytes = 0 never splits K. The workspace must     */
/*    stay untouched until the launch has finished (asmk_synchronize).                        */
/*  - k_splits: 0 lets the selector choose; 1, 2, 4 or 8 forces that factor.                  */

typedef enum asmk_b_layout {
  ASMK_B_ROW = 0,      /* B [n, k] row-major (K-contiguous) */
  ASMK_B_SHUFFLED = 1, /* B as asmk_shuffle_b wrote it (64x64-byte blocks; dense: stride_b 0 or k) */
  ASMK_B_LAYOUT_FORCE_INT32_ = 0x7fffffff
} asmk_b_layout;

/* gemm_bf16: A, B bf16; C bf16 or fp32 (out_dtype ASMK_DTYPE_BF16 or ASMK_DTYPE_FP32). */
typedef struct asmk_gemm_bf16_args {
  size_t struct_size; /* sizeof(asmk_gemm_bf16_args): ASMK_INIT(asmk_gemm_bf16_args) */
  uint32_t m, n, k;
  asmk_dtype out_dtype;
  uint32_t stride_a, stride_b; /* elements; 0 = k */
  uint32_t stride_c;           /* elements; 0 = n */
  uint32_t k_splits;           /* 0 = choose */
  const void* a;
  const void* b;
  void* c;
  size_t a_bytes, b_bytes, c_bytes;
  void* workspace;
  size_t workspace_bytes;
} asmk_gemm_bf16_args;

/* gemm_a8w8: per-token x per-channel scaled 8-bit GEMM,
   C = (A · B^T) · scale_a[m] · scale_b[n] + bias[n]; A and B fp8 (the device's format) or int8
   (in_dtype), C bf16 or fp16 (out_dtype); bias may be NULL. B row-major or shuffled (b_layout). */
typedef struct asmk_gemm_a8w8_args {
  size_t struct_size; /* sizeof(asmk_gemm_a8w8_args): ASMK_INIT(asmk_gemm_a8w8_args) */
  uint32_t m, n, k;
  asmk_dtype in_dtype;
  asmk_dtype out_dtype;
  asmk_b_layout b_layout;
  uint32_t stride_a, stride_b; /* bytes; 0 = k */
  uint32_t stride_c;           /* elements; 0 = n */
  uint32_t k_splits;           /* 0 = choose */
  const void* a;
  const void* b;
  void* c;
  const float* scale_a; /* [m] */
  const float* scale_b; /* [n] */
  const float* bias;    /* [n] or NULL */
  size_t a_bytes, b_bytes, c_bytes, scale_a_bytes, scale_b_bytes, bias_bytes;
  void* workspace;
  size_t workspace_bytes;
} asmk_gemm_a8w8_args;

/* gemm_a8w8_blockscale: fp8 A and B with fp32 block scales, bf16 C:
   C[m][n] = sum over K blocks kb of scale_a[m][kb] · scale_b[n / 128][kb] · (A · B^T over kb),
   scale_a [m, ceil(k / 128)] (row stride stride_scale_a elements; 0 = ceil(k / 128)),
   scale_b [ceil(n / 128), ceil(k / 128)] row-major. */
typedef struct asmk_gemm_a8w8_blockscale_args {
  size_t struct_size; /* sizeof(asmk_gemm_a8w8_blockscale_args): ASMK_INIT(asmk_gemm_a8w8_blockscale_args) */
  uint32_t m, n, k;
  asmk_dtype in_dtype;         /* ASMK_DTYPE_FP8 */
  asmk_dtype out_dtype;        /* ASMK_DTYPE_BF16 */
  uint32_t stride_a, stride_b; /* bytes; 0 = k */
  uint32_t stride_c;           /* elements; 0 = n */
  uint32_t stride_scale_a;     /* elements; 0 = ceil(k / 128) */
  const void* a;
  const void* b;
  void* c;
  const float* scale_a;
  const float* scale_b;
  size_t a_bytes, b_bytes, c_bytes, scale_a_bytes, scale_b_bytes;
  uint32_t k_splits;           /* 0 = choose; split-K as for asmk_gemm_a8w8 */
  void* workspace;             /* split-K partials (f32); NULL = never split */
  size_t workspace_bytes;
} asmk_gemm_a8w8_blockscale_args;

/* gemm_a4w4 (gfx950): MXFP4 A and B (ASMK_DTYPE_FP4, two per byte) with one e8m0 scale per 32
   elements of K, bf16 C: scale_a [m, k / 32] bytes (row stride stride_scale_a; 0 = k / 32),
   scale_b [n, k / 32] (stride_scale_b; 0 = k / 32). Produce A with asmk_quant_mxfp4. */
typedef struct asmk_gemm_a4w4_args {
  size_t struct_size; /* sizeof(asmk_gemm_a4w4_args): ASMK_INIT(asmk_gemm_a4w4_args) */
  uint32_t m, n, k;
  asmk_dtype out_dtype;                /* ASMK_DTYPE_BF16 */
  uint32_t stride_a, stride_b;         /* bytes; 0 = k / 2 */
  uint32_t stride_c;                   /* elements; 0 = n */
  uint32_t stride_scale_a, stride_scale_b; /* bytes; 0 = k / 32 */
  const void* a;
  const void* b;
  void* c;
  const uint8_t* scale_a;
  const uint8_t* scale_b;
  size_t a_bytes, b_bytes, c_bytes, scale_a_bytes, scale_b_bytes;
  uint32_t k_splits;                   /* 0 = choose; split-K as for asmk_gemm_a8w8 */
  void* workspace;                     /* split-K partials (f32); NULL = never split */
  size_t workspace_bytes;
} asmk_gemm_a4w4_args;

/* Each asmk_select_gemm_* chooses the kernel, grid, block and split-K factor for the problem on
   the context's device (pointers are not needed; given ones are checked for alignment) and fills
   *out. Each asmk_gemm_* validates everything, selects, and launches the GEMM (and, with
   split-K, the reduce kernel) on the stream; out_selection may be NULL. */
ASMK_API asmk_status asmk_select_gemm_bf16(const asmk_context* context, const asmk_gemm_bf16_args* args,
                                           asmk_selection* out);
ASMK_API asmk_status asmk_gemm_bf16(asmk_context* context, const asmk_gemm_bf16_args* args,
                                    asmk_stream stream, asmk_selection* out_selection);
ASMK_API asmk_status asmk_select_gemm_a8w8(const asmk_context* context, const asmk_gemm_a8w8_args* args,
                                           asmk_selection* out);
ASMK_API asmk_status asmk_gemm_a8w8(asmk_context* context, const asmk_gemm_a8w8_args* args,
                                    asmk_stream stream, asmk_selection* out_selection);
ASMK_API asmk_status asmk_select_gemm_a8w8_blockscale(const asmk_context* context,
                                                      const asmk_gemm_a8w8_blockscale_args* args,
                                                      asmk_selection* out);
ASMK_API asmk_status asmk_gemm_a8w8_blockscale(asmk_context* context,
                                               const asmk_gemm_a8w8_blockscale_args* args,
                                               asmk_stream stream, asmk_selection* out_selection);
ASMK_API asmk_status asmk_select_gemm_a4w4(const asmk_context* context, const asmk_gemm_a4w4_args* args,
                                           asmk_selection* out);
ASMK_API asmk_status asmk_gemm_a4w4(asmk_context* context, const asmk_gemm_a4w4_args* args,
                                    asmk_stream stream, asmk_selection* out_selection);

/* shuffle_b: rewrites an 8-bit B [n, k] (row stride stride_src bytes; 0 = k) into the shuffled
   layout gemm_a8w8 reads with b_layout = ASMK_B_SHUFFLED: dst holds n * k bytes. */
typedef struct asmk_shuffle_b_args {
  size_t struct_size; /* sizeof(asmk_shuffle_b_args): ASMK_INIT(asmk_shuffle_b_args) */
  uint32_t n, k;
  uint32_t stride_src; /* bytes; 0 = k */
  const void* src;
  void* dst;
  size_t src_bytes, dst_bytes;
} asmk_shuffle_b_args;

ASMK_API asmk_status asmk_select_shuffle_b(const asmk_context* context, const asmk_shuffle_b_args* args,
                                           asmk_selection* out);
ASMK_API asmk_status asmk_shuffle_b(asmk_context* context, const asmk_shuffle_b_args* args,
                                    asmk_stream stream, asmk_selection* out_selection);

/* quant_mxfp4: OCP MX quantization of x [m, n] (bf16/fp16; row stride stride_x elements, 0 = n)
   into y [m, n / 2] bytes of packed e2m1 (row stride stride_y bytes, 0 = n / 2) and e8m0 scales
   [m, n / 32] (row stride stride_scale bytes, 0 = n / 32), one per 32 elements. n % 32 == 0. */
typedef struct asmk_quant_mxfp4_args {
  size_t struct_size; /* sizeof(asmk_quant_mxfp4_args): ASMK_INIT(asmk_quant_mxfp4_args) */
  uint32_t m, n;
  asmk_dtype in_dtype;
  uint32_t stride_x, stride_y, stride_scale;
  const void* x;
  void* y;
  uint8_t* scale;
  size_t x_bytes, y_bytes, scale_bytes;
} asmk_quant_mxfp4_args;

ASMK_API asmk_status asmk_select_quant_mxfp4(const asmk_context* context, const asmk_quant_mxfp4_args* args,
                                             asmk_selection* out);
ASMK_API asmk_status asmk_quant_mxfp4(asmk_context* context, const asmk_quant_mxfp4_args* args,
                                      asmk_stream stream, asmk_selection* out_selection);

/* MLA decode, persistent mode: the metadata (host code; templates/mla_decode/README.md, "Persistent mode").
   From the batch's lengths in host memory (the CSR form: kv_indptr and kv_last_page_len; the block-table form:
   seq_lens, kv_indptr NULL) the work list of a fixed grid of work_groups workgroups (compute units × the
   kernel's workgroups per CU) and the split count of every row: units (sequence, row block of wg_rows rows)
   are cut into pieces of at least 256 keys only when there are fewer units than workgroups, the pieces dealt
   to the workgroups longest first, each to the least loaded. Computed once per batch, copied to the device
   once, it serves every layer: asmk_mla_decode takes work, row_splits, work_groups, num_splits and wg_rows
   (asmk_mla_decode_args; the ops mla_decode_persistent / mla_decode_persistent_block_table). The sizes
   depend on the sizes only (asmk_mla_decode_metadata_size reads no lengths). */
typedef struct asmk_mla_metadata_args {
  size_t struct_size; /* sizeof(asmk_mla_metadata_args): ASMK_INIT(asmk_mla_metadata_args) */
  uint32_t batch, heads, max_qlen, total_q, page_size;
  uint32_t wg_rows;    /* rows per workgroup of the kernel that walks the list: 32 or 64 */
  uint32_t max_splits; /* the most pieces of one (sequence, row block); 0: 16 */
  uint32_t work_groups; /* the persistent grid; 0: the device's compute units × the kernel's workgroups per CU
                           (fewer: MLA beside other work on the device) */
  const int32_t* qo_indptr;        /* [batch + 1], host memory */
  const int32_t* kv_indptr;        /* CSR [batch + 1], host memory; NULL: seq_lens */
  const int32_t* kv_last_page_len; /* CSR [batch], host memory */
  const int32_t* seq_lens;         /* block-table form [batch], host memory */
} asmk_mla_metadata_args;

typedef struct asmk_mla_metadata_info {
  size_t struct_size;       /* sizeof(asmk_mla_metadata_info): ASMK_INIT(asmk_mla_metadata_info) */
  size_t work_bytes;        /* the work list: work_indptr [work_groups + 1], then items of 4 int32 */
  size_t row_splits_bytes;  /* [total_q, heads] int32: a row's pieces, 0 when its o is written directly */
  uint32_t work_groups;     /* the persistent grid */
  uint32_t work_items;      /* items written (0 from the size query) */
  uint32_t num_splits;      /* the most pieces of a row: the partials' stride; 1: no partials, no combine */
} asmk_mla_metadata_info;

ASMK_API asmk_status asmk_mla_decode_metadata_size(const asmk_context* context, const asmk_mla_metadata_args* args,
                                                   asmk_mla_metadata_info* out);
/* Checks the lengths first: a bad length or a buffer smaller than the size query's is a named error and
   nothing is written. work and row_splits are host memory. */
ASMK_API asmk_status asmk_mla_decode_metadata(const asmk_context* context, const asmk_mla_metadata_args* args,
                                              void* work, size_t work_bytes, int32_t* row_splits,
                                              size_t row_splits_bytes, asmk_mla_metadata_info* out);

/* ------------------------------------------------------------------------------------------ */
/* Attention and MoE: the typed forms of the pipeline ops fmha_fwd / fmha_fwd_varlen,          */
/* mla_decode / mla_decode_block_table and fused_moe / fused_moe_routed. Each field is the op   */
/* argument of the same name (templates/<family>/op*.yaml documents it; `asmk op <name>         */
/* --explain` prints it); the struct picks the op from the pointers it holds. As for the GEMMs, */
/* each *_bytes is that buffer's size for the bounds checks (0 = not known), strides are in     */
/* elements (0 = packed), and nothing is launched or written when a check fails. Fields that    */
/* ASMK_INIT leaves 0 mean the op's default where the comment says so.                          */

/* Which keys a query sees (query i of a sequence, key j; diag = i, or i + seqlen_k - seqlen_q
   when bottom-right aligned). */
typedef enum asmk_attention_mask {
  ASMK_MASK_NONE = 0,
  ASMK_MASK_CAUSAL = 1,              /* j <= i (top-left aligned) */
  ASMK_MASK_CAUSAL_BOTTOM_RIGHT = 2, /* j <= i + seqlen_k - seqlen_q (a KV prefix: extend, chunked prefill) */
  ASMK_MASK_WINDOW = 3,              /* flash-attention's window_size: diag - window_left <= j <= diag +
                                        window_right, bottom-right aligned; -1 = unbounded on that side */
  ASMK_MASK_FORCE_INT32_ = 0x7fffffff
} asmk_attention_mask;

/* fmha_fwd: o = softmax(scale · q·kᵀ, masked) · v per sequence and query head, optional natural-log
   LSE. Batch mode (cu_seqlens_q NULL): q [batch, seqlen_q, num_heads_q, head_dim_qk], k [batch,
   seqlen_k, num_heads_k, head_dim_qk], v [.., head_dim_v], o [batch, seqlen_q, num_heads_q,
   head_dim_v], lse [batch, num_heads_q, seqlen_q]. Varlen mode (cu_seqlens_q and cu_seqlens_k given,
   int32 [batch + 1] ascending from 0): tokens packed, q [total_q, num_heads_q, d], k / v [total_k,
   num_heads_k, d], lse [num_heads_q, total_q]; seqlen_q / seqlen_k are then the longest sequences
   and the batch strides are unused. GQA / MQA: num_heads_q a multiple of num_heads_k. A row with no
   visible key gives o = 0 and lse = -inf. With a workspace the op may split the keys of short
   queries (decode-like shapes; asmk_select_fmha_fwd with workspace_bytes = SIZE_MAX tells the size
   it would use); without one it never splits. */
typedef struct asmk_fmha_fwd_args {
  size_t struct_size; /* sizeof(asmk_fmha_fwd_args): ASMK_INIT(asmk_fmha_fwd_args) */
  uint32_t batch, seqlen_q, seqlen_k;
  uint32_t total_q, total_k;         /* varlen mode only */
  uint32_t num_heads_q, num_heads_k;
  uint32_t head_dim_qk, head_dim_v;  /* (64, 64), (128, 128), (192, 128) or (256, 256) */
  asmk_dtype dtype;                  /* q, k, v: BF16, FP16 or FP8 (the device's, with the descales) */
  asmk_dtype out_dtype;              /* o: the inputs' 16-bit type; BF16 for FP8 */
  asmk_attention_mask mask;
  int32_t window_left, window_right; /* ASMK_MASK_WINDOW only */
  float scale;                       /* softmax scale (> 0), usually 1 / sqrt(head_dim_qk) */
  float softcap;                     /* > 0: logits soft-cap, s = softcap · tanh(s / softcap); 0: none */
  float q_descale, k_descale, v_descale; /* FP8: value = code · descale; 0 = 1 */
  uint32_t q_stride_batch, q_stride_token, q_stride_head;
  uint32_t k_stride_batch, k_stride_token, k_stride_head;
  uint32_t v_stride_batch, v_stride_token, v_stride_head;
  uint32_t o_stride_batch, o_stride_token, o_stride_head;
  const void* q;
  const void* k;
  const void* v;
  void* o;
  float* lse;                 /* NULL: not written */
  const int32_t* cu_seqlens_q; /* varlen mode when given, with cu_seqlens_k */
  const int32_t* cu_seqlens_k;
  void* workspace;             /* split-KV partials; NULL: one launch, no split */
  size_t q_bytes, k_bytes, v_bytes, o_bytes, lse_bytes, cu_seqlens_q_bytes, cu_seqlens_k_bytes, workspace_bytes;
} asmk_fmha_fwd_args;

ASMK_API asmk_status asmk_select_fmha_fwd(const asmk_context* context, const asmk_fmha_fwd_args* args,
                                          asmk_selection* out);
ASMK_API asmk_status asmk_fmha_fwd(asmk_context* context, const asmk_fmha_fwd_args* args, asmk_stream stream,
                                   asmk_selection* out_selection);

/* mla_decode: DeepSeek-style latent attention decode over a paged cache: o [total_q, heads, 512] =
   softmax(scale · q·kᵀ) · v per token and head; q [total_q, heads, 576]; the cache [num_pages,
   page_size, 576] whose rows' first 512 values are V; sequence b's query tokens [qo_indptr[b],
   qo_indptr[b + 1]) (at most max_qlen), causal among them. The page table in one of two forms:
   CSR (kv_indptr given: SGLang / FlashInfer) or a block table (block_table given: vLLM). With a
   workspace the op splits the keys (asmk_select_mla_decode with workspace_bytes = SIZE_MAX
   tells the size it would use). */
typedef struct asmk_mla_decode_args {
  size_t struct_size; /* sizeof(asmk_mla_decode_args): ASMK_INIT(asmk_mla_decode_args) */
  uint32_t batch, heads, max_qlen, total_q;
  uint32_t num_pages, page_size;
  asmk_dtype q_dtype, kv_dtype; /* BF16 or FP8 (the device's, with q_scale / kv_scale) */
  float scale;                  /* softmax scale (> 0); DeepSeek: yarn mscale² / sqrt(192) */
  float softcap;                /* > 0: logits soft-cap; 0: none */
  float q_scale, kv_scale;      /* FP8: value = code · scale; 0 = 1 */
  uint32_t q_stride_token, q_stride_head, o_stride_token, o_stride_head;
  const void* q;
  const void* kv;
  void* o;
  float* lse; /* [total_q, heads]; NULL: not written */
  const int32_t* qo_indptr;
  /* CSR: sequence b's pages kv_indices[kv_indptr[b] .. kv_indptr[b + 1]), its last page holding
     kv_last_page_len[b] keys */
  const int32_t* kv_indptr;
  const int32_t* kv_indices;
  const int32_t* kv_last_page_len;
  uint32_t num_indices;
  /* block table: [batch, block_table_stride] page indices, seq_lens[b] keys */
  const int32_t* block_table;
  const int32_t* seq_lens;
  uint32_t block_table_stride;
  void* workspace; /* split-KV partials (persistent mode: the cut rows' partials); NULL: one split */
  size_t q_bytes, kv_bytes, o_bytes, lse_bytes, qo_indptr_bytes, kv_indptr_bytes, kv_indices_bytes,
      kv_last_page_len_bytes, block_table_bytes, seq_lens_bytes, workspace_bytes;
  /* Persistent mode (appended after 0.1; templates/mla_decode/README.md, "Persistent mode"): the metadata of
     asmk_mla_decode_metadata for this batch, computed once on the host from the lengths, copied to the device
     once and given to every layer's call. work given: the op mla_decode_persistent (CSR) or
     mla_decode_persistent_block_table — a fixed grid of work_groups workgroups walks the work list, the rows
     the metadata cut (num_splits > 1) are merged by attn_lse_combine_rows from the workspace. */
  const void* work;          /* device copy of the metadata's work list (its work_bytes); NULL: not persistent */
  const int32_t* row_splits; /* device copy of the metadata's row_splits [total_q, heads] */
  size_t work_bytes, row_splits_bytes;
  uint32_t wg_rows;          /* asmk_mla_metadata_args.wg_rows the metadata was built for: 32 or 64 */
  uint32_t work_groups;      /* asmk_mla_metadata_info.work_groups */
  uint32_t num_splits;       /* asmk_mla_metadata_info.num_splits (1: no partials, no combine) */
} asmk_mla_decode_args;

ASMK_API asmk_status asmk_select_mla_decode(const asmk_context* context, const asmk_mla_decode_args* args,
                                            asmk_selection* out);
ASMK_API asmk_status asmk_mla_decode(asmk_context* context, const asmk_mla_decode_args* args, asmk_stream stream,
                                     asmk_selection* out_selection);

typedef enum asmk_moe_activation {
  ASMK_MOE_SILU = 0,       /* silu(gate) · up */
  ASMK_MOE_GELU = 1,       /* gelu(gate) · up */
  ASMK_MOE_SWIGLU_OAI = 2, /* gpt-oss's clamped SwiGLU */
  ASMK_MOE_ACTIVATION_FORCE_INT32_ = 0x7fffffff
} asmk_moe_activation;

typedef enum asmk_moe_routing {
  ASMK_MOE_ROUTING_SOFTMAX = 0, /* softmax over the logits, top-k */
  ASMK_MOE_ROUTING_GROUPED = 1, /* DeepSeek-V3: sigmoid + correction bias, n_group / topk_group, routed scaling */
  ASMK_MOE_ROUTING_FORCE_INT32_ = 0x7fffffff
} asmk_moe_routing;

typedef enum asmk_fp8_scales {
  ASMK_FP8_SCALES_ROWCOL = 0,   /* per-token activations × per-channel weights */
  ASMK_FP8_SCALES_BLOCK128 = 1, /* DeepSeek-V3: 1×128 activation groups × 128×128 weight blocks */
  ASMK_FP8_SCALES_FORCE_INT32_ = 0x7fffffff
} asmk_fp8_scales;

/* fused_moe: a whole MoE layer as one plan (routing, sorting, both expert GEMMs, the deterministic
   sum): out [tokens, hidden] bf16 = Σ over the token's k local experts e of w · (act(x · W1[e]ᵀ) ·
   W2[e]ᵀ); x [tokens, hidden] bf16, w1 [local experts, 2 · inter, hidden] (gate rows, then up rows),
   w2 [local experts, hidden, inter]. The routing either by the op from logits [tokens, experts]
   (topk_ids NULL) or the caller's (topk_ids [tokens, k] int32, -1 = skipped, and topk_weights):
   give one. Scales and biases as templates/moe_gemm/op.fused_moe.yaml says. The workspace holds the
   plan's intermediates: asmk_select_fused_moe with workspace_bytes = SIZE_MAX tells its size. */
typedef struct asmk_fused_moe_args {
  size_t struct_size; /* sizeof(asmk_fused_moe_args): ASMK_INIT(asmk_fused_moe_args) */
  uint32_t tokens, experts, k, hidden, inter;
  uint32_t local_experts; /* expert parallelism: this rank's experts (w1 / w2 hold those); 0 = all */
  uint32_t block_m;       /* the expert GEMMs' M block 16, 64 or 128; 0 = chosen */
  asmk_moe_activation activation;
  asmk_dtype in_dtype;    /* BF16, FP8, FP4 (MXFP4, gfx950) or INT4 (weights, per-channel f32 scales, against
                             fp8 activations: Grok-1) */
  asmk_fp8_scales fp8_scales;
  /* routing by the op (logits given) */
  asmk_moe_routing routing;
  uint32_t keep_softmax_weights; /* 0: the k weights renormalized to sum 1; 1: as the softmax gave them */
  uint32_t n_group, topk_group;  /* grouped routing; 0 = 1 */
  float routed_scaling_factor;   /* grouped routing; 0 = 1 */
  const float* logits;
  const float* correction_bias;  /* grouped routing, [experts]; NULL: zeros */
  /* or the caller's routing (topk_ids given) */
  const int32_t* topk_ids;
  const float* topk_weights;
  const int32_t* expert_map;     /* [experts]: global -> local expert, -1 another rank's; NULL: e -> e */
  const void* x;
  const void* w1;
  const void* w2;
  const float* w1_scale;         /* FP8 */
  const float* w2_scale;
  const uint8_t* w1_mx_scale;    /* FP4: e8m0 per 32 elements of K */
  const uint8_t* w2_mx_scale;
  const float* b1;               /* [local experts, 2 · inter] or NULL */
  const float* b2;               /* [local experts, hidden] or NULL */
  void* out;
  void* workspace;
  uint32_t bf16_activations;     /* FP4 weights only: 1 = against the bf16 activations (gpt-oss's serving path,
                                    nothing quantized between the stages); 0 = activations quantized to MXFP4 */
  size_t logits_bytes, correction_bias_bytes, topk_ids_bytes, topk_weights_bytes, expert_map_bytes, x_bytes,
      w1_bytes, w2_bytes, w1_scale_bytes, w2_scale_bytes, w1_mx_scale_bytes, w2_mx_scale_bytes, b1_bytes, b2_bytes,
      out_bytes, workspace_bytes;
} asmk_fused_moe_args;

ASMK_API asmk_status asmk_select_fused_moe(const asmk_context* context, const asmk_fused_moe_args* args,
                                           asmk_selection* out);
ASMK_API asmk_status asmk_fused_moe(asmk_context* context, const asmk_fused_moe_args* args, asmk_stream stream,
                                    asmk_selection* out_selection);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ASMK_H */

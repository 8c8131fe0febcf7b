// The HIP runtime as libasmk uses it: libamdhip64 opened with dlopen (never linked, no HIP headers
// needed to build), its C functions looked up by name into one table. Only what the hip backend
// calls is declared here, with the ROCm 6.x ABI:
//   - hipError_t, hipMemcpyKind and hipDeviceAttribute_t are int-sized enums; the values used
//     (hipSuccess 0, hipErrorNoDevice 100, hipMemcpyHostToDevice 1 / DeviceToHost 2 /
//     DeviceToDevice 3, hipDeviceAttributeMultiprocessorCount 63) are those of ROCm 6.
//   - Handles (hipModule_t, hipFunction_t, hipStream_t) are opaque pointers.
//   - hipModuleLaunchKernel takes the grid in workgroups and the kernel arguments as one buffer
//     through `extra` = {HIP_LAUNCH_PARAM_BUFFER_POINTER, bytes, HIP_LAUNCH_PARAM_BUFFER_SIZE,
//     &size, HIP_LAUNCH_PARAM_END}, with the markers 0x1, 0x2, 0x3 of HIP (not CUDA's).
//   - The arch name (gcnArchName, "gfx942:sramecc+:xnack-") exists only inside hipDeviceProp_t,
//     whose layout changed in ROCm 6.0. ROCm 6 exports hipGetDevicePropertiesR0600 with a layout
//     frozen by that name (1472 bytes, gcnArchName a char[256] at byte 1160); the unversioned
//     hipGetDeviceProperties keeps the pre-6.0 layout for old binaries. libasmk calls the R0600
//     function into a buffer larger than the struct and reads only gcnArchName, so it needs
//     ROCm >= 6.0 (the first release supporting gfx942 in production) and says so otherwise.
//     Compute units come from hipDeviceGetAttribute and the product from hipDeviceGetName, which
//     are stable.
//   - hipPointerGetAttributes is not used: a framework's device pointer is passed through as it is
//     (its bounds are the caller's word), and hipPointerAttribute_t changed in ROCm 6
//     (memoryType -> type, with renumbered hipMemoryType values).
// ASMK_HIP_LIBRARY names another library file (e.g. the emulator-backed stand-in of emu/hip_runtime).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace asmk::hip {

using hipError_t = int;
using hipModule_t = struct ihipModule_t*;
using hipFunction_t = struct ihipModuleSymbol_t*;
using hipStream_t = struct ihipStream_t*;

inline constexpr hipError_t hipSuccess = 0;
inline constexpr hipError_t hipErrorNoDevice = 100;
inline constexpr hipError_t hipErrorInsufficientDriver = 35;
inline constexpr hipError_t hipErrorIllegalAddress = 700;  // a kernel accessed memory outside every allocation
inline constexpr hipError_t hipErrorLaunchFailure = 719;   // a kernel failed otherwise

enum hipMemcpyKind : int { hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2, hipMemcpyDeviceToDevice = 3 };
inline constexpr int hipDeviceAttributeMultiprocessorCount = 63;
inline constexpr unsigned hipHostRegisterMapped = 0x2;

inline void* const HIP_LAUNCH_PARAM_BUFFER_POINTER = reinterpret_cast<void*>(0x1);
inline void* const HIP_LAUNCH_PARAM_BUFFER_SIZE = reinterpret_cast<void*>(0x2);
inline void* const HIP_LAUNCH_PARAM_END = reinterpret_cast<void*>(0x3);

// hipDeviceProp_tR0600: its size and where gcnArchName lies in it (see the top of this file).
inline constexpr std::size_t kDevicePropR0600Bytes = 1472;
inline constexpr std::size_t kDevicePropR0600GcnArchNameOffset = 1160;
inline constexpr std::size_t kGcnArchNameBytes = 256;

// The names tried when ASMK_HIP_LIBRARY is not set: a copy the process has already loaded (a
// framework's) is used first, so asmk and the framework share one runtime and one set of streams.
inline const std::vector<std::string>& default_library_names() {
  static const std::vector<std::string> names{"libamdhip64.so", "libamdhip64.so.7", "libamdhip64.so.6"};
  return names;
}

struct Api {
  std::string library;  // the file that was opened

  hipError_t (*hipGetDeviceCount)(int*);
  hipError_t (*hipGetDevice)(int*);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceGetAttribute)(int*, int, int);
  hipError_t (*hipDeviceGetName)(char*, int, int);
  hipError_t (*hipGetDevicePropertiesR0600)(void*, int);
  const char* (*hipGetErrorName)(hipError_t);
  const char* (*hipGetErrorString)(hipError_t);
  hipError_t (*hipMalloc)(void**, std::size_t);
  hipError_t (*hipFree)(void*);
  hipError_t (*hipMemcpy)(void*, const void*, std::size_t, hipMemcpyKind);
  hipError_t (*hipHostRegister)(void*, std::size_t, unsigned);
  hipError_t (*hipHostUnregister)(void*);
  hipError_t (*hipHostGetDevicePointer)(void**, void*, unsigned);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipDeviceSynchronize)();
  hipError_t (*hipModuleLoadData)(hipModule_t*, const void*);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t*, hipModule_t, const char*);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void**, void**);

  // Optional, offered by the emulator-backed stand-in only: why the calling thread's last call
  // failed, in words. Null on a ROCm runtime.
  const char* (*asmk_hip_emu_last_error)() = nullptr;

  // "hipErrorNoDevice: no ROCm-capable device is detected" plus the optional detail.
  std::string describe(hipError_t error) const;
  // Throws `status` (an asmk_status) with "<what>: <describe(error)>" unless error is hipSuccess.
  void check(hipError_t error, int status, std::string_view what) const;
};

// The library named by ASMK_HIP_LIBRARY, else the first of default_library_names() the process
// has loaded, else the first that loads; opened once per process (per file) and kept open.
// Throws BACKEND when none loads (naming each file and why) or a function above is missing.
const Api& load_api();

}  // namespace asmk::hip

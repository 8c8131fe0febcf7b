// The HIP C ABI this stand-in implements (ROCm 6.x values), declared here rather than taken from
// HIP headers (which the build does not need): int-sized error codes and enums, opaque handles.
#pragma once

namespace asmk::hip_emu {

using hipError_t = int;
inline constexpr hipError_t hipSuccess = 0;
inline constexpr hipError_t hipErrorInvalidValue = 1;
inline constexpr hipError_t hipErrorOutOfMemory = 2;
inline constexpr hipError_t hipErrorNotInitialized = 3;
inline constexpr hipError_t hipErrorInvalidConfiguration = 9;
inline constexpr hipError_t hipErrorInvalidDevicePointer = 17;
inline constexpr hipError_t hipErrorInvalidMemcpyDirection = 21;
inline constexpr hipError_t hipErrorNoDevice = 100;
inline constexpr hipError_t hipErrorInvalidDevice = 101;
inline constexpr hipError_t hipErrorInvalidImage = 200;
inline constexpr hipError_t hipErrorNoBinaryForGpu = 209;
inline constexpr hipError_t hipErrorFileNotFound = 301;
inline constexpr hipError_t hipErrorInvalidHandle = 400;
inline constexpr hipError_t hipErrorIllegalState = 401;
inline constexpr hipError_t hipErrorNotFound = 500;
inline constexpr hipError_t hipErrorIllegalAddress = 700;
inline constexpr hipError_t hipErrorHostMemoryAlreadyRegistered = 712;
inline constexpr hipError_t hipErrorHostMemoryNotRegistered = 713;
inline constexpr hipError_t hipErrorLaunchFailure = 719;
inline constexpr hipError_t hipErrorNotSupported = 801;
inline constexpr hipError_t hipErrorStreamCaptureUnsupported = 900;
inline constexpr hipError_t hipErrorStreamCaptureImplicit = 906;

enum hipMemcpyKind : int {
  hipMemcpyHostToHost = 0,
  hipMemcpyHostToDevice = 1,
  hipMemcpyDeviceToHost = 2,
  hipMemcpyDeviceToDevice = 3,
  hipMemcpyDefault = 4,
};

inline constexpr int hipDeviceAttributeMultiprocessorCount = 63;

// hipModuleLaunchKernel's `extra` markers (HIP's values, not CUDA's).
inline void* const HIP_LAUNCH_PARAM_BUFFER_POINTER = reinterpret_cast<void*>(0x1);
inline void* const HIP_LAUNCH_PARAM_BUFFER_SIZE = reinterpret_cast<void*>(0x2);
inline void* const HIP_LAUNCH_PARAM_END = reinterpret_cast<void*>(0x3);

// hipDeviceProp_tR0600 (ROCm 6): its size and the fields this stand-in fills.
inline constexpr unsigned kDevicePropBytes = 1472;
inline constexpr unsigned kPropNameOffset = 0;  // char[256]
inline constexpr unsigned kPropWarpSizeOffset = 308;
inline constexpr unsigned kPropMultiProcessorCountOffset = 388;
inline constexpr unsigned kPropGcnArchNameOffset = 1160;  // char[256]

const char* error_name(hipError_t error);
const char* error_string(hipError_t error);

}  // namespace asmk::hip_emu

// The C functions of the stand-in libamdhip64: the part of the HIP API libasmk's hip backend and
// its tests use, with HIP's signatures and error codes, on the emulator (runtime.hpp, stream.hpp).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "elf_image.hpp"
#include "runtime.hpp"

using namespace asmk::hip_emu;

namespace {

// Runs `body` with the runtime, turning a C++ exception into an error (nothing escapes into C).
template <typename Body>
hipError_t guarded(Body&& body) noexcept {
  try {
    set_last_detail("");
    return body(Runtime::get());
  } catch (const std::bad_alloc&) {
    return failed(hipErrorOutOfMemory, "out of host memory");
  } catch (const std::exception& e) {
    return failed(hipErrorLaunchFailure, std::string("internal error: ") + e.what());
  }
}

// The device the calling thread's work goes to, when the runtime can be used.
hipError_t current_device_ok(Runtime& runtime) {
  if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
  if (Runtime::current_device() >= runtime.device_count())
    return failed(hipErrorInvalidDevice, "the current device is not a device of this runtime");
  return hipSuccess;
}

void write_string(char* destination, std::size_t capacity, const std::string& text) {
  const std::size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(destination, text.data(), n);
  destination[n] = '\0';
}

// The explicit (non-hidden) kernel arguments' extent: what a launch's argument buffer must cover.
std::size_t explicit_argument_bytes(const asmk::emu::Kernel& kernel) {
  std::size_t end = 0;
  for (const auto& arg : kernel.args)
    if (arg.value_kind.rfind("hidden_", 0) != 0) end = std::max<std::size_t>(end, arg.offset + arg.size);
  return end;
}

}  // namespace

#define HIP_EMU_API extern "C" __attribute__((visibility("default")))

// ---- errors, devices ----

HIP_EMU_API const char* hipGetErrorName(hipError_t error) { return error_name(error); }
HIP_EMU_API const char* hipGetErrorString(hipError_t error) { return error_string(error); }
HIP_EMU_API const char* asmk_hip_emu_last_error(void) { return last_detail(); }

// Reads ASMK_HIP_EMU_* again (tests change the emulated GPUs between cases); 0 on success, -1
// while modules, allocations, registrations, streams or graphs exist.
HIP_EMU_API int asmk_hip_emu_reconfigure(void) { return Runtime::reconfigure() ? 0 : -1; }

HIP_EMU_API hipError_t hipGetDeviceCount(int* count) {
  return guarded([&](Runtime& runtime) {
    if (count == nullptr) return failed(hipErrorInvalidValue, "hipGetDeviceCount: null pointer");
    *count = 0;
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    *count = runtime.device_count();
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipGetDevice(int* device) {
  return guarded([&](Runtime& runtime) {
    if (device == nullptr) return failed(hipErrorInvalidValue, "hipGetDevice: null pointer");
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    *device = Runtime::current_device();
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipSetDevice(int device) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    if (device < 0 || device >= runtime.device_count())
      return failed(hipErrorInvalidDevice, "hipSetDevice(" + std::to_string(device) + "): there are " +
                                               std::to_string(runtime.device_count()) + " devices");
    Runtime::current_device() = device;
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipDeviceGetAttribute(int* value, int attribute, int device) {
  return guarded([&](Runtime& runtime) {
    if (value == nullptr) return failed(hipErrorInvalidValue, "hipDeviceGetAttribute: null pointer");
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    if (device < 0 || device >= runtime.device_count()) return failed(hipErrorInvalidDevice, "no such device");
    if (attribute != hipDeviceAttributeMultiprocessorCount)
      return failed(hipErrorNotSupported, "the emulated runtime answers hipDeviceAttributeMultiprocessorCount (63) only");
    *value = static_cast<int>(runtime.config().gpus[device].compute_units);
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipDeviceGetName(char* name, int length, int device) {
  return guarded([&](Runtime& runtime) {
    if (name == nullptr || length <= 0) return failed(hipErrorInvalidValue, "hipDeviceGetName: no buffer");
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    if (device < 0 || device >= runtime.device_count()) return failed(hipErrorInvalidDevice, "no such device");
    write_string(name, static_cast<std::size_t>(length), asmk::emu_runtime::product_name(runtime.config().gpus[device]));
    return hipSuccess;
  });
}

// hipDeviceProp_tR0600 with the fields libasmk reads: name, warpSize, multiProcessorCount, gcnArchName.
HIP_EMU_API hipError_t hipGetDevicePropertiesR0600(void* properties, int device) {
  return guarded([&](Runtime& runtime) {
    if (properties == nullptr) return failed(hipErrorInvalidValue, "hipGetDeviceProperties: null pointer");
    if (const hipError_t e = runtime.usable(); e != hipSuccess) return e;
    if (device < 0 || device >= runtime.device_count()) return failed(hipErrorInvalidDevice, "no such device");
    const auto& gpu = runtime.config().gpus[device];
    auto* bytes = static_cast<char*>(properties);
    std::memset(bytes, 0, kDevicePropBytes);
    write_string(bytes + kPropNameOffset, 256, asmk::emu_runtime::product_name(gpu));
    const int warp = 64, cus = static_cast<int>(gpu.compute_units);
    std::memcpy(bytes + kPropWarpSizeOffset, &warp, sizeof warp);
    std::memcpy(bytes + kPropMultiProcessorCountOffset, &cus, sizeof cus);
    write_string(bytes + kPropGcnArchNameOffset, 256, gpu.arch + ":sramecc+:xnack-");
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipDeviceSynchronize(void) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    if (runtime.any_capturing())
      return failed(hipErrorStreamCaptureUnsupported, "hipDeviceSynchronize while a stream is being captured");
    return runtime.synchronize(Runtime::current_device());
  });
}

// ---- memory ----

HIP_EMU_API hipError_t hipMalloc(void** pointer, std::size_t bytes) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    return runtime.allocate(bytes, pointer);
  });
}

HIP_EMU_API hipError_t hipFree(void* pointer) {
  return guarded([&](Runtime& runtime) { return runtime.free(pointer); });
}

HIP_EMU_API hipError_t hipMemcpy(void* destination, const void* source, std::size_t bytes, hipMemcpyKind kind) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    if (runtime.any_capturing())
      return failed(hipErrorStreamCaptureImplicit, "hipMemcpy (on the null stream) while a stream is being captured");
    // The null stream is blocking: the copy follows the device's work.
    if (const hipError_t e = runtime.synchronize(Runtime::current_device()); e != hipSuccess) return e;
    return runtime.copy(destination, source, bytes, kind);
  });
}

HIP_EMU_API hipError_t hipMemcpyAsync(void* destination, const void* source, std::size_t bytes, hipMemcpyKind kind,
                                      void* stream_handle) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    Stream* stream = runtime.stream(stream_handle);
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipMemcpyAsync: not a stream");
    if (kind < hipMemcpyHostToHost || kind > hipMemcpyDefault)
      return failed(hipErrorInvalidMemcpyDirection, "hipMemcpyAsync: unknown kind");
    stream->submit(CopyTask{destination, source, bytes});
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipMemcpyWithStream(void* destination, const void* source, std::size_t bytes,
                                           hipMemcpyKind kind, void* stream_handle) {
  const hipError_t queued = hipMemcpyAsync(destination, source, bytes, kind, stream_handle);
  if (queued != hipSuccess) return queued;
  return guarded([&](Runtime& runtime) { return runtime.stream(stream_handle)->synchronize(); });
}

HIP_EMU_API hipError_t hipHostRegister(void* host, std::size_t bytes, unsigned /*flags*/) {
  return guarded([&](Runtime& runtime) { return runtime.register_host(host, bytes); });
}

HIP_EMU_API hipError_t hipHostUnregister(void* host) {
  return guarded([&](Runtime& runtime) { return runtime.unregister_host(host); });
}

HIP_EMU_API hipError_t hipHostGetDevicePointer(void** device_pointer, void* host, unsigned /*flags*/) {
  return guarded([&](Runtime& runtime) { return runtime.device_pointer(host, device_pointer); });
}

// ---- modules and launches ----

HIP_EMU_API hipError_t hipModuleLoadData(void** module, const void* image) {
  return guarded([&](Runtime& runtime) {
    if (image == nullptr) return failed(hipErrorInvalidValue, "hipModuleLoadData: null image");
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    std::string why;
    const auto bytes = elf_image_size(image, why);
    if (!bytes) return failed(hipErrorInvalidImage, why);
    Module* loaded = nullptr;
    const hipError_t e = runtime.load_module(image, *bytes, &loaded);
    if (e == hipSuccess) *module = loaded;
    return e;
  });
}

HIP_EMU_API hipError_t hipModuleLoad(void** module, const char* path) {
  return guarded([&](Runtime& runtime) {
    if (path == nullptr || module == nullptr) return failed(hipErrorInvalidValue, "hipModuleLoad: null pointer");
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    std::ifstream in(path, std::ios::binary);
    if (!in) return failed(hipErrorFileNotFound, std::string("hipModuleLoad: cannot read ") + path);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    Module* loaded = nullptr;
    const hipError_t e = runtime.load_module(bytes.data(), bytes.size(), &loaded);
    if (e == hipSuccess) *module = loaded;
    return e;
  });
}

HIP_EMU_API hipError_t hipModuleUnload(void* module) {
  return guarded([&](Runtime& runtime) { return runtime.unload_module(static_cast<Module*>(module)); });
}

HIP_EMU_API hipError_t hipModuleGetFunction(void** function, void* module, const char* name) {
  return guarded([&](Runtime& runtime) {
    Function* found = nullptr;
    const hipError_t e = runtime.function(static_cast<Module*>(module), name, &found);
    if (e == hipSuccess) *function = found;
    return e;
  });
}

// Kernel arguments come as one buffer through `extra` = {HIP_LAUNCH_PARAM_BUFFER_POINTER, buffer,
// HIP_LAUNCH_PARAM_BUFFER_SIZE, &size, HIP_LAUNCH_PARAM_END}, in that order, as HIP requires. Like a
// HIP runtime, this fills the code object v5 hidden arguments itself.
HIP_EMU_API hipError_t hipModuleLaunchKernel(void* function_handle, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                                             unsigned block_x, unsigned block_y, unsigned block_z,
                                             unsigned shared_bytes, void* stream_handle, void** kernel_params,
                                             void** extra) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    const auto* function = static_cast<const Function*>(function_handle);
    if (!runtime.is_function(function)) return failed(hipErrorInvalidHandle, "hipModuleLaunchKernel: not a function");
    const asmk::emu::Kernel& kernel = *function->kernel;
    Stream* stream = runtime.stream(stream_handle);
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipModuleLaunchKernel: not a stream");
    if (stream->device() != function->module->device)
      return failed(hipErrorInvalidHandle, "kernel " + kernel.name + " was loaded on device " +
                                               std::to_string(function->module->device) + ", the stream is of device " +
                                               std::to_string(stream->device()));
    if (kernel_params != nullptr)
      return failed(hipErrorNotSupported, "the emulated runtime takes kernel arguments through `extra` only");
    const unsigned grid[3] = {grid_x, grid_y, grid_z}, block[3] = {block_x, block_y, block_z};
    for (int d = 0; d < 3; ++d)
      if (grid[d] == 0 || block[d] == 0 || std::uint64_t(grid[d]) * block[d] > UINT32_MAX)
        return failed(hipErrorInvalidConfiguration, "kernel " + kernel.name + ": grid or block extent 0, or more than "
                                                    "2^32-1 work-items along an axis");
    if (std::uint64_t(block_x) * block_y * block_z > 1024)
      return failed(hipErrorInvalidConfiguration, "kernel " + kernel.name + ": more than 1024 work-items per block");

    const std::size_t needed = explicit_argument_bytes(kernel);
    const std::uint8_t* arguments = nullptr;
    std::size_t size = 0;
    if (extra != nullptr) {
      if (extra[0] != HIP_LAUNCH_PARAM_BUFFER_POINTER || extra[2] != HIP_LAUNCH_PARAM_BUFFER_SIZE ||
          extra[4] != HIP_LAUNCH_PARAM_END || extra[3] == nullptr)
        return failed(hipErrorInvalidValue, "hipModuleLaunchKernel: extra is not {BUFFER_POINTER, p, BUFFER_SIZE, &size, END}");
      arguments = static_cast<const std::uint8_t*>(extra[1]);
      size = *static_cast<const std::size_t*>(extra[3]);
    }
    if (size < needed || (size > 0 && arguments == nullptr) || size > kernel.kernarg_segment_size)
      return failed(hipErrorInvalidValue, "kernel " + kernel.name + ": an argument buffer of " + std::to_string(size) +
                                              " bytes; the kernel's explicit arguments take " + std::to_string(needed) +
                                              " and its kernarg segment " + std::to_string(kernel.kernarg_segment_size));
    LaunchTask task;
    task.code = function->module->code;
    task.dispatch.kernel = &kernel;
    task.dispatch.grid = {grid_x, grid_y, grid_z};
    task.dispatch.block = {block_x, block_y, block_z};
    if (size > 0) task.dispatch.kernargs.assign(arguments, arguments + size);  // copied now, as HIP does
    task.dispatch.dynamic_lds = shared_bytes;
    task.dispatch.fill_hidden_args = true;
    stream->submit(std::move(task));
    return hipSuccess;
  });
}

// ---- streams and graphs ----

HIP_EMU_API hipError_t hipStreamCreate(void** stream) {
  return guarded([&](Runtime& runtime) {
    if (stream == nullptr) return failed(hipErrorInvalidValue, "hipStreamCreate: null pointer");
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    *stream = runtime.create_stream();
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipStreamDestroy(void* stream) {
  return guarded([&](Runtime& runtime) { return runtime.destroy_stream(stream); });
}

HIP_EMU_API hipError_t hipStreamSynchronize(void* stream_handle) {
  return guarded([&](Runtime& runtime) {
    if (const hipError_t e = current_device_ok(runtime); e != hipSuccess) return e;
    Stream* stream = runtime.stream(stream_handle);
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipStreamSynchronize: not a stream");
    return stream->synchronize();
  });
}

HIP_EMU_API hipError_t hipStreamBeginCapture(void* stream_handle, int /*mode*/) {
  return guarded([&](Runtime& runtime) {
    if (stream_handle == nullptr)
      return failed(hipErrorStreamCaptureUnsupported, "the null stream cannot be captured; capture a created stream");
    Stream* stream = runtime.stream(stream_handle);
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipStreamBeginCapture: not a stream");
    return stream->begin_capture();
  });
}

HIP_EMU_API hipError_t hipStreamEndCapture(void* stream_handle, void** graph) {
  return guarded([&](Runtime& runtime) {
    if (graph == nullptr) return failed(hipErrorInvalidValue, "hipStreamEndCapture: null pointer");
    Stream* stream = stream_handle != nullptr ? runtime.stream(stream_handle) : nullptr;
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipStreamEndCapture: not a created stream");
    std::unique_ptr<Graph> captured;
    if (const hipError_t e = stream->end_capture(captured); e != hipSuccess) return e;
    *graph = runtime.keep_graph(std::move(captured));
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipGraphInstantiate(void** executable, void* graph, void** /*error_node*/, char* log,
                                           std::size_t log_bytes) {
  return guarded([&](Runtime& runtime) {
    if (executable == nullptr || !runtime.is_graph(graph)) return failed(hipErrorInvalidValue, "hipGraphInstantiate: not a graph");
    if (log != nullptr && log_bytes > 0) log[0] = '\0';
    *executable = runtime.keep_graph(std::make_unique<Graph>(*static_cast<const Graph*>(graph)));
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipGraphLaunch(void* executable, void* stream_handle) {
  return guarded([&](Runtime& runtime) {
    if (!runtime.is_graph(executable)) return failed(hipErrorInvalidValue, "hipGraphLaunch: not an instantiated graph");
    Stream* stream = runtime.stream(stream_handle);
    if (stream == nullptr) return failed(hipErrorInvalidHandle, "hipGraphLaunch: not a stream");
    for (const Task& task : static_cast<const Graph*>(executable)->tasks) stream->submit(task);
    return hipSuccess;
  });
}

HIP_EMU_API hipError_t hipGraphExecDestroy(void* executable) {
  return guarded([&](Runtime& runtime) { return runtime.destroy_graph(executable); });
}

HIP_EMU_API hipError_t hipGraphDestroy(void* graph) {
  return guarded([&](Runtime& runtime) { return runtime.destroy_graph(graph); });
}

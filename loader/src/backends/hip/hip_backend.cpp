#include "hip_backend.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "../../error.hpp"
#include "../../nearest.hpp"

namespace asmk {
namespace {

using hip::hipError_t;
using hip::hipSuccess;

// Makes `device` current for the scope and restores the caller's device afterwards, so a
// framework thread's current device is never changed by asmk.
class CurrentDevice {
 public:
  CurrentDevice(const hip::Api& api, int device) : api_(api) {
    api_.check(api_.hipGetDevice(&previous_), ASMK_ERROR_BACKEND, "hipGetDevice");
    if (previous_ != device) {
      api_.check(api_.hipSetDevice(device), ASMK_ERROR_BACKEND, fmt::format("hipSetDevice({})", device));
      changed_ = true;
    }
  }
  ~CurrentDevice() {
    if (changed_) api_.hipSetDevice(previous_);
  }
  CurrentDevice(const CurrentDevice&) = delete;
  CurrentDevice& operator=(const CurrentDevice&) = delete;

 private:
  const hip::Api& api_;
  int previous_ = 0;
  bool changed_ = false;
};

std::string device_list(const std::vector<HipDevice>& devices) {
  if (devices.empty()) return "none";
  std::string out;
  for (const auto& d : devices) out += fmt::format("{}{}: {} ({} CUs)", out.empty() ? "" : ", ", d.index, d.arch, d.compute_units);
  return out;
}

// The devices the runtime has. Throws NO_DEVICE when there are none (naming a missing driver).
std::vector<HipDevice> discover(const hip::Api& api) {
  int count = 0;
  const hipError_t counted = api.hipGetDeviceCount(&count);
  if (counted != hipSuccess || count <= 0) {
    const std::string runtime_says =
        counted != hipSuccess ? api.describe(counted) : std::string("hipGetDeviceCount reports 0 devices");
    if (const auto driver = missing_gpu_driver())
      fail(ASMK_ERROR_NO_DEVICE, fmt::format("backend hip: {} (the HIP runtime {} says {})", *driver, api.library, runtime_says));
    if (counted != hipSuccess && counted != hip::hipErrorNoDevice && counted != hip::hipErrorInsufficientDriver)
      fail(ASMK_ERROR_BACKEND, fmt::format("backend hip: hipGetDeviceCount of {}: {}", api.library, runtime_says));
    fail(ASMK_ERROR_NO_DEVICE,
         fmt::format("backend hip: the HIP runtime {} reports no GPU ({}); {} exists: check HIP_VISIBLE_DEVICES / "
                     "ROCR_VISIBLE_DEVICES and the permissions of {} and /dev/dri",
                     api.library, runtime_says, kGpuDriverNode, kGpuDriverNode));
  }
  std::vector<HipDevice> devices;
  // A buffer larger than hipDeviceProp_tR0600, so a runtime writing a few more bytes cannot overrun it.
  alignas(16) std::array<char, 4096> properties{};
  static_assert(hip::kDevicePropR0600Bytes <= sizeof(properties));
  for (int i = 0; i < count; ++i) {
    HipDevice d;
    d.index = i;
    properties.fill(0);
    api.check(api.hipGetDevicePropertiesR0600(properties.data(), i), ASMK_ERROR_BACKEND,
              fmt::format("hipGetDevicePropertiesR0600(device {})", i));
    const char* arch_name = properties.data() + hip::kDevicePropR0600GcnArchNameOffset;
    d.gcn_arch_name.assign(arch_name, strnlen(arch_name, hip::kGcnArchNameBytes));
    d.arch = d.gcn_arch_name.substr(0, d.gcn_arch_name.find(':'));
    int cus = 0;
    api.check(api.hipDeviceGetAttribute(&cus, hip::hipDeviceAttributeMultiprocessorCount, i), ASMK_ERROR_BACKEND,
              fmt::format("hipDeviceGetAttribute(MultiprocessorCount, device {})", i));
    d.compute_units = static_cast<std::uint32_t>(std::max(cus, 0));
    std::array<char, 256> product{};
    if (api.hipDeviceGetName(product.data(), static_cast<int>(product.size()) - 1, i) == hipSuccess)
      d.product = product.data();
    devices.push_back(std::move(d));
  }
  return devices;
}

bool holds(const std::vector<std::string>& arches, const std::string& arch) {
  return arches.empty() || std::find(arches.begin(), arches.end(), arch) != arches.end();
}

// The index into `devices` that `request` asks for; throws naming the devices there are.
std::size_t choose_device(const hip::Api& api, const std::vector<HipDevice>& devices, const GpuRequest& request) {
  const auto& repo = request.repository_arches;
  const auto check_arch = [&](const HipDevice& d, const char* which) {
    if (request.arch && d.arch != *request.arch)
      fail(ASMK_ERROR_UNSUPPORTED_ARCH, fmt::format("backend hip: {} HIP device {} is {}, but a {} device was asked for; "
                                                    "the devices are {}",
                                                    which, d.index, d.arch, *request.arch, device_list(devices)));
    if (!holds(repo, d.arch))
      fail(ASMK_ERROR_UNSUPPORTED_ARCH,
           fmt::format("backend hip: {} HIP device {} is {}, but the repository holds kernels for {} only (build them "
                       "with `gen/asmgen build --arch {}`, or choose another device with device_index / ASMK_DEVICE: "
                       "the devices are {})",
                       which, d.index, d.arch, join_names(repo), d.arch, device_list(devices)));
  };
  if (request.index >= 0) {
    if (static_cast<std::size_t>(request.index) >= devices.size())
      fail(ASMK_ERROR_NO_DEVICE,
           fmt::format("backend hip: device_index {} asked for, but the HIP runtime {} has {} device{} ({})",
                       request.index, api.library, devices.size(), devices.size() == 1 ? "" : "s", device_list(devices)));
    check_arch(devices[request.index], "the");
    return static_cast<std::size_t>(request.index);
  }
  int current = 0;
  api.check(api.hipGetDevice(&current), ASMK_ERROR_BACKEND, "hipGetDevice");
  if (current < 0 || static_cast<std::size_t>(current) >= devices.size())
    fail(ASMK_ERROR_BACKEND, fmt::format("backend hip: hipGetDevice says {}, but there are {} devices", current, devices.size()));
  // A named device of another arch than the current one: the first device of that arch.
  if (request.arch && devices[current].arch != *request.arch) {
    for (const auto& d : devices)
      if (d.arch == *request.arch) {
        check_arch(d, "the first matching");
        return static_cast<std::size_t>(d.index);
      }
    fail(ASMK_ERROR_UNSUPPORTED_ARCH, fmt::format("backend hip: a {} device was asked for, but the HIP devices are {}",
                                                  *request.arch, device_list(devices)));
  }
  check_arch(devices[current], "the current");
  return static_cast<std::size_t>(current);
}

hip::hipMemcpyKind kind_of(asmk_copy_kind kind) {
  switch (kind) {
    case ASMK_COPY_HOST_TO_DEVICE: return hip::hipMemcpyHostToDevice;
    case ASMK_COPY_DEVICE_TO_HOST: return hip::hipMemcpyDeviceToHost;
    case ASMK_COPY_DEVICE_TO_DEVICE: return hip::hipMemcpyDeviceToDevice;
    default: break;
  }
  fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_memcpy: unknown copy kind {}", static_cast<int>(kind)));
}

// What a failure reported by a stream means: a kernel fault, or a misuse / runtime failure.
asmk_status status_of_stream_error(hipError_t error) {
  return error == hip::hipErrorIllegalAddress || error == hip::hipErrorLaunchFailure ? ASMK_ERROR_KERNEL_FAULT
                                                                                     : ASMK_ERROR_BACKEND;
}

hip::hipStream_t hip_stream(asmk_stream stream) { return reinterpret_cast<hip::hipStream_t>(stream); }

std::string stream_label(asmk_stream stream) {
  return stream == nullptr ? std::string("the null stream") : fmt::format("hipStream_t {}", static_cast<const void*>(stream));
}

// hipModuleLaunchKernel takes each grid extent in workgroups, but the runtime counts work-items in 32 bits.
void check_work_items(const LaunchRequest& r) {
  const std::uint64_t extents[3][2] = {{r.grid.x, r.block.x}, {r.grid.y, r.block.y}, {r.grid.z, r.block.z}};
  for (int axis = 0; axis < 3; ++axis)
    if (extents[axis][0] * extents[axis][1] > UINT32_MAX)
      fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
           fmt::format("kernel {}: the grid's {} extent is {} work-items, above the 2^32-1 a HIP launch takes",
                       r.kernel.name, "xyz"[axis], extents[axis][0] * extents[axis][1]));
}

}  // namespace

HipBackend::HipBackend(const GpuRequest& request) : api_(hip::load_api()) {
  devices_ = discover(api_);
  chosen_ = choose_device(api_, devices_, request);
  modules_ = std::make_unique<hip::ModuleCache>(api_, hip_device().index);
}

HipBackend::~HipBackend() {
  try {
    CurrentDevice guard(api_, hip_device().index);  // hipFree waits for the device's work
    for (const auto& [base, bytes] : memory_.allocations()) api_.hipFree(const_cast<std::byte*>(base));
    for (const auto& [host, mapping] : memory_.registrations()) api_.hipHostUnregister(host);
    modules_.reset();
  } catch (...) {
    // A runtime that fails while closing has nothing more to give back; close never throws.
  }
}

Device HipBackend::device() const {
  const HipDevice& d = hip_device();
  const Device* best = nullptr;
  for (const Device& known : known_devices()) {
    if (known.arch != d.arch || known.compute_units != d.compute_units) continue;
    if (best == nullptr || d.product.find(known.name) != std::string::npos) best = &known;
  }
  if (best != nullptr) return *best;
  return device_by_arch(d.arch, d.compute_units);
}

std::string HipBackend::describe() const {
  std::string out = fmt::format("HIP runtime {}\n", api_.library);
  for (const auto& d : devices_)
    out += fmt::format("device {}: {}{} — {} CUs\n", d.index, d.gcn_arch_name, d.product.empty() ? "" : " (" + d.product + ")",
                       d.compute_units);
  out += fmt::format("this context uses device {} ({}, {} CUs); launches go on the caller's hipStream_t\n",
                     hip_device().index, hip_device().arch, hip_device().compute_units);
  return out;
}

void* HipBackend::allocate(std::size_t bytes) {
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_malloc of 0 bytes");
  CurrentDevice guard(api_, hip_device().index);
  void* pointer = nullptr;
  const hipError_t error = api_.hipMalloc(&pointer, bytes);
  if (error != hipSuccess)
    fail(ASMK_ERROR_OUT_OF_MEMORY, fmt::format("asmk_malloc of {} bytes on HIP device {}: hipMalloc: {}", bytes,
                                               hip_device().index, api_.describe(error)));
  std::lock_guard lock(mutex_);
  memory_.add_allocation(pointer, bytes);
  return pointer;
}

void HipBackend::release(void* pointer) {
  if (pointer == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    memory_.remove_allocation(pointer);
  }
  CurrentDevice guard(api_, hip_device().index);  // hipFree waits for the device's work, which may use it
  api_.check(api_.hipFree(pointer), ASMK_ERROR_BACKEND, fmt::format("asmk_free({}): hipFree", pointer));
}

void* HipBackend::register_host(void* host, std::size_t bytes) {
  if (host == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_register_host: the host pointer is null");
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_register_host of 0 bytes");
  CurrentDevice guard(api_, hip_device().index);
  std::lock_guard lock(mutex_);
  memory_.require_unregistered(host);
  api_.check(api_.hipHostRegister(host, bytes, hip::hipHostRegisterMapped), ASMK_ERROR_BACKEND,
             fmt::format("asmk_register_host({}, {}): hipHostRegister", host, bytes));
  void* device_pointer = nullptr;
  const hipError_t mapped = api_.hipHostGetDevicePointer(&device_pointer, host, 0);
  if (mapped != hipSuccess) {
    const std::string why = api_.describe(mapped);
    api_.hipHostUnregister(host);
    fail(ASMK_ERROR_BACKEND, fmt::format("asmk_register_host({}, {}): hipHostGetDevicePointer: {}", host, bytes, why));
  }
  memory_.add_registration(host, device_pointer, bytes);
  return device_pointer;
}

void HipBackend::unregister_host(void* host) {
  {
    std::lock_guard lock(mutex_);
    memory_.require_registered(host);
  }
  CurrentDevice guard(api_, hip_device().index);
  wait_for_device();  // a kernel still running may use it
  std::lock_guard lock(mutex_);
  memory_.remove_registration(host);
  api_.check(api_.hipHostUnregister(host), ASMK_ERROR_BACKEND, fmt::format("asmk_unregister_host({})", host));
}

std::optional<std::size_t> HipBackend::bytes_available(const void* pointer) const {
  std::lock_guard lock(mutex_);
  return memory_.bytes_available(pointer);  // nullopt: memory the framework owns (a tensor)
}

void HipBackend::copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) {
  const hip::hipMemcpyKind hip_kind = kind_of(kind);
  if (bytes == 0) return;
  if (destination == nullptr || source == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_memcpy: null source or destination");
  // Device pointers of this context are bounds-checked; others (a framework's tensors) are the caller's word.
  check_copy_range([this](const void* p) { return bytes_available(p); }, destination, source, bytes, kind);
  CurrentDevice guard(api_, hip_device().index);
  // asmk_memcpy takes no stream: it follows everything queued on the device (asmk's launches on
  // any stream). A framework copies its tensors on its own stream instead.
  wait_for_device();
  api_.check(api_.hipMemcpy(destination, source, bytes, hip_kind), ASMK_ERROR_BACKEND,
             fmt::format("asmk_memcpy of {} bytes from {} to {}: hipMemcpy", bytes, source, destination));
}

void HipBackend::wait_for_device() {
  const hipError_t error = api_.hipDeviceSynchronize();
  if (error != hipSuccess)
    fail(status_of_stream_error(error), fmt::format("work on HIP device {} failed: hipDeviceSynchronize: {}", hip_device().index,
                                              api_.describe(error)));
}

void HipBackend::synchronize(asmk_stream stream) {
  CurrentDevice guard(api_, hip_device().index);
  const hipError_t error = api_.hipStreamSynchronize(hip_stream(stream));
  if (error != hipSuccess)
    fail(status_of_stream_error(error), fmt::format("asmk_synchronize({}): hipStreamSynchronize on HIP device {}: {}",
                                              stream_label(stream), hip_device().index, api_.describe(error)));
}

void HipBackend::launch(const LaunchRequest& request) {
  check_work_items(request);
  CurrentDevice guard(api_, hip_device().index);
  const hip::hipFunction_t function = modules_->get(request.kernel, request.code_object_path, request.symbol);
  // The runtime copies the argument buffer when it enqueues (or captures) the launch.
  std::size_t size = request.kernargs.size();
  void* extra[] = {hip::HIP_LAUNCH_PARAM_BUFFER_POINTER, const_cast<std::byte*>(request.kernargs.data()),
                   hip::HIP_LAUNCH_PARAM_BUFFER_SIZE, &size, hip::HIP_LAUNCH_PARAM_END};
  const hipError_t error =
      api_.hipModuleLaunchKernel(function, request.grid.x, request.grid.y, request.grid.z, request.block.x,
                                 request.block.y, request.block.z, 0, hip_stream(request.stream), nullptr, extra);
  if (error != hipSuccess)
    fail(ASMK_ERROR_BACKEND, fmt::format("kernel {}: hipModuleLaunchKernel on {} (HIP device {}): {}", request.kernel.name,
                                         stream_label(request.stream), hip_device().index, api_.describe(error)));
}

}  // namespace asmk

#include "hip_api.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "../../error.hpp"

namespace asmk::hip {
namespace {

template <typename Function>
void bind(void* library, const std::string& file, const char* name, Function& slot, bool required = true) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr && required)
    fail(ASMK_ERROR_BACKEND,
         fmt::format("the HIP runtime {} lacks the function {} that libasmk needs{}", file, name,
                     std::string_view(name) == "hipGetDevicePropertiesR0600" ? " (ROCm 6.0 or later is needed)" : ""));
  slot = reinterpret_cast<Function>(symbol);
}

std::unique_ptr<Api> bind_api(void* library, const std::string& file) {
  auto api = std::make_unique<Api>();
  api->library = file;
#define ASMK_HIP_BIND(name) bind(library, file, #name, api->name)
  ASMK_HIP_BIND(hipGetDeviceCount);
  ASMK_HIP_BIND(hipGetDevice);
  ASMK_HIP_BIND(hipSetDevice);
  ASMK_HIP_BIND(hipDeviceGetAttribute);
  ASMK_HIP_BIND(hipDeviceGetName);
  ASMK_HIP_BIND(hipGetDevicePropertiesR0600);
  ASMK_HIP_BIND(hipGetErrorName);
  ASMK_HIP_BIND(hipGetErrorString);
  ASMK_HIP_BIND(hipMalloc);
  ASMK_HIP_BIND(hipFree);
  ASMK_HIP_BIND(hipMemcpy);
  ASMK_HIP_BIND(hipHostRegister);
  ASMK_HIP_BIND(hipHostUnregister);
  ASMK_HIP_BIND(hipHostGetDevicePointer);
  ASMK_HIP_BIND(hipStreamSynchronize);
  ASMK_HIP_BIND(hipDeviceSynchronize);
  ASMK_HIP_BIND(hipModuleLoadData);
  ASMK_HIP_BIND(hipModuleUnload);
  ASMK_HIP_BIND(hipModuleGetFunction);
  ASMK_HIP_BIND(hipModuleLaunchKernel);
#undef ASMK_HIP_BIND
  bind(library, file, "asmk_hip_emu_last_error", api->asmk_hip_emu_last_error, false);
  return api;  // the library stays loaded for the life of the process
}

// The file to use and its handle: ASMK_HIP_LIBRARY, else a default name already loaded, else the
// first default name that loads. Throws BACKEND naming every file tried and why it failed.
std::pair<std::string, void*> open_library() {
  const char* env = std::getenv("ASMK_HIP_LIBRARY");
  std::vector<std::string> names;
  if (env != nullptr && *env != '\0') names.emplace_back(env);
  else names = default_library_names();
  for (const std::string& name : names)
    if (void* loaded = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) return {name, loaded};
  std::string why;
  for (const std::string& name : names) {
    dlerror();
    if (void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return {name, library};
    const char* error = dlerror();
    why += fmt::format("{}{}", why.empty() ? "" : "; ", error != nullptr ? error : name + ": unknown reason");
  }
  fail(ASMK_ERROR_BACKEND,
       fmt::format("backend hip: the HIP runtime cannot be loaded ({}); install ROCm 6 (or run inside a process that "
                   "loaded it, such as PyTorch for ROCm), set ASMK_HIP_LIBRARY to libamdhip64's path, or use "
                   "ASMK_BACKEND=emu",
                   why));
}

}  // namespace

std::string Api::describe(hipError_t error) const {
  const char* name = hipGetErrorName(error);
  const char* text = hipGetErrorString(error);
  std::string out = fmt::format("{}: {}", name != nullptr ? name : fmt::format("hipError {}", error),
                                text != nullptr ? text : "");
  if (asmk_hip_emu_last_error != nullptr) {
    const char* detail = asmk_hip_emu_last_error();
    if (detail != nullptr && *detail != '\0') out += fmt::format(" ({})", detail);
  }
  return out;
}

void Api::check(hipError_t error, int status, std::string_view what) const {
  if (error == hipSuccess) return;
  fail(static_cast<asmk_status>(status), fmt::format("{}: {}", what, describe(error)));
}

const Api& load_api() {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Api>> opened;
  std::lock_guard lock(mutex);
  const char* env = std::getenv("ASMK_HIP_LIBRARY");
  const std::string key = env != nullptr ? env : "";
  auto& api = opened[key];
  if (!api) {
    auto [file, library] = open_library();
    api = bind_api(library, file);
  }
  return *api;
}

}  // namespace asmk::hip

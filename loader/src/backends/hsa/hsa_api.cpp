#include "hsa_api.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "../../error.hpp"

namespace asmk::hsa {
namespace {

template <typename Function>
void bind(void* library, const std::string& file, const char* name, Function& slot, bool required = true) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr && required)
    fail(ASMK_ERROR_BACKEND, fmt::format("the HSA runtime {} lacks the function {} that libasmk needs", file, name));
  slot = reinterpret_cast<Function>(symbol);
}

std::unique_ptr<Api> open_api(const std::string& file) {
  dlerror();
  void* library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    fail(ASMK_ERROR_BACKEND,
         fmt::format("backend hsa: the HSA runtime {} cannot be loaded ({}); install ROCm, set ASMK_HSA_LIBRARY to "
                     "the library's path, or use ASMK_BACKEND=emu",
                     file, why != nullptr ? why : "unknown reason"));
  }
  auto api = std::make_unique<Api>();
  api->library = file;
#define ASMK_HSA_BIND(name) bind(library, file, #name, api->name)
  ASMK_HSA_BIND(hsa_init);
  ASMK_HSA_BIND(hsa_shut_down);
  ASMK_HSA_BIND(hsa_status_string);
  ASMK_HSA_BIND(hsa_system_get_info);
  ASMK_HSA_BIND(hsa_iterate_agents);
  ASMK_HSA_BIND(hsa_agent_get_info);
  ASMK_HSA_BIND(hsa_agent_iterate_isas);
  ASMK_HSA_BIND(hsa_isa_get_info_alt);
  ASMK_HSA_BIND(hsa_amd_agent_iterate_memory_pools);
  ASMK_HSA_BIND(hsa_amd_memory_pool_get_info);
  ASMK_HSA_BIND(hsa_amd_memory_pool_allocate);
  ASMK_HSA_BIND(hsa_amd_memory_pool_free);
  ASMK_HSA_BIND(hsa_amd_agents_allow_access);
  ASMK_HSA_BIND(hsa_memory_copy);
  ASMK_HSA_BIND(hsa_amd_memory_lock);
  ASMK_HSA_BIND(hsa_amd_memory_unlock);
  ASMK_HSA_BIND(hsa_signal_create);
  ASMK_HSA_BIND(hsa_signal_destroy);
  ASMK_HSA_BIND(hsa_signal_load_scacquire);
  ASMK_HSA_BIND(hsa_signal_store_relaxed);
  ASMK_HSA_BIND(hsa_signal_store_screlease);
  ASMK_HSA_BIND(hsa_signal_wait_scacquire);
  ASMK_HSA_BIND(hsa_queue_create);
  ASMK_HSA_BIND(hsa_queue_destroy);
  ASMK_HSA_BIND(hsa_queue_load_read_index_scacquire);
  ASMK_HSA_BIND(hsa_queue_add_write_index_scacq_screl);
  ASMK_HSA_BIND(hsa_code_object_reader_create_from_memory);
  ASMK_HSA_BIND(hsa_code_object_reader_destroy);
  ASMK_HSA_BIND(hsa_executable_create_alt);
  ASMK_HSA_BIND(hsa_executable_load_agent_code_object);
  ASMK_HSA_BIND(hsa_executable_freeze);
  ASMK_HSA_BIND(hsa_executable_destroy);
  ASMK_HSA_BIND(hsa_executable_get_symbol_by_name);
  ASMK_HSA_BIND(hsa_executable_symbol_get_info);
  ASMK_HSA_BIND(hsa_amd_profiling_set_profiler_enabled);
  ASMK_HSA_BIND(hsa_amd_profiling_get_dispatch_time);
#undef ASMK_HSA_BIND
  bind(library, file, "asmk_hsa_emu_last_error", api->asmk_hsa_emu_last_error, false);
  bind(library, file, "asmk_hsa_emu_queue_error", api->asmk_hsa_emu_queue_error, false);
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

std::string Api::describe(hsa_status_t status) const {
  const char* text = nullptr;
  std::string out = hsa_status_string(status, &text) == HSA_STATUS_SUCCESS && text != nullptr
                        ? std::string(text)
                        : fmt::format("HSA status 0x{:x}", static_cast<unsigned>(status));
  if (asmk_hsa_emu_last_error != nullptr) {
    const char* detail = asmk_hsa_emu_last_error();
    if (detail != nullptr && *detail != '\0') out += fmt::format(" ({})", detail);
  }
  return out;
}

void Api::check(hsa_status_t status, int error, std::string_view what) const {
  if (status == HSA_STATUS_SUCCESS) return;
  fail(static_cast<asmk_status>(error), fmt::format("{}: {}", what, describe(status)));
}

const Api& load_api() {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Api>> opened;
  const char* env = std::getenv("ASMK_HSA_LIBRARY");
  const std::string file = env != nullptr && *env != '\0' ? env : std::string(kDefaultLibrary);
  std::lock_guard lock(mutex);
  auto& api = opened[file];
  if (!api) api = open_api(file);
  return *api;
}

}  // namespace asmk::hsa

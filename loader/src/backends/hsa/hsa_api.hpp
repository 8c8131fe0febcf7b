// The HSA runtime as libasmk uses it: libhsa-runtime64.so.1 opened with dlopen (never linked),
// its functions looked up by name into one table. ASMK_HSA_LIBRARY names another library file
// (e.g. the emulator-backed runtime of emu/hsa_runtime). A missing library or function is an
// ASMK_ERROR_BACKEND naming it.
#pragma once

#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>

#include <string>
#include <string_view>

namespace asmk::hsa {

inline constexpr std::string_view kDefaultLibrary = "libhsa-runtime64.so.1";

struct Api {
  std::string library;  // the file that was opened

  hsa_status_t (*hsa_init)();
  hsa_status_t (*hsa_shut_down)();
  hsa_status_t (*hsa_status_string)(hsa_status_t, const char**);
  hsa_status_t (*hsa_system_get_info)(hsa_system_info_t, void*);
  hsa_status_t (*hsa_iterate_agents)(hsa_status_t (*)(hsa_agent_t, void*), void*);
  hsa_status_t (*hsa_agent_get_info)(hsa_agent_t, hsa_agent_info_t, void*);
  hsa_status_t (*hsa_agent_iterate_isas)(hsa_agent_t, hsa_status_t (*)(hsa_isa_t, void*), void*);
  hsa_status_t (*hsa_isa_get_info_alt)(hsa_isa_t, hsa_isa_info_t, void*);
  hsa_status_t (*hsa_amd_agent_iterate_memory_pools)(hsa_agent_t, hsa_status_t (*)(hsa_amd_memory_pool_t, void*), void*);
  hsa_status_t (*hsa_amd_memory_pool_get_info)(hsa_amd_memory_pool_t, hsa_amd_memory_pool_info_t, void*);
  hsa_status_t (*hsa_amd_memory_pool_allocate)(hsa_amd_memory_pool_t, size_t, uint32_t, void**);
  hsa_status_t (*hsa_amd_memory_pool_free)(void*);
  hsa_status_t (*hsa_amd_agents_allow_access)(uint32_t, const hsa_agent_t*, const uint32_t*, const void*);
  hsa_status_t (*hsa_memory_copy)(void*, const void*, size_t);
  hsa_status_t (*hsa_amd_memory_lock)(void*, size_t, hsa_agent_t*, int, void**);
  hsa_status_t (*hsa_amd_memory_unlock)(void*);
  hsa_status_t (*hsa_signal_create)(hsa_signal_value_t, uint32_t, const hsa_agent_t*, hsa_signal_t*);
  hsa_status_t (*hsa_signal_destroy)(hsa_signal_t);
  hsa_signal_value_t (*hsa_signal_load_scacquire)(hsa_signal_t);
  void (*hsa_signal_store_relaxed)(hsa_signal_t, hsa_signal_value_t);
  void (*hsa_signal_store_screlease)(hsa_signal_t, hsa_signal_value_t);
  hsa_signal_value_t (*hsa_signal_wait_scacquire)(hsa_signal_t, hsa_signal_condition_t, hsa_signal_value_t, uint64_t,
                                                  hsa_wait_state_t);
  hsa_status_t (*hsa_queue_create)(hsa_agent_t, uint32_t, hsa_queue_type32_t, void (*)(hsa_status_t, hsa_queue_t*, void*),
                                   void*, uint32_t, uint32_t, hsa_queue_t**);
  hsa_status_t (*hsa_queue_destroy)(hsa_queue_t*);
  uint64_t (*hsa_queue_load_read_index_scacquire)(const hsa_queue_t*);
  uint64_t (*hsa_queue_add_write_index_scacq_screl)(const hsa_queue_t*, uint64_t);
  hsa_status_t (*hsa_code_object_reader_create_from_memory)(const void*, size_t, hsa_code_object_reader_t*);
  hsa_status_t (*hsa_code_object_reader_destroy)(hsa_code_object_reader_t);
  hsa_status_t (*hsa_executable_create_alt)(hsa_profile_t, hsa_default_float_rounding_mode_t, const char*,
                                            hsa_executable_t*);
  hsa_status_t (*hsa_executable_load_agent_code_object)(hsa_executable_t, hsa_agent_t, hsa_code_object_reader_t,
                                                        const char*, hsa_loaded_code_object_t*);
  hsa_status_t (*hsa_executable_freeze)(hsa_executable_t, const char*);
  hsa_status_t (*hsa_executable_destroy)(hsa_executable_t);
  hsa_status_t (*hsa_executable_get_symbol_by_name)(hsa_executable_t, const char*, const hsa_agent_t*,
                                                    hsa_executable_symbol_t*);
  hsa_status_t (*hsa_executable_symbol_get_info)(hsa_executable_symbol_t, hsa_executable_symbol_info_t, void*);
  hsa_status_t (*hsa_amd_profiling_set_profiler_enabled)(hsa_queue_t*, int);
  hsa_status_t (*hsa_amd_profiling_get_dispatch_time)(hsa_agent_t, hsa_signal_t, hsa_amd_profiling_dispatch_time_t*);

  // Optional, offered by the emulator-backed runtime only: why the last call on this thread
  // failed, and what stopped a queue (the fault reports). Null on a ROCm runtime.
  const char* (*asmk_hsa_emu_last_error)() = nullptr;
  const char* (*asmk_hsa_emu_queue_error)(const hsa_queue_t*) = nullptr;

  // "HSA_STATUS_ERROR_...: <the runtime's words>" plus the optional detail.
  std::string describe(hsa_status_t status) const;
  // Throws `error` (an asmk_status) with "<what>: <describe(status)>" unless status is success.
  void check(hsa_status_t status, int error, std::string_view what) const;
};

// The library named by ASMK_HSA_LIBRARY, else libhsa-runtime64.so.1, opened once per process
// (per file) and kept open. Throws BACKEND when it or one of the functions above is missing.
const Api& load_api();

}  // namespace asmk::hsa

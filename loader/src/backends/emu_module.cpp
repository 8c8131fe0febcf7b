#include "emu_module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "../error.hpp"
#include "../library_location.hpp"

namespace asmk {
namespace {

struct LoadedModule {
  EmuModuleEntry entry = nullptr;
  std::string failure;  // why no module could be loaded (empty when entry is set)
};

// Tries one way of opening the module; on success sets module.entry, else appends why not.
bool try_open(LoadedModule& module, const std::string& what, const char* file, int flags) {
  dlerror();
  void* handle = dlopen(file, flags);
  if (handle == nullptr) {
    if (!(flags & RTLD_NOLOAD)) {
      const char* why = dlerror();
      module.failure += fmt::format("{}{}: {}", module.failure.empty() ? "" : "; ", what, why ? why : "not found");
    }
    return false;
  }
  // Kept open for the life of the process: its backends' code lives there.
  auto entry = reinterpret_cast<EmuModuleEntry>(dlsym(handle, ASMK_EMU_MODULE_ENTRY));
  if (entry == nullptr) {
    module.failure += fmt::format("{}{}: has no {}", module.failure.empty() ? "" : "; ", what, ASMK_EMU_MODULE_ENTRY);
    return false;
  }
  module.entry = entry;
  module.failure.clear();
  return true;
}

LoadedModule load_module() {
  LoadedModule module;
  constexpr int flags = RTLD_NOW | RTLD_LOCAL;
  if (const char* env = std::getenv("ASMK_EMU_BACKEND_LIBRARY"); env != nullptr && *env != '\0') {
    try_open(module, fmt::format("ASMK_EMU_BACKEND_LIBRARY={}", env), env, flags);
    return module;  // an explicit choice is not second-guessed
  }
  if (try_open(module, "loaded", ASMK_EMU_MODULE_FILE, flags | RTLD_NOLOAD)) return module;
  if (const auto dir = library_directory()) {
    const std::string next_to_library = (*dir / ASMK_EMU_MODULE_FILE).string();
    if (try_open(module, next_to_library, next_to_library.c_str(), flags)) return module;
  }
  try_open(module, fmt::format("{} on the library search path", ASMK_EMU_MODULE_FILE), ASMK_EMU_MODULE_FILE, flags);
  return module;
}

}  // namespace

std::unique_ptr<Backend> make_emu_backend() {
  // A loaded module is kept for the process; a failure is not, so a fixed setting is seen next time.
  static std::mutex mutex;
  static EmuModuleEntry entry = nullptr;
  EmuModuleEntry make = nullptr;
  {
    std::lock_guard lock(mutex);
    if (entry == nullptr) {
      const LoadedModule module = load_module();
      if (module.entry == nullptr)
        fail(ASMK_ERROR_BACKEND,
             fmt::format("the emu backend (the CPU emulator) is the module " ASMK_EMU_MODULE_FILE
                         ", which needs libLLVM 22, and it could not be loaded: {}",
                         module.failure));
      entry = module.entry;
    }
    make = entry;
  }
  return std::unique_ptr<Backend>(make(kEmuModuleInterface));
}

}  // namespace asmk

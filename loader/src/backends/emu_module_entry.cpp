// The one function libasmk_emu_backend.so exports (see emu_module.hpp).
#include <fmt/format.h>

#include "../error.hpp"
#include "emu_backend.hpp"
#include "emu_module.hpp"

extern "C" __attribute__((visibility("default"))) asmk::Backend* asmk_emu_backend_create(unsigned interface) {
  if (interface != asmk::kEmuModuleInterface)
    asmk::fail(ASMK_ERROR_BACKEND,
               fmt::format(ASMK_EMU_MODULE_FILE " implements backend interface {} but libasmk expects {}: "
                           "the module and libasmk come from different builds",
                           asmk::kEmuModuleInterface, interface));
  return new asmk::EmuBackend(asmk::EmuBackendOptions::from_environment());
}

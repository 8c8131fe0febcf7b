// The emu backend lives in its own shared module, libasmk_emu_backend.so, because the emulator
// needs libLLVM (its instruction decoder) and a process that only drives GPUs must not: libasmk
// loads the module with dlopen the first time a context opens the emulator.
//
// Both sides are built together from this tree; the module exports one C function that makes the
// backend, and a number that changes whenever the Backend interface (backend.hpp) does, so a module
// from another build is refused with a message instead of crashing.
#pragma once

#include <memory>

#include "../backend.hpp"

#define ASMK_EMU_MODULE_FILE "libasmk_emu_backend.so"
#define ASMK_EMU_MODULE_ENTRY "asmk_emu_backend_create"

namespace asmk {

// Bump when backend.hpp's Backend, LaunchRequest or Kernel change layout.
inline constexpr unsigned kEmuModuleInterface = 2;  // 2: set_launch_limits, cancel

// The module's entry: a new EmuBackend configured from the environment (ASMK_EMU_*); throws
// asmk::Error. `interface` is the caller's kEmuModuleInterface.
using EmuModuleEntry = Backend* (*)(unsigned interface);

// libasmk's side: the module found and loaded once per process, then a backend from it. The
// module is, in order: $ASMK_EMU_BACKEND_LIBRARY; a copy the process already has (a program linked
// to it); the one next to libasmk (the install and the build tree keep them together); the
// dynamic loader's search path. Throws BACKEND naming every place tried.
std::unique_ptr<Backend> make_emu_backend();

}  // namespace asmk

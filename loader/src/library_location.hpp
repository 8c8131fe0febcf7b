// Where this copy of libasmk lives, and the data installed next to it, so that an installed tree
// works wherever it is moved: <prefix>/lib/libasmk.so finds <prefix>/share/asmk (kernels, tuned
// tables, machine models) and <prefix>/lib/libasmk_emu_backend.so without paths baked in.
#pragma once

#include <filesystem>
#include <optional>

// The data folder relative to the library folder in the install layout (CMake sets it from
// CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_DATADIR).
#ifndef ASMK_DATA_FROM_LIBDIR
#define ASMK_DATA_FROM_LIBDIR "../share/asmk"
#endif

namespace asmk {

// The folder of the file holding this code: libasmk.so's, or the executable's when the objects
// are linked into a program (the unit tests). nullopt if the dynamic loader cannot say.
std::optional<std::filesystem::path> library_directory();

// The data folder installed with this library: <library_directory>/<ASMK_DATA_FROM_LIBDIR>
// (set by CMake from the install layout, e.g. ../share/asmk), else <library_directory>/../share/asmk
// (the build tree's mirror, build/share/asmk), when it holds a kernel repository
// (<arch>/manifest.json). nullopt when neither does.
std::optional<std::filesystem::path> installed_data_directory();

}  // namespace asmk

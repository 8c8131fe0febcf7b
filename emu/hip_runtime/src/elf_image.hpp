// hipModuleLoadData gets a code object as a bare pointer, without a size: a HIP runtime finds
// the image's extent from its ELF headers, and so does this.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace asmk::hip_emu {

// Bytes from the image's start to the end of its last header table, section or segment; nullopt
// (with `why`) when it does not start like a 64-bit little-endian ELF file.
std::optional<std::size_t> elf_image_size(const void* image, std::string& why);

}  // namespace asmk::hip_emu

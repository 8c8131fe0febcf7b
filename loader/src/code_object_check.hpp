// Checking a kernel's code object against its manifest entry when a context first uses it: the
// file is read with its size bounded, its sha256 compared (when asked), and the kernarg layout
// the manifest gives — which libasmk packs arguments into — compared with the layout the code
// object's own metadata note declares.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernel.hpp"

namespace asmk {

// The .co bytes; throws MISSING_CODE_OBJECT when the file is absent, not a regular file, or larger
// than emu::CodeObject::kMaxFileBytes (checked before reading).
std::vector<std::uint8_t> read_code_object(const Kernel& kernel);

// Throws BAD_REPOSITORY when the kernel has no sha256 to check, MISSING_CODE_OBJECT when it differs.
void check_sha256(const Kernel& kernel, std::span<const std::uint8_t> bytes);

// Throws BAD_REPOSITORY naming the kernel, the manifest field and both values when the code
// object's metadata disagrees with the manifest's kernarg layout or segment size, and
// MISSING_CODE_OBJECT when the code object has no kernel of the manifest's symbol. Bytes that
// are no AMDGPU ELF are left to the backend that loads them (it names what is wrong).
void check_kernarg_layout(const Kernel& kernel, std::span<const std::uint8_t> bytes);

}  // namespace asmk

// The manifest's kernarg layout against the code object's own metadata (.amdhsa.kernels .args),
// checked by every backend that runs kernels the first time it loads one: libasmk packs arguments
// by the manifest, the kernel reads them where its metadata says. A disagreement (a stale or edited
// manifest, a template whose declared layout drifted) would be a silently wrong launch; it is
// BAD_REPOSITORY naming the argument instead. The emu backend reads the metadata with the
// emulator; hip and hsa with code_object_metadata.hpp (no libLLVM).
#pragma once

#include "../code_object_metadata.hpp"
#include "../kernel.hpp"

namespace asmk {

// Throws BAD_REPOSITORY naming the first difference: the argument count, an argument's offset,
// size or kind (and its name where the metadata has one).
void check_kernarg_layout(const Kernel& manifest, const KernelMetadata& metadata);

// The same against the kernel `symbol` of a code object's metadata (read_kernel_metadata): nothing
// to compare when the note is absent or lacks the kernel (the runtime's symbol lookup then fails).
void check_kernarg_layout(const Kernel& manifest, const std::vector<KernelMetadata>& code_object,
                          std::string_view symbol);

}  // namespace asmk

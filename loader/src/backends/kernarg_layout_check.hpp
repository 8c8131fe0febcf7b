// The manifest's kernarg layout against the code object's own metadata (.amdhsa.kernels .args),
// checked by the emulator backend the first time it runs a kernel: libasmk packs arguments by the
// manifest, the kernel reads them where its metadata says. A disagreement (a stale or edited
// manifest, a template whose declared layout drifted) would be a silently wrong launch; it is
// BAD_REPOSITORY naming the argument instead. libasmk itself reads no ELF (docs/threat-model.md),
// so the GPU backends rely on this check having run in the kernel tests.
#pragma once

#include "../kernel.hpp"
#include "asmk/emu/code_object.hpp"

namespace asmk {

// Throws BAD_REPOSITORY naming the first difference: the argument count, an argument's offset,
// size or kind (and its name where the metadata has one), or the kernarg segment size.
void check_kernarg_layout(const Kernel& manifest, const emu::Kernel& metadata);

}  // namespace asmk

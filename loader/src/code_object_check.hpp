// Reading and checking a kernel's code object against its manifest entry when a context first
// uses it: the file is read with its kind and size checked first, and its sha256 compared (when
// asked). The manifest's kernarg layout is compared with the code object's metadata note by each
// backend when it loads the code object (backends/kernarg_layout_check.hpp; docs/threat-model.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernel.hpp"

namespace asmk {

// The largest code object read (256 MiB; real ones are kilobytes to tens of megabytes).
inline constexpr std::uint64_t kMaxCodeObjectBytes = std::uint64_t(256) << 20;

// The .co bytes; throws MISSING_CODE_OBJECT when the file is absent, not a regular file, or larger
// than kMaxCodeObjectBytes (checked before reading).
std::vector<std::uint8_t> read_code_object(const Kernel& kernel);

// Throws BAD_REPOSITORY when the kernel has no sha256 to check, MISSING_CODE_OBJECT when it differs.
void check_sha256(const Kernel& kernel, std::span<const std::uint8_t> bytes);

}  // namespace asmk

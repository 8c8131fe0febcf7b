// Element types as the C ABI names them and as manifests spell them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "asmk.h"

namespace asmk {

// "bf16", "fp16", "fp32", "fp8", "int8", "fp4"; nullopt for a value outside the enum.
std::optional<std::string_view> dtype_name(asmk_dtype dtype);

// Bytes per element (fp8, int8 = 1); 0 for fp4 (two per byte) and for a value outside the enum.
std::size_t dtype_bytes(asmk_dtype dtype);

}  // namespace asmk

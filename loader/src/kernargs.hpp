// Packing kernel arguments BY NAME into the byte layout the manifest declares. No C struct
// mirrors a kernel's arguments: the manifest's offsets, sizes and types are the only truth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "asmk.h"
#include "kernel.hpp"

namespace asmk {

// The value of one argument; the alternative must match the declared type exactly.
using KernargScalar =
    std::variant<const void*, std::uint32_t, std::int32_t, std::uint64_t, std::int64_t, float>;

struct KernargValue {
  std::string name;
  KernargScalar value;
};

// "pointer", "u32", "i32", "u64", "i64", "f32" — the name of a value's alternative.
std::string_view value_type_name(const KernargScalar& value);

// The kernarg bytes for one launch: each non-hidden argument given exactly once with the
// declared type; hidden arguments filled from the launch geometry (block counts, group sizes,
// remainders, grid dims) or zero. Throws BAD_KERNARG naming the kernel's arguments.
std::vector<std::byte> pack_kernargs(const Kernel& kernel, std::span<const KernargValue> values,
                                     asmk_dim3 grid, asmk_dim3 block);

}  // namespace asmk

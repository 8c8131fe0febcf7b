#include "kernargs.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "error.hpp"
#include "nearest.hpp"

namespace asmk {
namespace {

static_assert(sizeof(const void*) == 8, "kernel pointers are 64-bit; libasmk needs a 64-bit host");

// The variant alternative a declared type takes, and its size in bytes.
struct DeclaredType {
  std::size_t alternative;
  std::uint32_t size;
};

std::optional<DeclaredType> declared_type(std::string_view type) {
  if (type.ends_with('*')) return DeclaredType{0, 8};
  if (type == "u32") return DeclaredType{1, 4};
  if (type == "i32") return DeclaredType{2, 4};
  if (type == "u64") return DeclaredType{3, 8};
  if (type == "i64") return DeclaredType{4, 8};
  if (type == "f32") return DeclaredType{5, 4};
  return std::nullopt;
}

constexpr std::string_view kTypeNames[] = {"pointer", "u32", "i32", "u64", "i64", "f32"};

void store(std::vector<std::byte>& bytes, std::uint32_t offset, const void* source, std::size_t size) {
  std::memcpy(bytes.data() + offset, source, size);
}

// Little-endian integer of `size` bytes (the hidden arguments are u16, u32 or u64).
void store_integer(std::vector<std::byte>& bytes, const KernelArg& arg, std::uint64_t value) {
  for (std::uint32_t i = 0; i < arg.size && i < 8; ++i)
    bytes[arg.offset + i] = static_cast<std::byte>(value >> (8 * i));
}

// The value of a hidden argument for this geometry (AMDGPUUsage, code object v5). The grid
// is counted in workgroups, so every remainder is 0; anything else libasmk leaves 0.
std::uint64_t hidden_value(std::string_view kind, asmk_dim3 grid, asmk_dim3 block) {
  if (kind == "hidden_block_count_x") return grid.x;
  if (kind == "hidden_block_count_y") return grid.y;
  if (kind == "hidden_block_count_z") return grid.z;
  if (kind == "hidden_group_size_x") return block.x;
  if (kind == "hidden_group_size_y") return block.y;
  if (kind == "hidden_group_size_z") return block.z;
  // Dimensions of the dispatch, as the AQL packet's setup field counts them (in work-items).
  if (kind == "hidden_grid_dims")
    return std::uint64_t(grid.z) * block.z > 1 ? 3 : std::uint64_t(grid.y) * block.y > 1 ? 2 : 1;
  return 0;
}

std::string arguments_text(const Kernel& kernel) {
  const std::string text = kernel.kernargs_text();
  return text.empty() ? "(none)" : text;
}

}  // namespace

std::string_view value_type_name(const KernargScalar& value) { return kTypeNames[value.index()]; }

std::vector<std::byte> pack_kernargs(const Kernel& kernel, std::span<const KernargValue> values,
                                     asmk_dim3 grid, asmk_dim3 block) {
  // The manifest reader keeps every argument inside the segment (manifest.cpp); the 64-bit sum keeps
  // this safe for a Kernel built any other way.
  std::uint64_t total = kernel.resources.kernarg_bytes;
  for (const auto& arg : kernel.kernargs) total = std::max<std::uint64_t>(total, std::uint64_t(arg.offset) + arg.size);
  std::vector<std::byte> bytes(total);

  // Every given name must be a non-hidden argument of the kernel, given once.
  std::vector<std::string> visible;
  for (const auto& arg : kernel.kernargs)
    if (!arg.hidden()) visible.push_back(arg.name);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    const auto it = std::find_if(kernel.kernargs.begin(), kernel.kernargs.end(),
                                 [&](const KernelArg& a) { return a.name == v.name; });
    if (it == kernel.kernargs.end())
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("kernel {} has no argument '{}' (nearest: {}); its arguments: {}", kernel.name,
                       v.name, join_names(nearest_names(v.name, visible, 1)), arguments_text(kernel)));
    if (it->hidden())
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("argument '{}' of kernel {} is {} and filled by libasmk; its arguments: {}",
                       v.name, kernel.name, it->kind, arguments_text(kernel)));
    for (std::size_t j = 0; j < i; ++j)
      if (values[j].name == v.name)
        fail(ASMK_ERROR_BAD_KERNARG, fmt::format("argument '{}' of kernel {} is given twice", v.name, kernel.name));
  }

  std::vector<std::string> missing;
  for (const auto& arg : kernel.kernargs) {
    if (arg.hidden()) {
      store_integer(bytes, arg, hidden_value(arg.kind, grid, block));
      continue;
    }
    const auto declared = declared_type(arg.type);
    if (!declared)
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("kernel {} declares argument '{}' with type '{}', which libasmk cannot pack "
                       "(types: u32 i32 u64 i64 f32 and pointers)", kernel.name, arg.name, arg.type));
    if (declared->size != arg.size)
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("kernel {} declares argument '{}' as {} with size {}, expected {}", kernel.name,
                       arg.name, arg.type, arg.size, declared->size));
    const auto given = std::find_if(values.begin(), values.end(),
                                    [&](const KernargValue& v) { return v.name == arg.name; });
    if (given == values.end()) {
      missing.push_back(arg.name);
      continue;
    }
    if (given->value.index() != declared->alternative)
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("argument '{}' of kernel {} is {} ({}), given a {}", arg.name, kernel.name,
                       arg.type, kTypeNames[declared->alternative], value_type_name(given->value)));
    std::visit([&](const auto& scalar) { store(bytes, arg.offset, &scalar, sizeof scalar); }, given->value);
  }
  if (!missing.empty())
    fail(ASMK_ERROR_BAD_KERNARG,
         fmt::format("kernel {}: missing argument(s) {}; its arguments: {}", kernel.name,
                     join_names(missing), arguments_text(kernel)));
  return bytes;
}

}  // namespace asmk

#include "prepared_launch.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "../context.hpp"
#include "../error.hpp"

namespace asmk::ops {

PreparedLaunch prepare_launch(Context& context, const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
                              std::span<const KernargValue> values, std::span<const std::string_view> pointer_names,
                              std::span<const std::string_view> fixed_null,
                              std::span<const PointerBinding> bound) {
  context.check_launch(kernel, grid, block);
  context.verify_code_object(kernel);
  PreparedLaunch prepared{&kernel, grid, block, pack_kernargs(kernel, values, grid, block), {}};
  for (const auto& arg : kernel.kernargs) {
    if (arg.hidden() || !arg.type.ends_with('*')) continue;
    if (std::find(fixed_null.begin(), fixed_null.end(), arg.name) != fixed_null.end()) continue;
    std::string_view source = arg.name;
    std::uint64_t add = 0;
    for (const PointerBinding& b : bound)
      if (b.arg == arg.name) source = b.tensor, add = b.offset;
    const auto it = std::find(pointer_names.begin(), pointer_names.end(), source);
    // A pointer without a slot would replay the first call's buffer on every later launch.
    if (it == pointer_names.end())
      fail(ASMK_ERROR_INTERNAL, fmt::format("kernel {}: pointer argument '{}' ({}) is not among the op's pointers",
                                            kernel.name, arg.name, source));
    prepared.pointers.push_back({arg.offset, static_cast<std::uint32_t>(it - pointer_names.begin()), add});
  }
  return prepared;
}

void launch_prepared(Context& context, const PreparedLaunch& launch, std::span<const void* const> pointers,
                     asmk_stream stream) {
  // Kernarg segments are a few hundred bytes: pack on the stack when they fit.
  std::array<std::byte, 512> small;
  std::vector<std::byte> large;
  std::span<std::byte> bytes(small.data(), launch.image.size());
  if (launch.image.size() > small.size()) {
    large.resize(launch.image.size());
    bytes = large;
  }
  std::memcpy(bytes.data(), launch.image.data(), launch.image.size());
  for (const PointerSlot& slot : launch.pointers) {
    if (slot.source >= pointers.size())
      fail(ASMK_ERROR_INTERNAL, fmt::format("kernel {}: pointer slot {} of {} given", launch.kernel->name, slot.source,
                                            pointers.size()));
    const void* pointer = pointers[slot.source];
    if (pointer != nullptr && slot.add != 0) pointer = static_cast<const std::byte*>(pointer) + slot.add;
    std::memcpy(bytes.data() + slot.offset, &pointer, sizeof(const void*));
  }
  context.submit(*launch.kernel, launch.grid, launch.block, bytes, stream);
}

}  // namespace asmk::ops

#include "launch_rule.hpp"

#include <limits>

#include <fmt/format.h>

#include "../error.hpp"
#include "requirements.hpp"

namespace asmk::ops {
namespace {

std::uint32_t dimension(const Kernel& kernel, const Expr& rule, std::string_view what,
                        std::span<const KernargValue> values) {
  std::int64_t v = 0;
  try {
    v = rule.evaluate([&](std::string_view name) { return integer_value(values, name); });
  } catch (const ExprError& e) {
    for (const auto& name : rule.names())
      if (!integer_value(values, name))
        fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("kernel {}: the launch rule's {} reads '{}', which is no "
                                                    "scalar argument of the op: {}", kernel.name, what, name, e.what()));
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("kernel {}: {} {}", kernel.name, what, e.what()));
  }
  if (v < 1 || v > std::int64_t(std::numeric_limits<std::uint32_t>::max())) {
    std::string given;
    for (const auto& name : rule.names())
      if (auto x = integer_value(values, name)) given += fmt::format(" {}={}", name, *x);
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("kernel {}: {} = {} = {} for{} is outside 1..4294967295",
                                                   kernel.name, what, rule.text(), v, given));
  }
  return static_cast<std::uint32_t>(v);
}

}  // namespace

LaunchDims launch_dims(const Kernel& kernel, std::span<const KernargValue> values) {
  if (!kernel.launch.present)
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("kernel {} has no launch rule in its manifest entry (rebuild the "
                                                "repository with this asmgen)", kernel.name));
  static constexpr const char* kGrid[] = {"grid.x", "grid.y", "grid.z"};
  static constexpr const char* kBlock[] = {"block.x", "block.y", "block.z"};
  const auto& l = kernel.launch;
  return {{dimension(kernel, l.grid[0], kGrid[0], values), dimension(kernel, l.grid[1], kGrid[1], values),
           dimension(kernel, l.grid[2], kGrid[2], values)},
          {dimension(kernel, l.block[0], kBlock[0], values), dimension(kernel, l.block[1], kBlock[1], values),
           dimension(kernel, l.block[2], kBlock[2], values)}};
}

}  // namespace asmk::ops

// The GPU architectures asmk targets. Shared by every part (ref, emu, loader, tools).
#pragma once

#include <optional>
#include <string_view>

namespace asmk {

enum class Arch {
  gfx942,  // CDNA3: MI300X / MI325X / MI308X
  gfx950,  // CDNA4: MI350X / MI355X
};

constexpr std::string_view arch_name(Arch arch) {
  switch (arch) {
    case Arch::gfx942: return "gfx942";
    case Arch::gfx950: return "gfx950";
  }
  return "unknown";
}

// "gfx942" / "gfx950" -> Arch; anything else -> nullopt.
constexpr std::optional<Arch> parse_arch(std::string_view name) {
  if (name == "gfx942") return Arch::gfx942;
  if (name == "gfx950") return Arch::gfx950;
  return std::nullopt;
}

}  // namespace asmk

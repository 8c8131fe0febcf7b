#include "device.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"
#include "nearest.hpp"

namespace asmk {
namespace {

// Per arch: LDS per CU and fp8 format (see /work/shared/facts/cdna.md).
struct ArchTraits {
  std::string_view arch;
  std::uint32_t lds_bytes_per_cu;
  std::string_view fp8_format;
};
constexpr std::array kArches{
    ArchTraits{"gfx942", 64 * 1024, "e4m3fnuz"},
    ArchTraits{"gfx950", 160 * 1024, "e4m3fn"},
};

const ArchTraits* arch_traits(std::string_view arch) {
  for (const auto& a : kArches)
    if (a.arch == arch) return &a;
  return nullptr;
}

Device make(std::string name, const ArchTraits& a, std::uint32_t cus) {
  return Device{std::move(name), std::string(a.arch), cus, a.lds_bytes_per_cu, 64, std::string(a.fp8_format)};
}

const std::vector<Device>& table() {
  static const std::vector<Device> devices{
      make("MI300X", kArches[0], 304), make("MI325X", kArches[0], 304), make("MI308X", kArches[0], 80),
      make("MI350X", kArches[1], 256), make("MI355X", kArches[1], 256),
  };
  return devices;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::span<const Device> known_devices() { return table(); }

Device device_by_name(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& d : table()) {
    if (equal_ignoring_case(d.name, name)) return d;
    names.push_back(d.name);
  }
  fail(ASMK_ERROR_UNKNOWN_DEVICE,
       fmt::format("unknown device '{}'; known devices: {} (or give an arch and a CU count)", name,
                   join_names(names)));
}

Device device_by_arch(std::string_view arch, std::uint32_t compute_units) {
  const ArchTraits* traits = arch_traits(arch);
  if (traits == nullptr) {
    std::vector<std::string> arches;
    for (const auto& a : kArches) arches.emplace_back(a.arch);
    fail(ASMK_ERROR_UNKNOWN_DEVICE,
         fmt::format("unknown arch '{}'; known arches: {}", arch, join_names(arches)));
  }
  if (compute_units == 0)
    fail(ASMK_ERROR_UNKNOWN_DEVICE, fmt::format("a device given by arch ({}) needs a CU count > 0", arch));
  return make(fmt::format("{} ({} CUs)", arch, compute_units), *traits, compute_units);
}

}  // namespace asmk
